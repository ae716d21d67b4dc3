-- ST Math students.csv: one row per active student with their math teacher (a section whose
-- course number matches vendor_stmath_courses, best priority first; homeroom for elementary).
-- Only schools with an ST Math iid in orgs.csv and grades ST Math knows (vendor_grade_codes)
-- are sent; a student with no such teacher cannot be sent (ST Math requires one).
{%- set permanent_login = var('stmath_permanent_login') %}
with

students as (select * from {{ vendor_base('exports__active_students', 'stmath') }}),

schools as (

    select org_id, name, stmath_iid
    from {{ vendor_base('exports__orgs', 'stmath') }}
    where is_school and stmath_iid is not null

),

grades as (

    select grade_level, stmath_grade from {{ ref('vendor_grade_codes') }}
    where stmath_grade is not null

),

math_teachers as (

    select
        pupils.person_id as student_id,
        teachers.person_id as staff_id,
        sections.period,
        row_number() over (
            partition by pupils.person_id
            order by courses.priority, teachers.teacher_rank, sections.section_id
        ) as teacher_choice
    from {{ vendor_base('exports__current_enrollments', 'stmath') }} as pupils
    inner join {{ vendor_base('exports__current_sections', 'stmath') }} as sections on sections.section_id = pupils.section_id
    inner join {{ ref('vendor_stmath_courses') }} as courses on sections.course_number like courses.course_number_pattern
    inner join {{ vendor_base('exports__current_enrollments', 'stmath') }} as teachers
        on teachers.section_id = pupils.section_id and teachers.role = 'teacher'
    where pupils.role = 'student'

),

staff as (select * from {{ vendor_base('exports__active_staff', 'stmath') }})

select
    schools.stmath_iid as "iid",
    students.school_id as "district_school_id",
    schools.name as "school",
    staff.staff_id as "district_teacher_id",
    staff.email as "teacher_email",
    staff.last_name as "teacher_last_name",
    staff.first_name as "teacher_first_name",
    grades.stmath_grade as "grade",
    math_teachers.period as "period",
    cast(null as {{ dbt.type_string() }}) as "curriculum",
    students.student_id as "student_id",
    cast(null as {{ dbt.type_string() }}) as "new_student_id",
    students.last_name as "student_last_name",
    students.first_name as "student_first_name",
    students.username as "student_username",
    students.password as "student_password",
    '{{ "true" if permanent_login else "false" }}' as "permanent_login",
    {{ shared('birth_date', 'students.birth_date_text') }} as "birth_date",
    cast(null as {{ dbt.type_string() }}) as "action"
from students
inner join schools on schools.org_id = students.school_id
inner join grades on grades.grade_level = students.grade_level
inner join math_teachers on math_teachers.student_id = students.student_id and math_teachers.teacher_choice = 1
inner join staff on staff.staff_id = math_teachers.staff_id
