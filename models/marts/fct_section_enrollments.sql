{{ config(indexes=pg_indexes(['section_id'], ['student_id'], ['staff_id'])) }}
-- Who is in which section: students and their teachers, one row per (section, person, role).
-- is_current: the section belongs to the current school year and the person is active now.
-- Rows pointing at an unknown section, student or educator are left out (see dq_excluded_rows).
with

sections as (select section_id, is_current_school_year, is_in_progress from {{ ref('dim_sections') }}),
students as (select student_id, is_active from {{ ref('dim_students') }}),
staff as (select staff_id, is_active from {{ ref('dim_staff') }}),

student_rows as (

    select distinct section_id, person_id, role
    from {{ ref('int_sis__section_assignments') }}
    where role = 'student'

),

teacher_rows as (

    select
        section_id,
        person_id,
        role,
        -- The first educator listed for a section is its primary teacher.
        row_number() over (partition by section_id order by record_number) as teacher_rank
    from {{ ref('int_sis__section_assignments') }}
    where role = 'teacher'

),

unioned as (

    select section_id, person_id, role, true as is_primary from student_rows
    union all
    select section_id, person_id, role, teacher_rank = 1 as is_primary
    from (
        select section_id, person_id, role, min(teacher_rank) as teacher_rank
        from teacher_rows
        group by section_id, person_id, role
    ) as t

)

select
    {{ dbt.concat(['unioned.section_id', "'|'", 'unioned.role', "'|'", 'unioned.person_id']) }} as section_enrollment_id,
    unioned.section_id,
    unioned.person_id,
    case when unioned.role = 'student' then unioned.person_id end as student_id,
    case when unioned.role = 'teacher' then unioned.person_id end as staff_id,
    unioned.role,
    unioned.is_primary,
    sections.is_in_progress as is_section_in_progress,
    sections.is_current_school_year
        and coalesce(students.is_active, staff.is_active, false) as is_current
from unioned
inner join sections on sections.section_id = unioned.section_id
left join students on unioned.role = 'student' and students.student_id = unioned.person_id
left join staff on unioned.role = 'teacher' and staff.staff_id = unioned.person_id
where students.student_id is not null or staff.staff_id is not null
