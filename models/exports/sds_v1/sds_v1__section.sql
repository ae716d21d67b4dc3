-- SDS V1 Section.csv: this school year's sections with their term and course.
select
    section_id as "SIS ID",
    school_id as "School SIS ID",
    section_title as "Section Name",
    section_number as "Section Number",
    term_session_id as "Term SIS ID",
    term_title as "Term Name",
    term_start_date_text as "Term StartDate",
    term_end_date_text as "Term EndDate",
    course_id as "Course SIS ID",
    course_title as "Course Name",
    course_number as "Course Number",
    cast(null as {{ dbt.type_string() }}) as "Course Description",
    cast(null as {{ dbt.type_string() }}) as "Course Subject",
    period as "Periods",
    cast(null as {{ dbt.type_string() }}) as "Status"
from {{ vendor_base('exports__current_sections', 'sds-v1') }}
