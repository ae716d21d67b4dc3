-- Attendance per active student and month of this school year: the one place the attendance rule
-- lives (metrics_students and metrics_attendance_monthly add these rows up). A student is enrolled
-- on every school day on or after their registration date; an attendance event counts only on such
-- a day. The dashboards sum rows for any permitted set of students (a teacher's sections, a subgroup).
with

students as (

    select student_id, school_id, grade_level, coalesce(registration_date, cast('1900-01-01' as date)) as entry_date
    from {{ ref('dim_students') }}
    where is_active

),

days as (select school_day, school_month from {{ ref('dim_school_days') }}),

-- School days of each month on or after each distinct entry date (few distinct dates: a small join,
-- where students × school days would not be).
entry_months as (

    select entry.entry_date, days.school_month, count(*) as enrolled_days
    from (select distinct entry_date from students) as entry
    inner join days on days.school_day >= entry.entry_date
    group by entry.entry_date, days.school_month

),

events as (

    select
        e.student_id,
        days.school_month,
        sum(case when e.is_absent then 1 else 0 end) as absent_days,
        sum(case when e.is_absent and not e.is_excused then 1 else 0 end) as unexcused_absent_days,
        sum(case when e.is_tardy then 1 else 0 end) as tardy_days,
        sum(case when e.is_dismissed then 1 else 0 end) as dismissed_days,
        sum(case when e.is_absent and e.event_date > {{ dbt.dateadd('day', -45, as_of_date()) }} then 1 else 0 end)
            as absences_last_45_days,
        sum(case when e.is_tardy and e.event_date > {{ dbt.dateadd('day', -45, as_of_date()) }} then 1 else 0 end)
            as tardies_last_45_days
    from {{ ref('fct_attendance_events') }} as e
    inner join students on students.student_id = e.student_id
    inner join days on days.school_day = e.event_date
    where e.event_date >= students.entry_date
    group by e.student_id, days.school_month

)

select
    {{ dbt.concat(['students.student_id', "'|'", 'cast(entry_months.school_month as ' ~ dbt.type_string() ~ ')']) }} as student_month_id,
    students.student_id,
    students.school_id,
    students.grade_level,
    entry_months.school_month,
    entry_months.enrolled_days,
    coalesce(events.absent_days, 0) as absent_days,
    coalesce(events.unexcused_absent_days, 0) as unexcused_absent_days,
    coalesce(events.tardy_days, 0) as tardy_days,
    coalesce(events.dismissed_days, 0) as dismissed_days,
    coalesce(events.absences_last_45_days, 0) as absences_last_45_days,
    coalesce(events.tardies_last_45_days, 0) as tardies_last_45_days
from students
inner join entry_months on entry_months.entry_date = students.entry_date
left join events
    on events.student_id = students.student_id
    and events.school_month = entry_months.school_month
