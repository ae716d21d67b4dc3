-- Tonight's behavior_export: one row per student involved in an incident.
with

source as (select * from {{ source('raw_aspen', 'behavior') }})

select
    -- ids
    trim(local_id) as student_id,
    {{ clean_text('school_local_id') }} as school_id,

    -- strings
    upper({{ clean_text('incident_code') }}) as incident_code,
    {{ clean_text('incident_location') }} as location,
    {{ clean_text('incident_description') }} as description,
    {{ clean_text('incident_time') }} as incident_time_raw,

    -- dates and times
    {{ clean_text('event_date') }} as event_date_raw,
    {{ parse_date('event_date') }} as event_date,
    {{ parse_hour('incident_time') }} as incident_hour,

    -- lineage
    _record_number as record_number,
    {{ raw_lineage('raw_aspen', 'behavior', 'file_name') }} as file_name

from source
