-- SDS V2.1 academicSessions.csv: the current school year and the terms its classes use.
select
    session_id as "sourcedId",
    title as "title",
    session_type as "type",
    cast(school_year as {{ dbt.type_string() }}) as "schoolYear",
    start_date_text as "startDate",
    end_date_text as "endDate"
from {{ vendor_base('exports__current_sessions', 'sds-v2.1') }}
