{{ config(materialized='view', pre_hook="{{ drop_if_table(this) }}") }}
-- The students each viewer may see, decided by rule at query time (macros/access_rule.sql): the
-- active students of the schools under each of the viewer's org scopes (any depth,
-- access_org_schools) and of each of their section scopes (current enrollments). A view, never a
-- table: filtered by one staff_id (as every dashboard query is) it reads that viewer's scopes only,
-- and nothing of size viewers × students is ever stored. A student reachable through two scopes
-- appears once per scope.
-- No CTEs: PostgreSQL materializes a CTE used twice, so a page's filter (staff_id, and often
-- student_id) could not reach the tables and every query would read all scopes and students.
{{ students_of_scopes(ref('access_viewer_scopes'),
                      'scopes.staff_id, students.student_id, students.school_id, scopes.scope_id, scopes.granted_by') }}
