-- Attendance per active student and month of this school year, so the dashboards can build the
-- monthly trend for any permitted set of students (a teacher's sections, a subgroup) by summing
-- rows. Enrolled days: school days of the month on or after the registration date, as in
-- metrics_attendance_monthly; absent days: absence events on those days.
with

students as (

    select student_id, school_id, grade_level, registration_date
    from {{ ref('dim_students') }}
    where is_active

),

days as (select school_day, school_month from {{ ref('dim_school_days') }}),

enrolled as (

    select students.student_id, days.school_month, count(*) as enrolled_days
    from students
    inner join days on days.school_day >= coalesce(students.registration_date, cast('1900-01-01' as date))
    group by students.student_id, days.school_month

),

absences as (

    select e.student_id, days.school_month, count(*) as absent_days
    from {{ ref('fct_attendance_events') }} as e
    inner join students on students.student_id = e.student_id
    inner join days on days.school_day = e.event_date
    where e.is_absent
        and e.event_date >= coalesce(students.registration_date, cast('1900-01-01' as date))
    group by e.student_id, days.school_month

)

select
    {{ dbt.concat(['enrolled.student_id', "'|'", 'cast(enrolled.school_month as ' ~ dbt.type_string() ~ ')']) }} as student_month_id,
    enrolled.student_id,
    students.school_id,
    students.grade_level,
    enrolled.school_month,
    enrolled.enrolled_days,
    coalesce(absences.absent_days, 0) as absent_days
from enrolled
inner join students on students.student_id = enrolled.student_id
left join absences
    on absences.student_id = enrolled.student_id
    and absences.school_month = enrolled.school_month
