-- Clever enrollments.csv: active students in the sections of sections.csv.
-- nullif(col, '') where the header differs from the column only in case: DuckDB 2.0's DESCRIBE (used by
-- dbt's contract check) reports a bare column under its source name then; nullif also keeps '' out.
select
    nullif(enrollments.school_id, '') as "School_id",
    nullif(enrollments.section_id, '') as "Section_id",
    enrollments.person_id as "Student_id"
from {{ vendor_base('exports__current_enrollments', 'clever') }} as enrollments
where enrollments.role = 'student'
    and enrollments.section_id in (
        select section_id from {{ vendor_base('exports__current_enrollments', 'clever') }} where role = 'teacher'
    )
