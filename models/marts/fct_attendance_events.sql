{{ config(indexes=pg_indexes(['student_id'])) }}
{{ config(
    materialized=incremental_or_table(),
    unique_key='attendance_event_id',
    incremental_strategy='delete+insert',
    on_schema_change='sync_all_columns',
    post_hook=["{{ delete_vanished_rows('attendance_event_id', ref('int_attendance__events')) }}"]
) }}
-- One row per student per school day with an attendance event (absent, tardy, dismissed).
-- Duplicates merged, rows for unknown students and missing, future or implausibly old dates
-- excluded (see dq_excluded_rows). Incremental: a night writes only new or changed events, and
-- events deleted in the SIS are deleted here.
select
    attendance_event_id,
    student_id,
    school_id,
    event_date,
    is_absent,
    is_tardy,
    is_dismissed,
    is_excused,
    reason,
    comment,
    source_row_count,
    row_hash
from {{ ref('int_attendance__events') }} as upstream
{{ only_new_or_changed('upstream.row_hash') }}
