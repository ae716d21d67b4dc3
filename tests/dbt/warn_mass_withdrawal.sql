-- Checks: tonight's export did not make more than 5% of yesterday's active students inactive or
--   vanish at once.
-- When it matters: a typo in one status code once made 1,052 students look withdrawn; vendors
--   would then delete those students. The export shrink guard is the last line; this is the first.
-- How to resolve: look at enrollment_status_raw of the students in snap_students closed tonight;
--   if a code is new, add it to seeds/xwalk_enrollment_status.csv; if the export is broken, reload
--   yesterday's file (archive/) and ask the district for a corrected export.
{{ config(severity='warn') }}
with

last_change as (select max(dbt_valid_to) as at from {{ ref('snap_students') }}),

closed_tonight as (
    select s.student_id
    from {{ ref('snap_students') }} as s
    cross join last_change
    where s.dbt_valid_to = last_change.at and s.is_active
),

now_inactive as (
    select c.student_id
    from closed_tonight as c
    left join {{ ref('dim_students') }} as d on d.student_id = c.student_id
    where d.student_id is null or not d.is_active
),

active_before as (
    select count(*) as n
    from {{ ref('snap_students') }} as s
    cross join last_change
    where s.is_active and s.dbt_valid_from < last_change.at
      and (s.dbt_valid_to is null or s.dbt_valid_to >= last_change.at)
),

-- Two one-row counts, then compared: counting the students lost across a join with the count before
-- made PostgreSQL count all active students again for each student lost (66 s at 1,000,000).
lost as (select count(*) as n from now_inactive)

select lost.n as students_lost, active_before.n as active_before
from lost cross join active_before
where lost.n > 0.05 * active_before.n
