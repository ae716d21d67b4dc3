-- Tonight's educators_export: one row per file row, renamed, names split; staff type and status as
-- sent (decoded in int_staff__decoded).
with

source as (select * from {{ source('raw_aspen', 'educators') }}),

renamed as (

    select
        -- ids
        trim(local_id) as staff_id,
        {{ clean_text('state_id') }} as state_staff_id,
        lower({{ clean_text('login_name') }}) as login_name,
        {{ clean_text('school_local_id') }} as school_id,
        {{ clean_text('homeroom') }} as homeroom,

        -- strings
        {{ clean_text('full_name') }} as full_name,
        {{ clean_text('staff_type') }} as staff_type,
        {{ clean_text('status') }} as status_raw,
        -- Some districts add an email column after login_name.
        lower({{ clean_text(optional_column(source('raw_aspen', 'educators'), 'email')) }}) as email,

        -- lineage
        'aspen' as source_system,
        _record_number as record_number,
        {{ raw_lineage('raw_aspen', 'educators', 'file_name') }} as file_name,
        {{ raw_lineage('raw_aspen', 'educators', 'load_id') }} as load_id

    from source

)

select
    renamed.*,
    {{ name_part('renamed.full_name', 'last') }} as last_name,
    {{ name_part('renamed.full_name', 'first') }} as first_name,
    {{ name_part('renamed.full_name', 'middle') }} as middle_name
from renamed
