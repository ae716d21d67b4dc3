-- OneRoster 1.1 classes.csv: this school year's sections; homerooms are classType homeroom.
select
    {{ oneroster_id("section_id") }} as "sourcedId",
    cast(null as {{ dbt.type_string() }}) as "status",
    cast(null as {{ dbt.type_string() }}) as "dateLastModified",
    section_title as "title",
    cast(null as {{ dbt.type_string() }}) as "grades",
    {{ oneroster_id("course_id") }} as "courseSourcedId",
    -- Unique within the school and term (importers such as Moodle's make it the course's short
    -- name): the course number and the section number, not the section number alone ("001").
    case
        when section_number is null then section_id
        else {{ dbt.concat(["coalesce(course_number, course_id)", "'-'", "section_number"]) }}
    end as "classCode",
    case when is_homeroom then 'homeroom' else 'scheduled' end as "classType",
    room as "location",
    {{ oneroster_id("school_id") }} as "schoolSourcedId",
    {{ oneroster_id("term_session_id") }} as "termSourcedIds",
    cast(null as {{ dbt.type_string() }}) as "subjects",
    cast(null as {{ dbt.type_string() }}) as "subjectCodes",
    -- periods are period numbers (importers such as Moodle's take integers only): the SIS's "2(B)"
    -- (period 2, day B) is 2; "HR" has none (the homeroom is classType homeroom).
    {{ first_group('period', '^([0-9]*)') }} as "periods"
from {{ vendor_base('exports__current_sections', 'oneroster-1.1') }}
