-- Clever students.csv: active students only. Clever's documented codes: Gender M/F/X, Race
-- A/B/I/M/P/W, Y/N flags, Frl_status Free/Reduced/Paid. DOB, race, ELL, lunch and IEP only when the
-- district shares them with Clever (exports[].share); otherwise those columns are empty.
-- nullif(col, '') where the header differs from the column only in case: DuckDB 2.0's DESCRIBE (used by
-- dbt's contract check) reports a bare column under its source name then; nullif also keeps '' out.
select
    nullif(students.school_id, '') as "School_id",
    nullif(students.student_id, '') as "Student_id",
    students.student_id as "Student_number",
    students.state_student_id as "State_id",
    nullif(students.last_name, '') as "Last_name",
    nullif(students.middle_name, '') as "Middle_name",
    nullif(students.first_name, '') as "First_name",
    grades.clever_grade as "Grade",
    case students.gender when 'male' then 'M' when 'female' then 'F' when 'non_binary' then 'X' end as "Gender",
    cast(students.graduation_year as {{ dbt.type_string() }}) as "Graduation_year",
    {{ shared('birth_date', 'students.birth_date_text') }} as "DOB",
    {{ shared('race_ethnicity', 'races.clever_race') }} as "Race",
    {{ shared('race_ethnicity', "case when students.is_hispanic_latino then 'Y' when not students.is_hispanic_latino then 'N' end") }}
        as "Hispanic_Latino",
    nullif(students.home_language, '') as "Home_language",
    {{ shared('ell', "case when students.is_ell then 'Y' else 'N' end") }} as "Ell_status",
    {{ shared('lunch', "case students.lunch_status when 'free' then 'Free' when 'reduced' then 'Reduced' when 'not_eligible' then 'Paid' end") }}
        as "Frl_status",
    {{ shared('iep', "case when students.has_iep then 'Y' else 'N' end") }} as "IEP_status",
    students.email as "Student_email",
    nullif(students.username, '') as "Username",
    nullif(students.password, '') as "Password"
from {{ vendor_base('exports__active_students', 'clever') }} as students
left join {{ ref('vendor_grade_codes') }} as grades on grades.grade_level = students.grade_level
left join {{ ref('vendor_race_codes') }} as races on races.race = students.race
