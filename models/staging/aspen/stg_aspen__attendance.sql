-- Tonight's attendance_export, one row per file row. Flags come as 0/1 or true/false.
-- Duplicates and rows for unknown students are kept here and judged in int_attendance__events.
with

source as (select * from {{ source('raw_aspen', 'attendance') }})

select
    -- ids
    trim(local_id) as student_id,
    {{ clean_text('school_local_id') }} as school_id,

    -- dates
    {{ clean_text('event_date') }} as event_date_raw,
    {{ parse_date('event_date') }} as event_date,

    -- booleans
    coalesce({{ parse_bool('absence') }}, false) as is_absent,
    coalesce({{ parse_bool('tardy') }}, false) as is_tardy,
    coalesce({{ parse_bool('dismissed') }}, false) as is_dismissed,
    coalesce({{ parse_bool('excused') }}, false) as is_excused,

    -- strings
    {{ clean_text('reason') }} as reason,
    {{ clean_text('comment') }} as comment,

    -- lineage
    _record_number as record_number,
    {{ raw_lineage('raw_aspen', 'attendance', 'file_name') }} as file_name

from source
