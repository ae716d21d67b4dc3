{#- The time a snapshot records: runtime_var('snapshot_at') (the night's start, kept in the
    archive's journal) or, when unset, the adapter's own (now). Overrides dbt's snapshot_get_time, which every
    snapshot strategy and hard-delete invalidation call. -#}
{% macro snapshot_get_time() -%}
    {%- set at = runtime_var('snapshot_at') -%}
    {%- if at -%}
        cast('{{ at }}' as {{ dbt.type_timestamp() }})
    {%- else -%}
        {{ adapter.dispatch('snapshot_get_time', 'dbt')() }}
    {%- endif -%}
{%- endmacro %}

{#- The history of dim_students (dbt_valid_from, dbt_valid_to per version): the snapshot snap_students,
    where the engine can take snapshots. Spark without Delta cannot (a snapshot merges into its
    table); there tonight's students are the only version, valid from the snapshot time, which is
    what a first night's snapshot holds. -#}
{% macro student_history() -%}
    {%- if target.type == 'spark' -%}
    (select *, {{ snapshot_get_time() }} as dbt_valid_from, cast(null as {{ dbt.type_timestamp() }}) as dbt_valid_to
     from {{ ref('dim_students') }})
    {%- else -%}
    {{ ref('snap_students') }}
    {%- endif -%}
{%- endmacro %}
