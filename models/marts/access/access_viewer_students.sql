{{ config(materialized='view', pre_hook="{{ drop_if_table(this) }}") }}
-- The students each viewer may see, decided by rule at query time: the active students of the
-- schools under each of the viewer's org scopes (any depth, access_org_schools) and of each of
-- their section scopes (current enrollments). A view, never a table: filtered by one staff_id
-- (as every dashboard query is) it reads that viewer's scopes only, and nothing of size viewers ×
-- students is ever stored. A student reachable through two scopes appears once per scope.
-- No CTEs: PostgreSQL materializes a CTE used twice, so a page's filter (staff_id, and often
-- student_id) could not reach the tables and every query would read all scopes and students.
select scopes.staff_id, students.student_id, students.school_id, scopes.scope_id, scopes.granted_by
from {{ ref('access_viewer_scopes') }} as scopes
inner join {{ ref('access_org_schools') }} as org_schools
    on scopes.scope_type = 'org' and org_schools.org_id = scopes.scope_id
inner join {{ ref('dim_students') }} as students
    on students.school_id = org_schools.school_id and students.is_active

union all

select scopes.staff_id, students.student_id, students.school_id, scopes.scope_id, scopes.granted_by
from {{ ref('access_viewer_scopes') }} as scopes
inner join {{ ref('fct_section_enrollments') }} as enrollments
    on scopes.scope_type = 'section' and enrollments.section_id = scopes.scope_id
    and enrollments.role = 'student' and enrollments.is_current
inner join {{ ref('dim_students') }} as students
    on students.student_id = enrollments.student_id and students.is_active
