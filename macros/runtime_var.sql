{#- A var that changes from night to night and only matters when SQL runs (the snapshot time, the
    as-of date). A --vars value wins (dbt run by hand); schoolhouse passes these as environment
    variables SCHOOLHOUSE_VAR_<NAME> instead (schoolhouse/dbt_runner.py RUNTIME_VARS), because dbt
    re-parses the whole project whenever --vars changes. They are read only while executing, so
    parsing never depends on them and one parse serves every night. -#}
{% macro runtime_var(name) -%}
    {%- set value = var(name, none) -%}
    {%- if value is none and execute -%}
        {%- set value = env_var('SCHOOLHOUSE_VAR_' ~ name | upper, '') or none -%}
    {%- endif -%}
    {{- return(value) -}}
{%- endmacro %}
