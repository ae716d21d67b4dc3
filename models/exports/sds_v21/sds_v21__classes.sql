-- SDS V2.1 classes.csv: this school year's sections (note the plural sessionSourcedIds).
select
    section_id as "sourcedId",
    school_id as "orgSourcedId",
    section_title as "title",
    term_session_id as "sessionSourcedIds",
    course_id as "courseSourcedId"
from {{ vendor_base('exports__current_sections', 'sds-v2.1') }}
