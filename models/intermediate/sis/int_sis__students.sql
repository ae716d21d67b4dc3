-- Student rows from the district's SIS (var sis_source), in one shape, codes as sent.
{% set src = 'stg_powerschool__students' if var('sis_source') == 'powerschool' else 'stg_aspen__students' %}
select
    student_id, state_student_id, school_id, homeroom, counselor_login,
    first_name, middle_name, last_name,
    enrollment_status_raw, grade_raw, gender_raw, race_raw, lunch_status_raw, ell_status_raw, plan_504_raw,
    sped_placement, disability, home_language, address, phone, email,
    birth_date_raw, birth_date_parsed, registration_date, is_hispanic_latino,
    source_system, file_name, record_number, load_id
from {{ ref(src) }}
