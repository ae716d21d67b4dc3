{{ config(indexes=pg_indexes(['student_id'])) }}
{{ config(
    materialized=incremental_or_table(),
    unique_key='incident_id',
    incremental_strategy='delete+insert',
    on_schema_change='sync_all_columns',
    post_hook=["{{ delete_vanished_rows('incident_id', ref('int_discipline__judged'), 'exclusion_reason is null') }}"]
) }}
-- One row per student per incident. Exact repeats merged; unknown students and bad dates excluded.
with

incidents as (

    select * from {{ ref('int_discipline__judged') }}
    where exclusion_reason is null

)

select
    incident_id,
    student_id,
    school_id,
    event_date,
    incident_code,
    location,
    description,
    incident_time_raw,
    incident_hour,
    case
        when incident_hour is null then 'unknown'
        when incident_hour < 8 then 'before school'
        when incident_hour < 12 then 'morning'
        when incident_hour < 15 then 'afternoon'
        else 'after school'
    end as time_of_day,
    {{ weekday_name('event_date') }} as weekday,
    incident_id as row_hash
from incidents as upstream
{{ only_new_or_changed('upstream.incident_id') }}
