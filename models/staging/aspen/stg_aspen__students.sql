-- One row per row of tonight's students_export: renamed, trimmed and typed; codes as sent.
-- Codes are decoded in int_students__decoded (shared with PowerSchool); duplicates of a student are
-- kept here and int_students__deduplicated picks one.
with

source as (

    select * from {{ source('raw_aspen', 'students') }}

),

renamed as (

    select
        -- ids
        trim(local_id) as student_id,
        {{ clean_text('state_id') }} as state_student_id,
        {{ clean_text('school_local_id') }} as school_id,
        {{ clean_text('homeroom') }} as homeroom,
        {{ clean_text('counselor') }} as counselor_login,
        {{ clean_text('sped_liaison') }} as sped_liaison_login,

        -- strings
        {{ clean_text('full_name') }} as full_name,
        {{ clean_text('home_language') }} as home_language,
        {{ clean_text('program_assigned') }} as program_assigned,
        {{ clean_text('sped_placement') }} as sped_placement,
        {{ clean_text('disability') }} as disability,
        {{ clean_text('sped_level_of_need') }} as sped_level_of_need,
        {{ clean_text('student_address') }} as address,
        {{ clean_text('primary_phone') }} as phone,
        lower({{ clean_text('primary_email') }}) as email,
        {{ clean_text('house') }} as house,

        -- codes, as sent (decoded in int_students__decoded)
        {{ clean_text('enrollment_status') }} as enrollment_status_raw,
        upper({{ clean_text('grade') }}) as grade_raw,
        {{ clean_text('gender') }} as gender_raw,
        {{ clean_text('race') }} as race_raw,
        {{ clean_text('free_reduced_lunch') }} as lunch_status_raw,
        {{ clean_text('limited_english_proficiency') }} as ell_status_raw,
        {{ clean_text('plan_504') }} as plan_504_raw,

        -- dates
        {{ clean_text('date_of_birth') }} as birth_date_raw,
        {{ parse_date('date_of_birth') }} as birth_date_parsed,
        {{ parse_date('registration_date') }} as registration_date,
        {{ parse_date('ell_entry_date') }} as ell_entry_date,
        {{ parse_date('ell_transition_date') }} as ell_transition_date,

        -- booleans
        {{ parse_bool('hispanic_latino') }} as is_hispanic_latino,

        -- lineage
        'aspen' as source_system,
        _record_number as record_number,
        {{ raw_lineage('raw_aspen', 'students', 'file_name') }} as file_name,
        {{ raw_lineage('raw_aspen', 'students', 'file_sha256') }} as file_sha256,
        {{ raw_lineage('raw_aspen', 'students', 'file_date') }} as file_date,
        {{ raw_lineage('raw_aspen', 'students', 'load_id') }} as load_id

    from source

)

select
    renamed.*,
    -- Aspen sends "Last, First Middle" in one field.
    {{ name_part('renamed.full_name', 'last') }} as last_name,
    {{ name_part('renamed.full_name', 'first') }} as first_name,
    {{ name_part('renamed.full_name', 'middle') }} as middle_name
from renamed
