
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
