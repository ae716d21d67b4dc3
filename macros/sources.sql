{#- Columns a raw table may or may not have: districts omit optional columns, vendors change layouts. -#}

{% macro _present_columns(relation) -%}
    {{ return((adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list) if execute else []) }}
{%- endmacro %}

{#- The column when tonight's file had it, else a text null. -#}
{% macro optional_column(relation, column) -%}
    {%- if column in _present_columns(relation) -%}
        {{ adapter.quote(column) }}
    {%- else -%}
        cast(null as {{ dbt.type_string() }})
    {%- endif -%}
{%- endmacro %}

{#- The first non-null of several columns, using those the table has (v1 and v2 layouts of one file). -#}
{% macro first_present(relation, columns) -%}
    {%- set present = _present_columns(relation) -%}
    {%- set found = columns | select('in', present) | list -%}
    {%- if found | length > 1 -%}
        coalesce({% for c in found %}{{ adapter.quote(c) }}{% if not loop.last %}, {% endif %}{% endfor %})
    {%- elif found -%}
        {{ adapter.quote(found[0]) }}
    {%- else -%}
        cast(null as {{ dbt.type_string() }})
    {%- endif -%}
{%- endmacro %}

