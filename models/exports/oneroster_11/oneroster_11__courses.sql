-- OneRoster 1.1 courses.csv: courses with a section this school year.
select
    {{ oneroster_id("course_id") }} as "sourcedId",
    cast(null as {{ dbt.type_string() }}) as "status",
    cast(null as {{ dbt.type_string() }}) as "dateLastModified",
    {{ oneroster_id("school_year_session_id") }} as "schoolYearSourcedId",
    course_title as "title",
    course_number as "courseCode",
    cast(null as {{ dbt.type_string() }}) as "grades",
    {{ oneroster_id("school_id") }} as "orgSourcedId",
    cast(null as {{ dbt.type_string() }}) as "subjects",
    cast(null as {{ dbt.type_string() }}) as "subjectCodes"
from {{ vendor_base('exports__current_courses', 'oneroster-1.1') }}
