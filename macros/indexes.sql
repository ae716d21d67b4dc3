{#- Indexes on PostgreSQL, where the dashboards look up one student or one viewer in tables of
    millions of rows (without them a lookup reads the whole table, and a bad join order reads it once
    per school). DuckDB reads columns in bulk and needs none: it gets an empty list. -#}
{% macro pg_indexes() -%}
    {%- set out = [] -%}
    {%- if target.type == 'postgres' -%}
        {%- for columns in varargs -%}{%- do out.append({'columns': columns}) -%}{%- endfor -%}
    {%- endif -%}
    {{ return(out) }}
{%- endmacro %}
