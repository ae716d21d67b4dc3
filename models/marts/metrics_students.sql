{{ config(indexes=pg_indexes(['student_id'])) }}
-- One row per active student: attendance and tardies this school year, discipline, latest STAR results.
-- Attendance rate = 1 - absent days / enrolled school days (school days on or after the
-- registration date; see metrics_student_months). Chronically absent: absent on at least
-- var('chronic_absence_threshold') of enrolled days, counted once the student has 10 enrolled days.
with

students as (select * from {{ ref('dim_students') }} where is_active),

-- The year so far: the sums of the student's months (the attendance rule lives in metrics_student_months).
attendance as (

    select
        student_id,
        sum(enrolled_days) as enrolled_days,
        sum(absent_days) as absent_days,
        sum(unexcused_absent_days) as unexcused_absent_days,
        sum(tardy_days) as tardy_days,
        sum(dismissed_days) as dismissed_days,
        sum(absences_last_45_days) as absences_last_45_days,
        sum(tardies_last_45_days) as tardies_last_45_days
    from {{ ref('metrics_student_months') }}
    group by student_id

),

incidents as (

    select
        student_id,
        count(*) as incidents_this_year,
        sum(case when event_date > {{ dbt.dateadd('day', -45, as_of_date()) }} then 1 else 0 end) as incidents_last_45_days,
        max(event_date) as last_incident_date
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
        students.homeroom,
        coalesce(attendance.enrolled_days, 0) as enrolled_days,
        coalesce(attendance.absent_days, 0) as absent_days,
        coalesce(attendance.unexcused_absent_days, 0) as unexcused_absent_days,
        coalesce(attendance.tardy_days, 0) as tardy_days,
        coalesce(attendance.dismissed_days, 0) as dismissed_days,
        coalesce(attendance.absences_last_45_days, 0) as absences_last_45_days,
        coalesce(attendance.tardies_last_45_days, 0) as tardies_last_45_days,
        coalesce(incidents.incidents_this_year, 0) as incidents_this_year,
        coalesce(incidents.incidents_last_45_days, 0) as incidents_last_45_days,
        incidents.last_incident_date,
        star.star_reading_percentile,
        star.star_reading_band,
        star.star_reading_date,
        star.star_math_percentile,
        star.star_math_band,
        star.star_math_date
    from students
    left join attendance on attendance.student_id = students.student_id
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
