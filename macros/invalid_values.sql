{#- Rows of a raw table whose value in a column is there but cannot be typed: one row per value, with
    the file and record it came from. ``checks`` is a list of (column, kind); kind is date, int,
    numeric, bool or hour (the parse_* macros the staging models type with). -#}
{% macro invalid_values(relation, source_name, entity, key_column, checks) -%}
{%- set reasons = {
    'date': 'not a date (YYYY-MM-DD or M/D/YYYY)', 'int': 'not a whole number', 'numeric': 'not a number',
    'bool': 'not true/false (1/0, Y/N)', 'hour': 'not a time of day',
} -%}
{%- for column, kind in checks %}
select
    '{{ source_name }}' as source,
    '{{ entity }}' as entity,
    '{{ column }}' as column_name,
    {{ clean_text(adapter.quote(column)) }} as raw_value,
    '{{ reasons[kind] }}' as reason,
    {{ raw_lineage('raw_' ~ source_name, entity, 'file_name') }} as file_name,
    _record_number as record_number,
    trim({{ key_column }}) as record_key
from {{ relation }}
where {{ clean_text(adapter.quote(column)) }} is not null
    and {{ _typed(kind, clean_text(adapter.quote(column))) }} is null
{% if not loop.last %}union all{% endif %}
{%- endfor %}
{%- endmacro %}

{% macro _typed(kind, expr) -%}
    {%- if kind == 'date' -%} {{ parse_date(expr) }}
    {%- elif kind == 'int' -%} {{ parse_int(expr) }}
    {%- elif kind == 'numeric' -%} {{ parse_numeric(expr) }}
    {%- elif kind == 'bool' -%} {{ parse_bool(expr) }}
    {%- elif kind == 'hour' -%} {{ parse_hour(expr) }}
    {%- else -%} {{ exceptions.raise_compiler_error("invalid_values: unknown kind " ~ kind) }}
    {%- endif -%}
{%- endmacro %}
