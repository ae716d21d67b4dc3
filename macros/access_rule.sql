{#- The students a set of scopes reaches: the active students of the schools under each org scope
    (any depth, access_org_schools) and the current student enrollments of each section scope, one
    row per scope and student (a student reached through two scopes is two rows). The one place the
    rule lives: access_viewer_students lists these rows per viewer, access_viewer_sizes counts them
    per distinct scope. ``scopes``: a relation or subquery with scope_type and scope_id (aliased
    scopes); ``columns``: what each row selects from scopes and students. No CTEs (see
    access_viewer_students). -#}
{% macro students_of_scopes(scopes, columns) -%}
select {{ columns }}
from {{ scopes }} as scopes
inner join {{ ref('access_org_schools') }} as org_schools
    on scopes.scope_type = 'org' and org_schools.org_id = scopes.scope_id
inner join {{ ref('dim_students') }} as students
    on students.school_id = org_schools.school_id and students.is_active

union all

select {{ columns }}
from {{ scopes }} as scopes
inner join {{ ref('fct_section_enrollments') }} as enrollments
    on scopes.scope_type = 'section' and enrollments.section_id = scopes.scope_id
    and enrollments.role = 'student' and enrollments.is_current
inner join {{ ref('dim_students') }} as students
    on students.student_id = enrollments.student_id and students.is_active
{%- endmacro %}
