-- PowerSchool teachers (staff), renamed and typed into the columns of stg_aspen__educators. These
-- tables have no staff type: everyone is 'Teacher'. District staff (schoolid 0) belong to the
-- district's central office when var powerschool_district_org_id is set.
with

source as (select * from {{ source('raw_powerschool', 'teachers') }})

select
    trim(cast(teachernumber as {{ dbt.type_string() }})) as staff_id,
    cast(null as {{ dbt.type_string() }}) as state_staff_id,
    lower({{ dbt.split_part('cast(email_addr as ' ~ dbt.type_string() ~ ')', "'@'", 1) }}) as login_name,
    case when cast(schoolid as {{ dbt.type_string() }}) = '0'
        then {{ "'" ~ var('powerschool_district_org_id') ~ "'" if var('powerschool_district_org_id') else 'null' }}
        else cast(schoolid as {{ dbt.type_string() }})
    end as school_id,
    cast(null as {{ dbt.type_string() }}) as homeroom,
    {{ dbt.concat(['cast(last_name as ' ~ dbt.type_string() ~ ')', "', '", 'cast(first_name as ' ~ dbt.type_string() ~ ')']) }} as full_name,
    'Teacher' as staff_type,
    trim(cast(status as {{ dbt.type_string() }})) as status_raw,
    lower(cast(email_addr as {{ dbt.type_string() }})) as email,
    'powerschool' as source_system,
    cast(id as {{ dbt.type_bigint() }}) as record_number,
    'powerschool.teachers' as file_name,
    cast(null as {{ dbt.type_string() }}) as load_id,
    cast(last_name as {{ dbt.type_string() }}) as last_name,
    cast(first_name as {{ dbt.type_string() }}) as first_name,
    cast(null as {{ dbt.type_string() }}) as middle_name
from source
