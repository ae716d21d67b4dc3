-- Checks: the append-only history int_students__versions (what fct_school_enrollments reads on
--   Spark) gives every student the same versions, from and to the same nights, as the snapshot
--   snap_students (what it reads on DuckDB and PostgreSQL).
-- When it matters: enrollment entry and exit dates must not depend on the engine.
-- How to resolve: a build that ran one without the other (a --select naming only one) makes them
--   differ; otherwise compare the two for the student_id listed and fix int_students__versions.
{{ config(enabled=target.type != 'spark') }}

with

from_versions as (

    select student_id, school_id, is_active, dbt_valid_from, dbt_valid_to
    from {{ student_history_from_versions() }} as versions

),

from_snapshot as (

    select student_id, school_id, is_active, dbt_valid_from, dbt_valid_to
    from {{ ref('snap_students') }}

),

only_in_versions as (select * from from_versions except select * from from_snapshot),

only_in_snapshot as (select * from from_snapshot except select * from from_versions)

select 'only in int_students__versions' as found, * from only_in_versions
union all
select 'only in snap_students' as found, * from only_in_snapshot
