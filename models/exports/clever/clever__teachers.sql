-- Clever teachers.csv: active teachers at a school (terminated staff never appear).
-- nullif(col, '') where the header differs from the column only in case: DuckDB 2.0's DESCRIBE (used by
-- dbt's contract check) reports a bare column under its source name then; nullif also keeps '' out.
select
    nullif(school_id, '') as "School_id",
    staff_id as "Teacher_id",
    staff_id as "Teacher_number",
    state_staff_id as "State_teacher_id",
    email as "Teacher_email",
    nullif(first_name, '') as "First_name",
    nullif(middle_name, '') as "Middle_name",
    nullif(last_name, '') as "Last_name",
    nullif(title, '') as "Title",
    nullif(username, '') as "Username",
    cast(null as {{ dbt.type_string() }}) as "Password"
from {{ vendor_base('exports__active_staff', 'clever') }}
where is_teacher and school_id is not null
