-- SDS V2.1 roles.csv: each student at their school with their grade; each staff member at their
-- own org with their role, plus a teacher role at every other school where they teach a section.
with

school_year as (

    select session_id from {{ vendor_base('exports__current_sessions', 'sds-v2.1') }}
    where is_school_year

),

staff_roles as (

    select staff_id, org_id, staff_role as role
    from {{ vendor_base('exports__active_staff', 'sds-v2.1') }}

    union

    select distinct enrollments.person_id as staff_id, enrollments.school_id as org_id, 'teacher' as role
    from {{ vendor_base('exports__current_enrollments', 'sds-v2.1') }} as enrollments
    inner join {{ vendor_base('exports__active_staff', 'sds-v2.1') }} as staff on staff.staff_id = enrollments.person_id
    where enrollments.role = 'teacher' and enrollments.school_id <> staff.org_id

)

select
    students.student_id as "userSourcedId",
    students.school_id as "orgSourcedId",
    'student' as "role",
    school_year.session_id as "sessionSourcedId",
    grades.sds_grade as "grade",
    'true' as "isPrimary",
    students.registration_date_text as "roleStartDate",
    cast(null as {{ dbt.type_string() }}) as "roleEndDate"
from {{ vendor_base('exports__active_students', 'sds-v2.1') }} as students
cross join school_year
left join {{ ref('vendor_grade_codes') }} as grades on grades.grade_level = students.grade_level

union all

select
    staff_roles.staff_id as "userSourcedId",
    staff_roles.org_id as "orgSourcedId",
    staff_roles.role as "role",
    school_year.session_id as "sessionSourcedId",
    cast(null as {{ dbt.type_string() }}) as "grade",
    case when staff.org_id = staff_roles.org_id then 'true' else 'false' end as "isPrimary",
    cast(null as {{ dbt.type_string() }}) as "roleStartDate",
    cast(null as {{ dbt.type_string() }}) as "roleEndDate"
from staff_roles
inner join {{ vendor_base('exports__active_staff', 'sds-v2.1') }} as staff on staff.staff_id = staff_roles.staff_id
cross join school_year
