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

{#- The history of dim_students (student_id, school_id, is_active, enrollment_status_raw,
    dbt_valid_from, dbt_valid_to per version): the snapshot snap_students where the engine can take
    snapshots, and on Spark without Delta (a snapshot merges into its table) the append-only
    int_students__versions, each version valid until the student's next version or removal. The two
    are held equal by the test assert_versions_match_the_snapshot. -#}
{% macro student_history() -%}
    {%- if target.type == 'spark' -%}
    {{ student_history_from_versions() }}
    {%- else -%}
    {{ ref('snap_students') }}
    {%- endif -%}
{%- endmacro %}

{% macro student_history_from_versions() -%}
    (select student_id, school_id, is_active, enrollment_status_raw, dbt_valid_from, dbt_valid_to
     from (
         select
             student_id, school_id, is_active, enrollment_status_raw, is_removal,
             valid_from as dbt_valid_from,
             lead(valid_from) over (partition by student_id order by valid_from) as dbt_valid_to
         from {{ ref('int_students__versions') }}
     ) as versions
     where not is_removal)
{%- endmacro %}
