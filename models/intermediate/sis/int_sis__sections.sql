-- Section rows from the district's SIS (var sis_source), in one shape for the marts.
{% set src = 'stg_powerschool__sections' if var('sis_source') == 'powerschool' else 'stg_aspen__courses_sections' %}
select
    section_id, course_id, school_id, course_number, section_number, term_code, school_year,
    course_title, schedule, room, file_name, record_number
from {{ ref(src) }}
