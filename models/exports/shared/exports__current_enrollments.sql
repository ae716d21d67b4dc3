-- Who is in which current section: only active students and active teachers, only sections in
-- exports__current_sections, so every row resolves inside every vendor's file set.
with

enrollments as (

    select * from {{ ref('fct_section_enrollments') }}
    where is_current

),

sections as (select section_id, school_id from {{ ref('exports__current_sections') }}),
students as (select student_id from {{ ref('exports__active_students') }}),
staff as (select staff_id from {{ ref('exports__active_staff') }})

select
    enrollments.section_enrollment_id,
    enrollments.section_id,
    sections.school_id,
    enrollments.person_id,
    enrollments.role,
    enrollments.is_primary,
    -- 1 for the primary teacher, then the others in staff id order (Clever's Teacher_2_id ...).
    case when enrollments.role = 'teacher' then
        row_number() over (
            partition by enrollments.section_id, enrollments.role
            order by case when enrollments.is_primary then 0 else 1 end, enrollments.person_id
        )
    end as teacher_rank
from enrollments
inner join sections on sections.section_id = enrollments.section_id
left join students on enrollments.role = 'student' and students.student_id = enrollments.person_id
left join staff on enrollments.role = 'teacher' and staff.staff_id = enrollments.person_id
where students.student_id is not null or staff.staff_id is not null
