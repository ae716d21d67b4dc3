{#- The time a snapshot records: var('snapshot_at') (the night's start, kept in the archive's
    journal) or, when unset, the adapter's own (now). Overrides dbt's snapshot_get_time, which every
    snapshot strategy and hard-delete invalidation call. -#}
{% macro snapshot_get_time() -%}
    {%- if var('snapshot_at', none) -%}
        cast('{{ var("snapshot_at") }}' as {{ dbt.type_timestamp() }})
    {%- else -%}
        {{ adapter.dispatch('snapshot_get_time', 'dbt')() }}
    {%- endif -%}
{%- endmacro %}
