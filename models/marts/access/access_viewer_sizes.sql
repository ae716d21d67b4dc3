{{ config(materialized='view') }}
-- How many rows of access_viewer_students each viewer has (a student reached through two scopes
-- counts twice), without forming them: the students of each distinct scope are counted once
-- (macros/access_rule.sql, the same rule), then summed over each viewer's scopes. The (viewer,
-- student) pairs are 428 million at 1,000,000 students; this reads each scope's students once.
-- What the nightly reads to find the viewers whose protected counts it prepares ahead.
with

scope_sizes as (

    select reached.scope_type, reached.scope_id, count(*) as students
    from (
        {{ students_of_scopes('(select distinct scope_type, scope_id from ' ~ ref('access_viewer_scopes') ~ ')',
                              'scopes.scope_type, scopes.scope_id') }}
    ) as reached
    group by reached.scope_type, reached.scope_id

)

select viewer_scopes.staff_id, cast(sum(coalesce(scope_sizes.students, 0)) as {{ dbt.type_bigint() }}) as students
from {{ ref('access_viewer_scopes') }} as viewer_scopes
left join scope_sizes
    on scope_sizes.scope_type = viewer_scopes.scope_type and scope_sizes.scope_id = viewer_scopes.scope_id
group by viewer_scopes.staff_id
