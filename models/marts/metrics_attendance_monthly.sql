-- Monthly absence by school and grade: absent student-days over enrolled student-days in the month.
-- Enrolled student-days count today's active students on every school day of the month on or after
-- their registration date.
with

students as (select student_id, school_id, grade_level, registration_date from {{ ref('dim_students') }} where is_active),
days as (select school_day, school_month from {{ ref('dim_school_days') }}),

enrolled as (

    select students.school_id, students.grade_level, days.school_month, count(*) as enrolled_student_days
    from students
    inner join days on days.school_day >= coalesce(students.registration_date, cast('1900-01-01' as date))
    group by students.school_id, students.grade_level, days.school_month

),

absences as (

    select students.school_id, students.grade_level, days.school_month, count(*) as absent_student_days
    from {{ ref('fct_attendance_events') }} as e
    inner join students on students.student_id = e.student_id
    inner join days on days.school_day = e.event_date
    where e.is_absent
    group by students.school_id, students.grade_level, days.school_month

)

select
    enrolled.school_id,
    enrolled.grade_level,
    enrolled.school_month,
    enrolled.enrolled_student_days,
    coalesce(absences.absent_student_days, 0) as absent_student_days
from enrolled
left join absences
    on absences.school_id = enrolled.school_id
    and absences.grade_level = enrolled.grade_level
    and absences.school_month = enrolled.school_month
