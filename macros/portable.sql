{#- Regular expressions, written once for every engine (SQL's SIMILAR TO and PostgreSQL's '\1' are
    not on Spark, Spark's rlike is not on PostgreSQL). Patterns are POSIX-style and use no backslash:
    Spark string literals read one as an escape. -#}

{#- True when the whole of ``expr`` matches ``pattern`` (null when expr is null). -#}
{% macro matches(expr, pattern) -%}
    {{ return(adapter.dispatch('matches', 'schoolhouse')(expr, pattern)) }}
{%- endmacro %}

{% macro default__matches(expr, pattern) -%}
    ({{ expr }} ~ '^({{ pattern }})$')
{%- endmacro %}

{% macro duckdb__matches(expr, pattern) -%}
    regexp_full_match({{ expr }}, '{{ pattern }}')
{%- endmacro %}

{% macro spark__matches(expr, pattern) -%}
    ({{ expr }} rlike '^({{ pattern }})$')
{%- endmacro %}

{#- ``expr`` with every match of ``pattern`` replaced by ``replacement`` (a plain text). -#}
{% macro replace_all_matches(expr, pattern, replacement) -%}
    {{ return(adapter.dispatch('replace_all_matches', 'schoolhouse')(expr, pattern, replacement)) }}
{%- endmacro %}

{% macro default__replace_all_matches(expr, pattern, replacement) -%}
    regexp_replace({{ expr }}, '{{ pattern }}', '{{ replacement }}', 'g')
{%- endmacro %}

{% macro spark__replace_all_matches(expr, pattern, replacement) -%}
    regexp_replace({{ expr }}, '{{ pattern }}', '{{ replacement }}')
{%- endmacro %}

{#- The text the first group of ``pattern`` captures in ``expr``; null when nothing matches or the
    group is empty. -#}
{% macro first_group(expr, pattern) -%}
    {{ return(adapter.dispatch('first_group', 'schoolhouse')(expr, pattern)) }}
{%- endmacro %}

{% macro default__first_group(expr, pattern) -%}
    nullif(substring({{ expr }} from '{{ pattern }}'), '')
{%- endmacro %}

{% macro duckdb__first_group(expr, pattern) -%}
    nullif(regexp_extract({{ expr }}, '{{ pattern }}', 1), '')
{%- endmacro %}

{% macro spark__first_group(expr, pattern) -%}
    {{ return(duckdb__first_group(expr, pattern)) }}
{%- endmacro %}
