
{% macro shared(field, expr) -%}
    {#- ``expr`` when this vendor (the model's meta.vendor) is sent ``field`` (exports[].share in
        district.yml, var vendor_shares), else an empty value: sensitive fields are off by default. -#}
    {%- if is_shared(field) -%}
        {{ expr }}
    {%- else -%}
        cast(null as {{ dbt.type_string() }})
    {%- endif -%}
{%- endmacro %}

{% macro is_shared(field) -%}
    {#- While dbt parses, config.get returns '' (no meta yet): nothing is shared then. -#}
    {%- set meta = config.get('meta') -%}
    {%- set vendor = meta.get('vendor') if meta is mapping else none -%}
    {{- return(field in var('vendor_shares', {}).get(vendor, [])) -}}
{%- endmacro %}

{#- A OneRoster sourcedId from any id: only A-Za-z0-9 . _ - (what OneRoster importers such as
    Moodle's enrol_oneroster accept; '|' and spaces are not). An id that fits is kept as it is; any
    other keeps its readable part (each other character becomes '-') and gains the first 8 hex of
    its md5, so ids that differ only in those characters stay apart and the same id gives the same
    sourcedId every night. Every column that refers to an id goes through this too, so references
    still resolve. -#}
{% macro oneroster_id(expr) -%}
case
    when {{ expr }} similar to '[A-Za-z0-9._-]+' then {{ expr }}
    when {{ expr }} is not null then {{ dbt.concat(["regexp_replace(" ~ expr ~ ", '[^A-Za-z0-9._-]', '-', 'g')", "'-'",
                                                     dbt.right(dbt.hash(expr), 8)]) }}
end
{%- endmacro %}
