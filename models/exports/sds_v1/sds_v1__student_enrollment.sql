-- SDS V1 StudentEnrollment.csv: active students in this school year's sections.
select
    section_id as "Section SIS ID",
    person_id as "SIS ID"
from {{ vendor_base('exports__current_enrollments', 'sds-v1') }}
where role = 'student'
