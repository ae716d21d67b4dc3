-- PowerSchool staff in the columns of stg_aspen__educators: one row per person (users), employed
-- when any of their schoolstaff rows (one per person and school) has status 1 (2 = gone). Their
-- school is users.homeschoolid; district staff (school 0) belong to the district's central office
-- when var powerschool_district_org_id is set. These tables have no staff type: everyone is 'Teacher'.
with

users as (select * from {{ source('raw_powerschool', 'users') }}),

schoolstaff as (

    select users_dcid, min(status) as best_status
    from {{ source('raw_powerschool', 'schoolstaff') }}
    group by users_dcid

)

select
    {{ clean_text('users.teachernumber') }} as staff_id,
    cast(null as {{ dbt.type_string() }}) as state_staff_id,
    lower(coalesce({{ clean_text('users.teacherloginid') }},
                   {{ dbt.split_part(clean_text('users.email_addr'), "'@'", 1) }})) as login_name,
    case when users.homeschoolid = 0
        then {{ "'" ~ var('powerschool_district_org_id') ~ "'" if var('powerschool_district_org_id') else 'null' }}
        else cast(users.homeschoolid as {{ dbt.type_string() }})
    end as school_id,
    cast(null as {{ dbt.type_string() }}) as homeroom,
    {{ dbt.concat(['users.last_name', "', '", 'users.first_name']) }} as full_name,
    'Teacher' as staff_type,
    cast(schoolstaff.best_status as {{ dbt.type_string() }}) as status_raw,
    lower({{ clean_text('users.email_addr') }}) as email,
    'powerschool' as source_system,
    users.dcid as record_number,
    'powerschool.users' as file_name,
    {{ raw_lineage('raw_powerschool', 'users', 'load_id') }} as load_id,
    {{ clean_text('users.last_name') }} as last_name,
    {{ clean_text('users.first_name') }} as first_name,
    {{ clean_text('users.middle_name') }} as middle_name
from users
left join schoolstaff on schoolstaff.users_dcid = users.dcid
