-- One row per course of a school (course numbers are per school); the title of its latest school year.
select
    course_id,
    school_id,
    course_number,
    course_title,
    latest_school_year
from (
    select
        course_id,
        school_id,
        course_number,
        course_title,
        max(school_year) over (partition by course_id) as latest_school_year,
        row_number() over (partition by course_id order by school_year desc, record_number desc) as course_rank
    from {{ ref('int_sections__deduplicated') }}
    where row_rank = 1
) as ranked
where course_rank = 1
