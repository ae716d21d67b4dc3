-- Tonight's educators_export: one row per file row, names split, staff type mapped to an SDS role.
with

source as (select * from {{ source('raw_aspen', 'educators') }}),
roles as (select * from {{ ref('xwalk_staff_roles') }}),

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
        _record_number as record_number,
        _file_name as file_name,
        _load_id as load_id

    from source

)

select
    renamed.*,
    {{ name_part('renamed.full_name', 'last') }} as last_name,
    {{ name_part('renamed.full_name', 'first') }} as first_name,
    {{ name_part('renamed.full_name', 'middle') }} as middle_name,
    coalesce(roles.staff_role, 'staff') as staff_role,
    coalesce(roles.access_scope, 'none') as access_scope,
    -- Only an explicit Active status counts: a blank status must never keep a departed
    -- employee in Teams or ST Math rosters.
    coalesce(upper(renamed.status_raw) = 'ACTIVE', false) as is_active
from renamed
left join roles on roles.staff_type = upper(renamed.staff_type)
