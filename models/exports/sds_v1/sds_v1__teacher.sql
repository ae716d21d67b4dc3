-- SDS V1 Teacher.csv: active teachers (a teaching role or a current section) at a school.
-- nullif(col, '') where the header differs from the column only in case: DuckDB 2.0's DESCRIBE (used by
-- dbt's contract check) reports a bare column under its source name then; nullif also keeps '' out.
select
    staff_id as "SIS ID",
    school_id as "School SIS ID",
    first_name as "First Name",
    last_name as "Last Name",
    nullif(username, '') as "Username",
    cast(null as {{ dbt.type_string() }}) as "Password",
    state_staff_id as "State ID",
    staff_id as "Teacher Number",
    cast(null as {{ dbt.type_string() }}) as "Status",
    middle_name as "Middle Name",
    cast(null as {{ dbt.type_string() }}) as "Secondary Email",
    nullif(title, '') as "Title",
    cast(null as {{ dbt.type_string() }}) as "Qualification"
from {{ vendor_base('exports__active_staff', 'sds-v1') }}
where is_teacher and school_id is not null
