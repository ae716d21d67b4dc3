-- Sections of the current school year only (never last year's), at a school in exports__orgs,
-- with their term (the school year itself when the term code is unknown) and active teachers.
with

sections as (

    select * from {{ ref('dim_sections') }}
    where is_current_school_year

),

schools as (select org_id from {{ ref('exports__orgs') }} where is_school),

sessions as (select * from {{ ref('dim_academic_sessions') }}),

teachers as (

    select
        section_id,
        count(*) as active_teacher_count
    from {{ ref('fct_section_enrollments') }}
    where role = 'teacher' and is_current
    group by section_id

)

select
    -- ids
    sections.section_id,
    sections.course_id,
    sections.school_id,
    coalesce(sections.term_session_id, sections.school_year_session_id) as term_session_id,
    sections.school_year_session_id,

    -- strings
    sections.course_number,
    sections.section_number,
    sections.course_title,
    sections.section_title,
    sections.period,
    sections.room,
    terms.title as term_title,
    -- Homerooms (period HR or a course called Homeroom) are OneRoster's 'homeroom' class type.
    upper(coalesce(sections.period, '')) = 'HR'
        or upper(coalesce(sections.course_title, '')) like 'HOMEROOM%' as is_homeroom,

    -- dates
    sections.school_year,
    terms.start_date as term_start_date,
    terms.end_date as term_end_date,
    {{ iso_date_text('terms.start_date') }} as term_start_date_text,
    {{ iso_date_text('terms.end_date') }} as term_end_date_text,

    -- teachers
    coalesce(teachers.active_teacher_count, 0) as active_teacher_count

from sections
inner join schools on schools.org_id = sections.school_id
left join sessions as terms
    on terms.session_id = coalesce(sections.term_session_id, sections.school_year_session_id)
left join teachers on teachers.section_id = sections.section_id
