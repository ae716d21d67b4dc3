-- One row per active student: attendance this school year, discipline, latest STAR results.
-- Attendance rate = 1 - absent days / enrolled school days (school days on or after the later of
-- the registration date and the first school day). Chronically absent: absent on at least
-- var('chronic_absence_threshold') of enrolled days, counted once the student has 10 enrolled days.
with

students as (select * from {{ ref('dim_students') }} where is_active),
days as (select school_day, day_number from {{ ref('dim_school_days') }}),
day_count as (select count(*) as school_days, min(school_day) as first_day from days),

-- School days before each distinct entry date (few distinct dates: a small join).
entries as (

    select
        entry.entry_date,
        count(days.school_day) as days_before_entry
    from (select distinct coalesce(registration_date, cast('1900-01-01' as date)) as entry_date from students) as entry
    left join days on days.school_day < entry.entry_date
    group by entry.entry_date

),

events as (

    select
        e.student_id,
        sum(case when e.is_absent then 1 else 0 end) as absent_days,
        sum(case when e.is_absent and not e.is_excused then 1 else 0 end) as unexcused_absent_days,
        sum(case when e.is_tardy then 1 else 0 end) as tardy_days,
        sum(case when e.is_dismissed then 1 else 0 end) as dismissed_days,
        sum(case when e.is_absent and e.event_date > {{ dbt.dateadd('day', -45, as_of_date()) }} then 1 else 0 end)
            as absences_last_45_days
    from {{ ref('fct_attendance_events') }} as e
    inner join students as s on s.student_id = e.student_id
    inner join days on days.school_day = e.event_date
    where e.event_date >= coalesce(s.registration_date, cast('1900-01-01' as date))
    group by e.student_id

),

incidents as (

    select
        student_id,
        count(*) as incidents_this_year,
        sum(case when event_date > {{ dbt.dateadd('day', -45, as_of_date()) }} then 1 else 0 end) as incidents_last_45_days
    from {{ ref('fct_discipline_incidents') }}
    where event_date >= {{ date_from_year_mmdd(current_school_year() ~ ' - 1', "'07-01'") }}
    group by student_id

),

star_ranked as (

    select
        student_id, subject, percentile, performance_level, test_date,
        row_number() over (partition by student_id, subject order by test_date desc, result_id) as recency
    from {{ ref('fct_assessment_results') }}
    where source_system = 'star'

),

star as (

    select
        student_id,
        max(case when subject = 'Reading' then percentile end) as star_reading_percentile,
        max(case when subject = 'Reading' then performance_level end) as star_reading_band,
        max(case when subject = 'Reading' then test_date end) as star_reading_date,
        max(case when subject = 'Math' then percentile end) as star_math_percentile,
        max(case when subject = 'Math' then performance_level end) as star_math_band,
        max(case when subject = 'Math' then test_date end) as star_math_date
    from star_ranked
    where recency = 1
    group by student_id

),

combined as (

    select
        students.student_id,
        students.school_id,
        students.grade_level,
        students.gender,
        students.race,
        students.is_hispanic_latino,
        students.lunch_status,
        students.is_ell,
        students.has_iep,
        students.has_504_plan,
        day_count.school_days - coalesce(entries.days_before_entry, 0) as enrolled_days,
        coalesce(events.absent_days, 0) as absent_days,
        coalesce(events.unexcused_absent_days, 0) as unexcused_absent_days,
        coalesce(events.tardy_days, 0) as tardy_days,
        coalesce(events.dismissed_days, 0) as dismissed_days,
        coalesce(events.absences_last_45_days, 0) as absences_last_45_days,
        coalesce(incidents.incidents_this_year, 0) as incidents_this_year,
        coalesce(incidents.incidents_last_45_days, 0) as incidents_last_45_days,
        star.star_reading_percentile,
        star.star_reading_band,
        star.star_reading_date,
        star.star_math_percentile,
        star.star_math_band,
        star.star_math_date
    from students
    cross join day_count
    left join entries on entries.entry_date = coalesce(students.registration_date, cast('1900-01-01' as date))
    left join events on events.student_id = students.student_id
    left join incidents on incidents.student_id = students.student_id
    left join star on star.student_id = students.student_id

)

select
    combined.*,
    case when enrolled_days > 0
        then cast(enrolled_days - absent_days as {{ dbt.type_float() }}) / enrolled_days
    end as attendance_rate,
    enrolled_days >= 10
        and absent_days >= {{ var('chronic_absence_threshold') }} * enrolled_days as is_chronically_absent,
    {{ subgroup_label() }} as subgroup
from combined
