-- One attendance event per student per day from the rows that passed int_attendance__judged.
-- Duplicate rows for a day are merged: a flag is true when any row says so (a student marked
-- absent in one row and tardy in another was both); reason and comment come from the first row.
with

valid as (

    select * from {{ ref('int_attendance__judged') }}
    where exclusion_reason is null

),

merged as (

    select
        student_id,
        event_date,
        max(school_id) as school_id,
        {{ dbt.bool_or('is_absent') }} as is_absent,
        {{ dbt.bool_or('is_tardy') }} as is_tardy,
        {{ dbt.bool_or('is_dismissed') }} as is_dismissed,
        {{ dbt.bool_or('is_excused') }} as is_excused,
        max(case when row_in_day = 1 then reason end) as reason,
        max(case when row_in_day = 1 then comment end) as comment,
        count(*) as source_row_count,
        min(record_number) as record_number,
        max(file_name) as file_name
    from valid
    group by student_id, event_date

)

select
    {{ dbt.concat(['student_id', "'|'", "cast(event_date as " ~ dbt.type_string() ~ ")"]) }} as attendance_event_id,
    merged.*,
    -- The hash covers the key and every value the fact keeps, so any change re-inserts the event.
    {{ row_hash(['student_id', 'event_date', 'school_id', 'is_absent', 'is_tardy', 'is_dismissed', 'is_excused', 'reason', 'comment', 'source_row_count']) }} as row_hash
from merged
