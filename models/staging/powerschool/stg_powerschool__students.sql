-- PowerSchool students, renamed and typed into the columns of stg_aspen__students; codes as sent
-- (grade_level -2/-1/0 = PK3/PK4/K, enroll_status 0 active, 2 transferred out, 3 graduated,
-- -1 pre-registered), decoded in int_students__decoded with PowerSchool's rows of the crosswalks.
with

source as (select * from {{ source('raw_powerschool', 'students') }}),

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
        -- codes, as sent
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
    student_id,
    state_student_id,
    school_id,
    homeroom,
    cast(null as {{ dbt.type_string() }}) as counselor_login,
    {{ dbt.concat(['last_name', "', '", 'first_name']) }} as full_name,
    first_name,
    middle_name,
    last_name,
    enrollment_status_raw,
    grade_raw,
    gender_raw,
    race_raw,
    -- These tables carry no lunch, English-learner, IEP or 504 fields.
    cast(null as {{ dbt.type_string() }}) as lunch_status_raw,
    cast(null as {{ dbt.type_string() }}) as ell_status_raw,
    cast(null as {{ dbt.type_string() }}) as plan_504_raw,
    cast(null as {{ dbt.type_string() }}) as sped_placement,
    cast(null as {{ dbt.type_string() }}) as disability,
    cast(null as {{ dbt.type_string() }}) as home_language,
    cast(null as {{ dbt.type_string() }}) as address,
    cast(null as {{ dbt.type_string() }}) as phone,
    cast(null as {{ dbt.type_string() }}) as email,
    birth_date_raw,
    birth_date_parsed,
    registration_date,
    fedethnicity in ('1', 'Y', 'true') as is_hispanic_latino,
    'powerschool' as source_system,
    record_number,
    'powerschool.students' as file_name,
    cast(null as {{ dbt.type_string() }}) as load_id
from renamed
