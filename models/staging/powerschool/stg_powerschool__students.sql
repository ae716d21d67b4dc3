-- PowerSchool students, renamed and typed into the columns of stg_aspen__students; codes as sent
-- (decoded in int_students__decoded with PowerSchool's rows of the crosswalks). Race comes from
-- studentrace (several rows = several races), lunch status from students.lunchstatus, English
-- learner, special education and 504 from the district's extension table (student_programs).
-- schoolid 999999 is PowerSchool's home of graduated students, not a school.
with

source as (select * from {{ source('raw_powerschool', 'students') }}),

races as (

    select studentid, {{ dbt.listagg('racecd', "','", 'order by racecd') }} as race_codes
    from {{ source('raw_powerschool', 'studentrace') }}
    where racecd is not null
    group by studentid

),

programs as (select * from {{ source('raw_powerschool', 'student_programs') }})

select
    -- ids
    {{ clean_text('cast(source.student_number as ' ~ dbt.type_string() ~ ')') }} as student_id,
    {{ clean_text('source.state_studentnumber') }} as state_student_id,
    case when source.schoolid <> 999999 then cast(source.schoolid as {{ dbt.type_string() }}) end as school_id,
    cast(null as {{ dbt.type_string() }}) as homeroom,
    cast(null as {{ dbt.type_string() }}) as counselor_login,
    -- names
    {{ dbt.concat(['source.last_name', "', '", 'source.first_name']) }} as full_name,
    {{ clean_text('source.first_name') }} as first_name,
    {{ clean_text('source.middle_name') }} as middle_name,
    {{ clean_text('source.last_name') }} as last_name,
    -- codes, as sent
    cast(source.enroll_status as {{ dbt.type_string() }}) as enrollment_status_raw,
    cast(source.grade_level as {{ dbt.type_string() }}) as grade_raw,
    {{ clean_text('source.gender') }} as gender_raw,
    races.race_codes as race_raw,
    {{ clean_text('source.lunchstatus') }} as lunch_status_raw,
    {{ clean_text('programs.ell_code') }} as ell_status_raw,
    {{ clean_text('programs.plan_504_code') }} as plan_504_raw,
    {{ clean_text('programs.sped_code') }} as sped_placement,
    cast(null as {{ dbt.type_string() }}) as disability,
    cast(null as {{ dbt.type_string() }}) as home_language,
    cast(null as {{ dbt.type_string() }}) as address,
    cast(null as {{ dbt.type_string() }}) as phone,
    cast(null as {{ dbt.type_string() }}) as email,
    -- dates (typed by the loader)
    cast(source.dob as {{ dbt.type_string() }}) as birth_date_raw,
    source.dob as birth_date_parsed,
    source.entrydate as registration_date,
    source.exitdate as exit_date,
    source.fedethnicity = 1 as is_hispanic_latino,
    -- lineage
    'powerschool' as source_system,
    source.id as record_number,
    'powerschool.students' as file_name,
    {{ raw_lineage('raw_powerschool', 'students', 'load_id') }} as load_id,
    -- PowerSchool's own keys (cc.studentid is students.id; extension tables use dcid)
    source.id as powerschool_id
from source
left join races on races.studentid = source.id
left join programs on programs.studentsdcid = source.dcid
