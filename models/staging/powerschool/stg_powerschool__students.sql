-- PowerSchool students in the same shape as stg_aspen__students, so one set of marts serves both SISs.
-- grade_level -2/-1/0 = PK3/PK4/K; enroll_status 0 active, 2 transferred out, 3 graduated, -1 pre-registered.
with

source as (select * from {{ source('raw_powerschool', 'students') }}),
grades as (select * from {{ ref('xwalk_grade_levels') }}),
races as (select * from {{ ref('xwalk_race') }}),

renamed as (

    select
        -- ids
        trim(cast(student_number as {{ dbt.type_string() }})) as student_id,
        {{ clean_text('cast(state_studentnumber as ' ~ dbt.type_string() ~ ')') }} as state_student_id,
        {{ clean_text('cast(schoolid as ' ~ dbt.type_string() ~ ')') }} as school_id,
        {{ clean_text('cast(home_room as ' ~ dbt.type_string() ~ ')') }} as homeroom,
        -- names
        {{ clean_text('cast(first_name as ' ~ dbt.type_string() ~ ')') }} as first_name,
        {{ clean_text('cast(middle_name as ' ~ dbt.type_string() ~ ')') }} as middle_name,
        {{ clean_text('cast(last_name as ' ~ dbt.type_string() ~ ')') }} as last_name,
        -- codes
        trim(cast(enroll_status as {{ dbt.type_string() }})) as enrollment_status_raw,
        upper(trim(cast(grade_level as {{ dbt.type_string() }}))) as grade_raw,
        {{ clean_text('cast(gender as ' ~ dbt.type_string() ~ ')') }} as gender_raw,
        {{ clean_text('cast(ethnicity as ' ~ dbt.type_string() ~ ')') }} as race_raw,
        trim(cast(fedethnicity as {{ dbt.type_string() }})) as fedethnicity,
        -- dates
        {{ clean_text('cast(dob as ' ~ dbt.type_string() ~ ')') }} as birth_date_raw,
        {{ parse_date('cast(dob as ' ~ dbt.type_string() ~ ')') }} as birth_date_parsed,
        {{ parse_date('cast(entrydate as ' ~ dbt.type_string() ~ ')') }} as registration_date,
        -- lineage
        cast(id as {{ dbt.type_bigint() }}) as record_number
    from source

)

select
    renamed.student_id,
    renamed.state_student_id,
    renamed.school_id,
    renamed.homeroom,
    cast(null as {{ dbt.type_string() }}) as counselor_login,
    {{ dbt.concat(['renamed.last_name', "', '", 'renamed.first_name']) }} as full_name,
    renamed.enrollment_status_raw,
    renamed.grade_raw,
    renamed.gender_raw,
    renamed.race_raw,
    cast(null as {{ dbt.type_string() }}) as home_language,
    cast(null as {{ dbt.type_string() }}) as address,
    cast(null as {{ dbt.type_string() }}) as phone,
    cast(null as {{ dbt.type_string() }}) as email,
    renamed.birth_date_parsed,
    renamed.registration_date,
    renamed.fedethnicity in ('1', 'Y', 'true') as is_hispanic_latino,
    renamed.record_number,
    'powerschool.students' as file_name,
    cast(null as {{ dbt.type_string() }}) as load_id,
    renamed.last_name,
    renamed.first_name,
    renamed.middle_name,
    grades.grade_level,
    'unknown' as lunch_status,
    coalesce(races.race, 'unknown') as race,
    case upper(renamed.gender_raw)
        when 'M' then 'male' when 'F' then 'female' when 'N' then 'non_binary' when 'X' then 'non_binary'
        else 'not_selected'
    end as gender,
    renamed.enrollment_status_raw = '0' as is_active,
    case renamed.enrollment_status_raw
        when '0' then 'active' when '2' then 'withdrawn' when '3' then 'graduated' when '-1' then 'preregistered'
        else 'inactive'
    end as enrollment_status,
    renamed.enrollment_status_raw not in ('0', '2', '3', '-1') as is_unknown_status,
    case
        when renamed.birth_date_parsed <= {{ as_of_date() }}
            and renamed.birth_date_parsed > {{ dbt.dateadd('year', -30, as_of_date()) }}
        then renamed.birth_date_parsed
    end as birth_date,
    'unknown' as ell_status,
    false as is_ell,
    false as has_iep,
    false as has_504_plan
from renamed
left join grades on grades.source_code = renamed.grade_raw
left join races on races.source_code = upper(renamed.race_raw)
