-- Staff rows from the district's SIS (var sis_source), in one shape, type and status as sent.
{% set src = 'stg_powerschool__teachers' if var('sis_source') == 'powerschool' else 'stg_aspen__educators' %}
select
    staff_id, state_staff_id, login_name, school_id, homeroom, first_name, middle_name, last_name,
    email, staff_type, status_raw, source_system, file_name, record_number
from {{ ref(src) }}
