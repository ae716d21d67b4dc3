-- Clever enrollments.csv: active students in the sections of sections.csv.
select
    enrollments.school_id as "School_id",
    enrollments.section_id as "Section_id",
    enrollments.person_id as "Student_id"
from {{ ref('exports__current_enrollments') }} as enrollments
where enrollments.role = 'student'
    and enrollments.section_id in (
        select section_id from {{ ref('exports__current_enrollments') }} where role = 'teacher'
    )
