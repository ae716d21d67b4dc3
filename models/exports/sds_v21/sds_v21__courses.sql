-- SDS V2.1 courses.csv: courses with a section this school year.
select
    course_id as "sourcedId",
    school_id as "orgSourcedId",
    course_title as "title",
    course_number as "code",
    school_year_session_id as "schoolYearSourcedId",
    cast(null as {{ dbt.type_string() }}) as "subject",
    cast(null as {{ dbt.type_string() }}) as "grade"
from {{ vendor_base('exports__current_courses', 'sds-v2.1') }}
