{{ config(indexes=pg_indexes(['student_id'])) }}
-- Who needs attention today, and why: one row per active student (the metrics_students population)
-- with a flag per reason, the reasons in words, and the latest state test beside STAR. The dashboards'
-- home page lists the students with a reason; the thresholds are dbt vars (attention_*), so a
-- district changes them in one place.
with

students as (select * from {{ ref('metrics_students') }}),

state_ranked as (

    select
        student_id, subject, performance_level, scale_score, school_year,
        row_number() over (partition by student_id, subject order by test_date desc, result_id) as recency
    from {{ ref('fct_assessment_results') }}
    where source_system = 'aspen' and subject in ('ELA', 'Math')

),

state_tests as (

    select
        student_id,
        max(case when subject = 'ELA' then performance_level end) as state_test_ela_level,
        max(case when subject = 'Math' then performance_level end) as state_test_math_level,
        max(case when subject = 'ELA' then scale_score end) as state_test_ela_scale_score,
        max(case when subject = 'Math' then scale_score end) as state_test_math_scale_score,
        max(school_year) as state_test_school_year
    from state_ranked
    where recency = 1
    group by student_id

),

flagged as (

    select
        students.student_id,
        students.school_id,
        students.grade_level,
        students.subgroup,
        students.homeroom,
        students.absences_last_45_days,
        students.tardies_last_45_days,
        students.absent_days,
        students.tardy_days,
        students.enrolled_days,
        students.attendance_rate,
        students.is_chronically_absent,
        students.incidents_this_year,
        students.incidents_last_45_days,
        students.last_incident_date,
        students.star_reading_band,
        students.star_reading_percentile,
        students.star_math_band,
        students.star_math_percentile,
        state_tests.state_test_ela_level,
        state_tests.state_test_math_level,
        state_tests.state_test_ela_scale_score,
        state_tests.state_test_math_scale_score,
        state_tests.state_test_school_year,
        coalesce(students.has_iep, false) as has_iep,
        coalesce(students.has_504_plan, false) as has_504_plan,
        coalesce(students.is_ell, false) as is_ell,
        students.absences_last_45_days >= {{ var('attention_absences_45_days') }} as is_absence_alert,
        coalesce(students.is_chronically_absent, false) as is_chronic_alert,
        students.tardies_last_45_days >= {{ var('attention_tardies_45_days') }} as is_tardy_alert,
        students.incidents_last_45_days >= {{ var('attention_incidents_45_days') }} as is_incident_alert,
        coalesce({{ in_list('students.star_reading_band', var('attention_star_bands')) }}, false) as is_star_reading_alert,
        coalesce({{ in_list('students.star_math_band', var('attention_star_bands')) }}, false) as is_star_math_alert,
        coalesce({{ in_list('state_tests.state_test_ela_level', var('attention_state_test_levels')) }}, false)
            as is_state_ela_alert,
        coalesce({{ in_list('state_tests.state_test_math_level', var('attention_state_test_levels')) }}, false)
            as is_state_math_alert,
        least(
            {{ star_band_rank('students.star_reading_band') }},
            {{ star_band_rank('students.star_math_band') }}
        ) as star_band_rank
    from students
    left join state_tests on state_tests.student_id = students.student_id

),

reasons as (

    select
        flagged.*,
        is_star_reading_alert or is_star_math_alert as is_star_alert,
        is_state_ela_alert or is_state_math_alert as is_state_test_alert,
        case when is_absence_alert then {{ attention_count('absences_last_45_days', 'absence', 'absences') }} end as absence_reason,
        case when is_chronic_alert then {{ dbt.concat(["'chronically absent ('",
            "cast(cast(round(100.0 * absent_days / enrolled_days) as " ~ dbt.type_int() ~ ") as " ~ dbt.type_string() ~ ")",
            "'% of days)'"]) }} end as chronic_reason,
        case when is_tardy_alert then {{ attention_count('tardies_last_45_days', 'tardy', 'tardies') }} end as tardy_reason,
        case when is_incident_alert then {{ attention_count('incidents_last_45_days', 'incident', 'incidents') }} end as incident_reason,
        case when is_star_reading_alert then {{ dbt.concat(["'STAR Reading: '", 'star_reading_band']) }} end as star_reading_reason,
        case when is_star_math_alert then {{ dbt.concat(["'STAR Math: '", 'star_math_band']) }} end as star_math_reason,
        case when is_state_ela_alert then {{ dbt.concat(["'State test ELA: '", 'state_test_ela_level']) }} end as state_ela_reason,
        case when is_state_math_alert then {{ dbt.concat(["'State test Math: '", 'state_test_math_level']) }} end as state_math_reason
    from flagged

)

select
    student_id,
    school_id,
    grade_level,
    subgroup,
    homeroom,
    absences_last_45_days,
    tardies_last_45_days,
    absent_days,
    tardy_days,
    enrolled_days,
    attendance_rate,
    is_chronically_absent,
    incidents_this_year,
    incidents_last_45_days,
    last_incident_date,
    star_reading_band,
    star_reading_percentile,
    star_math_band,
    star_math_percentile,
    state_test_ela_level,
    state_test_math_level,
    state_test_ela_scale_score,
    state_test_math_scale_score,
    state_test_school_year,
    has_iep,
    has_504_plan,
    is_ell,
    is_absence_alert,
    is_chronic_alert,
    is_tardy_alert,
    is_incident_alert,
    is_star_alert,
    is_state_test_alert,
    star_band_rank,
    {% set flags = ['is_absence_alert', 'is_chronic_alert', 'is_tardy_alert', 'is_incident_alert', 'is_star_alert', 'is_state_test_alert'] %}
    {% for f in flags %}(case when {{ f }} then 1 else 0 end){% if not loop.last %} + {% endif %}{% endfor %} as attention_reason_count,
    {% for f in flags %}{{ f }}{% if not loop.last %} or {% endif %}{% endfor %} as is_needing_attention,
    nullif(concat_ws('; ', absence_reason, chronic_reason, tardy_reason, incident_reason, star_reading_reason,
                     star_math_reason, state_ela_reason, state_math_reason), '') as attention_reasons
from reasons
