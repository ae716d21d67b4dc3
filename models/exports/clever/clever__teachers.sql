-- Clever teachers.csv: active teachers at a school (terminated staff never appear).
select
    school_id as "School_id",
    staff_id as "Teacher_id",
    staff_id as "Teacher_number",
    state_staff_id as "State_teacher_id",
    email as "Teacher_email",
    first_name as "First_name",
    middle_name as "Middle_name",
    last_name as "Last_name",
    title as "Title",
    username as "Username",
    cast(null as {{ dbt.type_string() }}) as "Password"
from {{ ref('exports__active_staff') }}
where is_teacher and school_id is not null
