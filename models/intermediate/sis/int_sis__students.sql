-- Student rows from the district's SIS (var sis_source), in one shape for the marts.
{% set src = 'stg_powerschool__students' if var('sis_source') == 'powerschool' else 'stg_aspen__students' %}
select
    student_id, state_student_id, school_id, homeroom, counselor_login,
    first_name, middle_name, last_name, birth_date, gender, grade_level, grade_raw, race,
    is_hispanic_latino, home_language, lunch_status, ell_status, is_ell, has_iep, has_504_plan,
    enrollment_status, enrollment_status_raw, is_active, is_unknown_status, registration_date,
    email, address, phone, file_name, record_number, load_id
from {{ ref(src) }}
