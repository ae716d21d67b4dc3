-- SDS V2.1 enrollments.csv: active students and teachers in this school year's sections.
select
    section_id as "classSourcedId",
    person_id as "userSourcedId",
    role as "role"
from {{ vendor_base('exports__current_enrollments', 'sds-v2.1') }}
