{{ config(indexes=pg_indexes(['student_id'], ['school_id'])) }}
-- Each student's enrollment at a school: when it began, when and why it ended.
-- Entry is the registration date; the exit is the first night the snapshot saw the student
-- inactive or gone (the SIS export carries no exit date), with the SIS status as the reason.
with

students as (select * from {{ ref('dim_students') }}),

history as (

    select
        student_id,
        school_id,
        is_active,
        enrollment_status_raw,
        dbt_valid_from,
        dbt_valid_to
    from {{ student_history() }} as versions

),

stints as (

    -- One stint per student and school: the first and last night seen there, and the first night seen inactive.
    select
        student_id,
        school_id,
        min(dbt_valid_from) as first_seen_at,
        min(case when not is_active then dbt_valid_from end) as first_inactive_at,
        max(case when dbt_valid_to is null then 1 else 0 end) = 1 as is_open_record
    from history
    group by student_id, school_id

)

select
    {{ dbt.concat(['stints.student_id', "'|'", 'stints.school_id']) }} as school_enrollment_id,
    stints.student_id,
    stints.school_id,
    coalesce(
        case when students.school_id = stints.school_id then students.registration_date end,
        cast(stints.first_seen_at as date)
    ) as entry_date,
    case
        when students.school_id = stints.school_id and students.is_active then null
        else cast(coalesce(stints.first_inactive_at, stints.first_seen_at) as date)
    end as exit_date,
    case
        when students.student_id is null then 'no longer in the SIS export'
        when students.school_id <> stints.school_id then 'moved to another school'
        when not students.is_active then students.enrollment_status_raw
    end as exit_reason,
    -- A registration date after the as-of date is not an enrollment yet (listed in dq_invalid_values).
    students.school_id = stints.school_id and students.is_active
        and coalesce(students.registration_date <= {{ as_of_date() }}, true) as is_current
from stints
left join students on students.student_id = stints.student_id
where stints.school_id is not null
