-- SDS V1 TeacherRoster.csv: active teachers of this school year's sections.
select
    section_id as "Section SIS ID",
    person_id as "SIS ID"
from {{ vendor_base('exports__current_enrollments', 'sds-v1') }}
where role = 'teacher'
