-- Tonight's student_section_assignment_export: which student sits in which section.
with

source as (select * from {{ source('raw_aspen', 'student_section_assignments') }}),

renamed as (

    select
        trim(local_id) as student_id,
        {{ clean_text('school_local_id') }} as school_id,
        {{ clean_text('course_number') }} as course_number,
        {{ clean_text('section_number') }} as section_number,
        upper({{ clean_text('term_local_id') }}) as term_code,
        -- Older exports have no district_school_year: their assignments are this school year's.
        coalesce({{ parse_int('district_school_year') }}, case when {{ clean_text('district_school_year') }} is null then {{ current_school_year() }} end) as school_year,
        _record_number as record_number,
        {{ raw_lineage('raw_aspen', 'student_section_assignments', 'file_name') }} as file_name
    from source

)

select
    {{ section_id('school_id', 'school_year', 'term_code', 'course_number', 'section_number') }} as section_id,
    renamed.*
from renamed
