-- Tonight's courses_sections_export. Course and section numbers are reused across years, so a
-- section is identified by (school, school year, term, course, section number).
with

source as (select * from {{ source('raw_aspen', 'courses_sections') }}),

renamed as (

    select
        -- ids
        {{ clean_text('school_local_id') }} as school_id,
        {{ clean_text('course_number') }} as course_number,
        {{ clean_text('section_number') }} as section_number,
        upper({{ clean_text('term_local_id') }}) as term_code,
        {{ parse_int('district_school_year') }} as school_year,

        -- strings
        {{ clean_text('course_description') }} as course_title,
        {{ clean_text('section_schedule') }} as schedule,
        {{ clean_text('section_room_number') }} as room,

        -- lineage
        _record_number as record_number,
        {{ raw_lineage('raw_aspen', 'courses_sections', 'file_name') }} as file_name

    from source

)

select
    {{ section_id('school_id', 'school_year', 'term_code', 'course_number', 'section_number') }} as section_id,
    {{ course_id('school_id', 'course_number') }} as course_id,
    renamed.*
from renamed
