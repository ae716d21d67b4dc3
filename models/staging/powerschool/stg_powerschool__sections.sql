-- PowerSchool sections in the shape of stg_aspen__courses_sections. The term code follows
-- PowerSchool's term ids: yearid × 100 is the year (FY), + 1 and + 2 its semesters (S1, S2),
-- + 3 … its quarters are read from the term name; the school year ends in yearid + 1991.
with

sections as (select * from {{ source('raw_powerschool', 'sections') }}),
courses as (select * from {{ source('raw_powerschool', 'courses') }}),

renamed as (

    select
        cast(s.schoolid as {{ dbt.type_string() }}) as school_id,
        trim(cast(s.course_number as {{ dbt.type_string() }})) as course_number,
        trim(cast(s.section_number as {{ dbt.type_string() }})) as section_number,
        case mod(cast(s.termid as integer), 100)
            when 0 then 'FY' when 1 then 'S1' when 2 then 'S2'
            else {{ dbt.concat(["'T'", "cast(mod(cast(s.termid as integer), 100) as " ~ dbt.type_string() ~ ")"]) }}
        end as term_code,
        cast(floor(cast(s.termid as integer) / 100.0) as integer) + 1991 as school_year,
        cast(c.course_name as {{ dbt.type_string() }}) as course_title,
        cast(s.expression as {{ dbt.type_string() }}) as schedule,
        cast(null as {{ dbt.type_string() }}) as room,
        cast(s.id as {{ dbt.type_bigint() }}) as record_number,
        'powerschool.sections' as file_name,
        cast(s.id as {{ dbt.type_string() }}) as powerschool_section_id,
        cast(s.teacher as {{ dbt.type_string() }}) as powerschool_teacher_id
    from sections as s
    left join courses as c on cast(c.course_number as {{ dbt.type_string() }}) = cast(s.course_number as {{ dbt.type_string() }})

)

select
    {{ section_id('school_id', 'school_year', 'term_code', 'course_number', 'section_number') }} as section_id,
    {{ course_id('school_id', 'course_number') }} as course_id,
    renamed.*
from renamed
