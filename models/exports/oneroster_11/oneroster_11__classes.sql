-- OneRoster 1.1 classes.csv: this school year's sections; homerooms are classType homeroom.
select
    section_id as "sourcedId",
    cast(null as {{ dbt.type_string() }}) as "status",
    cast(null as {{ dbt.type_string() }}) as "dateLastModified",
    section_title as "title",
    cast(null as {{ dbt.type_string() }}) as "grades",
    course_id as "courseSourcedId",
    section_number as "classCode",
    case when is_homeroom then 'homeroom' else 'scheduled' end as "classType",
    room as "location",
    school_id as "schoolSourcedId",
    term_session_id as "termSourcedIds",
    cast(null as {{ dbt.type_string() }}) as "subjects",
    cast(null as {{ dbt.type_string() }}) as "subjectCodes",
    period as "periods"
from {{ ref('exports__current_sections') }}
