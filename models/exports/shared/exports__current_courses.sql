-- Courses that have a section this school year, with the school that offers them.
select
    courses.course_id,
    courses.school_id,
    courses.course_number,
    courses.course_title,
    min(sections.school_year_session_id) as school_year_session_id
from {{ ref('dim_courses') }} as courses
inner join {{ ref('exports__current_sections') }} as sections on sections.course_id = courses.course_id
group by courses.course_id, courses.school_id, courses.course_number, courses.course_title
