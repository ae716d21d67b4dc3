-- PowerSchool sections in the columns of stg_aspen__courses_sections. A section's term is the
-- terms row with its termid at its school (terms are per school): the year-long term (id ending
-- in 00) is FY, the others go by their abbreviation (S1, S2, Q1 … Q4, T1 … T3); the school year is
-- yearid + 1991 (36 = 2026-27). The teacher is the schoolstaff row sections.teacher names.
with

sections as (select * from {{ source('raw_powerschool', 'sections') }}),
courses as (select * from {{ source('raw_powerschool', 'courses') }}),
terms as (select * from {{ source('raw_powerschool', 'terms') }}),

renamed as (

    select
        cast(sections.schoolid as {{ dbt.type_string() }}) as school_id,
        {{ clean_text('sections.course_number') }} as course_number,
        {{ clean_text('sections.section_number') }} as section_number,
        case
            when mod(sections.termid, 100) = 0 then 'FY'
            else upper({{ clean_text('terms.abbreviation') }})
        end as term_code,
        cast(coalesce(terms.yearid, floor(sections.termid / 100)) as integer) + 1991 as school_year,
        {{ clean_text('courses.course_name') }} as course_title,
        {{ clean_text('sections.expression') }} as schedule,
        {{ clean_text('sections.room') }} as room,
        sections.id as record_number,
        'powerschool.sections' as file_name,
        sections.id as powerschool_section_id,
        sections.teacher as powerschool_schoolstaff_id,
        terms.lastday as term_last_day
    from sections
    left join courses on courses.course_number = sections.course_number
    left join terms on terms.id = sections.termid and terms.schoolid = sections.schoolid

)

select
    {{ section_id('school_id', 'school_year', 'term_code', 'course_number', 'section_number') }} as section_id,
    {{ course_id('school_id', 'course_number') }} as course_id,
    renamed.*
from renamed
