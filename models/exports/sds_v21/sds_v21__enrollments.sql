-- SDS V2.1 enrollments.csv: active students and teachers in this school year's sections.
select
    section_id as "classSourcedId",
    person_id as "userSourcedId",
    role as "role"
from {{ ref('exports__current_enrollments') }}
