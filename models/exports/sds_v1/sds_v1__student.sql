-- SDS V1 Student.csv: active students.
-- nullif(col, '') where the header differs from the column only in case: DuckDB 2.0's DESCRIBE (used by
-- dbt's contract check) reports a bare column under its source name then; nullif also keeps '' out.
select
    students.student_id as "SIS ID",
    students.school_id as "School SIS ID",
    students.first_name as "First Name",
    students.last_name as "Last Name",
    nullif(students.username, '') as "Username",
    nullif(students.password, '') as "Password",
    students.state_student_id as "State ID",
    cast(null as {{ dbt.type_string() }}) as "Secondary Email",
    students.student_id as "Student Number",
    students.middle_name as "Middle Name",
    grades.sds_grade as "Grade",
    cast(null as {{ dbt.type_string() }}) as "Status",
    {{ shared('birth_date', 'students.birth_date_text') }} as "Birthdate",
    cast(students.graduation_year as {{ dbt.type_string() }}) as "Graduation Year"
from {{ vendor_base('exports__active_students', 'sds-v1') }} as students
left join {{ ref('vendor_grade_codes') }} as grades on grades.grade_level = students.grade_level
