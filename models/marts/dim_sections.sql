-- One row per section. Course and section numbers are reused every year, so a section is unique by
-- (school, school year, term, course, section number) and its id spells those out.
with

sections as (

    select * from {{ ref('int_sections__deduplicated') }}
    where row_rank = 1

),

sessions as (

    select * from {{ ref('dim_academic_sessions') }}
    where term_code is not null

),

teachers as (

    select section_id, count(distinct person_id) as teacher_count
    from {{ ref('int_sis__section_assignments') }}
    where role = 'teacher'
    group by section_id

)

select
    -- ids
    sections.section_id,
    sections.course_id,
    sections.school_id,
    sessions.session_id as term_session_id,
    cast(sections.school_year as {{ dbt.type_string() }}) as school_year_session_id,

    -- strings
    sections.course_number,
    sections.section_number,
    sections.course_title,
    {{ dbt.concat(['sections.course_title', "' - '", 'sections.section_number']) }} as section_title,
    sections.term_code,
    sections.schedule as period,
    sections.room,

    -- dates
    sections.school_year,
    sessions.start_date as term_start_date,
    sessions.end_date as term_end_date,

    -- flags
    sections.school_year = {{ current_school_year() }} as is_current_school_year,
    coalesce({{ as_of_date() }} between sessions.start_date and sessions.end_date, false) as is_in_progress,
    coalesce(teachers.teacher_count, 0) as teacher_count,
    sessions.session_id is null as has_unknown_term,

    -- lineage
    sections.file_name,
    sections.record_number

from sections
left join sessions
    on sessions.school_year = sections.school_year
    and sessions.term_code = sections.term_code
left join teachers on teachers.section_id = sections.section_id
