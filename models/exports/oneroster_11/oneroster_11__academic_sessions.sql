-- OneRoster 1.1 academicSessions.csv: the current school year and the terms its classes use.
select
    {{ oneroster_id("session_id") }} as "sourcedId",
    cast(null as {{ dbt.type_string() }}) as "status",
    cast(null as {{ dbt.type_string() }}) as "dateLastModified",
    title as "title",
    session_type as "type",
    start_date_text as "startDate",
    end_date_text as "endDate",
    {{ oneroster_id("parent_session_id") }} as "parentSourcedId",
    cast(school_year as {{ dbt.type_string() }}) as "schoolYear"
from {{ vendor_base('exports__current_sessions', 'oneroster-1.1') }}
