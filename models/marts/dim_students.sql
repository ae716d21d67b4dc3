{{ config(indexes=pg_indexes(['student_id'], ['school_id'])) }}
-- One row per student in tonight's SIS export, every status (filter is_active for current rosters).
with

students as (

    select * from {{ ref('int_students__deduplicated') }}
    where row_rank = 1

)

select
    -- ids
    student_id,
    state_student_id,
    school_id,

    -- names
    first_name,
    middle_name,
    last_name,

    -- demographics
    birth_date,
    gender,
    grade_level,
    grade_raw,
    gender_raw,
    race,
    race_raw,
    is_hispanic_latino,
    home_language,
    lunch_status,
    lunch_status_raw,
    ell_status,
    ell_status_raw,
    is_ell,
    has_iep,
    has_504_plan,

    -- enrollment
    enrollment_status,
    enrollment_status_raw,
    is_active,
    registration_date,
    homeroom,
    counselor_login,

    -- contact
    email,
    address,
    phone,

    -- lineage and data quality
    source_row_count > 1 as had_conflicting_rows,
    birth_date is null as is_missing_birth_date,
    file_name,
    record_number,
    load_id

from students
