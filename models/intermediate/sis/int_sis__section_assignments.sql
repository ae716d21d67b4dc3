-- Students and teachers assigned to sections, from the district's SIS (var sis_source).
{% if var('sis_source') == 'powerschool' %}
select section_id, role, person_id, record_number, file_name
from {{ ref('stg_powerschool__section_assignments') }}
{% else %}
select section_id, 'student' as role, student_id as person_id, record_number, file_name
from {{ ref('stg_aspen__student_section_assignments') }}
union all
select section_id, 'teacher' as role, staff_id as person_id, record_number, file_name
from {{ ref('stg_aspen__educator_section_assignments') }}
{% endif %}
