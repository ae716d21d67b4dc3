-- Clever enrollments.csv: active students in the sections of sections.csv.
-- nullif(col, '') where the header differs from the column only in case: DuckDB 2.0's DESCRIBE (used by
-- dbt's contract check) reports a bare column under its source name then; nullif also keeps '' out.
select
    nullif(enrollments.school_id, '') as "School_id",
    nullif(enrollments.section_id, '') as "Section_id",
    enrollments.person_id as "Student_id"
from {{ ref('exports__current_enrollments') }} as enrollments
where enrollments.role = 'student'
    and enrollments.section_id in (
        select section_id from {{ ref('exports__current_enrollments') }} where role = 'teacher'
    )
