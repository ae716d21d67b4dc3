-- Checks: every attendance row loaded tonight is either part of an event in fct_attendance_events
--   or listed in dq_excluded_rows with a reason. Nothing disappears unexplained.
-- When it matters: always; a failure means a model drops rows silently (our bug, not the district's).
-- How to resolve: compare int_attendance__judged with fct_attendance_events for the missing rows
--   and give the rule that drops them an exclusion_reason.
with

loaded as (select count(*) as n from {{ source('raw_aspen', 'attendance') }}),
in_events as (select coalesce(sum(source_row_count), 0) as n from {{ ref('fct_attendance_events') }}),
excluded as (
    select count(*) as n from {{ ref('dq_excluded_rows') }}
    where entity = 'attendance' and reason in ('unknown_student', 'bad_date')
)

select loaded.n as loaded_rows, in_events.n as rows_in_events, excluded.n as excluded_rows
from loaded cross join in_events cross join excluded
where loaded.n <> in_events.n + excluded.n
