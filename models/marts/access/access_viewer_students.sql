{{ config(indexes=[{'columns': ['staff_id', 'student_id']}]) }}
-- The students each viewer may see: one row per (staff member, student). The dashboards filter
-- every query through this table, so a student missing here is invisible to that viewer.
--   sections: the active students of the sections the teacher teaches this school year (is_current)
--   school:   the active students whose school is the viewer's school
--   district: every active student
-- Viewers whose effective_scope is 'none' have no rows.
with

viewers as (

    select staff_id, school_id, effective_scope
    from {{ ref('access_viewers') }}
    where effective_scope <> 'none'

),

students as (select student_id, school_id from {{ ref('dim_students') }} where is_active),

enrollments as (

    select section_id, staff_id, student_id, role
    from {{ ref('fct_section_enrollments') }}
    where is_current

),

by_section as (

    select distinct teachers.staff_id, pupils.student_id
    from viewers
    inner join enrollments as teachers
        on teachers.staff_id = viewers.staff_id and teachers.role = 'teacher'
    inner join enrollments as pupils
        on pupils.section_id = teachers.section_id and pupils.role = 'student'
    where viewers.effective_scope = 'sections'

),

granted as (

    select by_section.staff_id, students.student_id, students.school_id, 'section' as granted_by
    from by_section
    inner join students on students.student_id = by_section.student_id

    union all

    select viewers.staff_id, students.student_id, students.school_id, 'school' as granted_by
    from viewers
    inner join students on students.school_id = viewers.school_id
    where viewers.effective_scope = 'school'

    union all

    select viewers.staff_id, students.student_id, students.school_id, 'district' as granted_by
    from viewers
    cross join students
    where viewers.effective_scope = 'district'

)

select
    {{ dbt.concat(['staff_id', "'|'", 'student_id']) }} as viewer_student_id,
    staff_id,
    student_id,
    school_id,
    granted_by
from granted
