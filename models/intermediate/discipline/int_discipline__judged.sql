-- Every staged behavior row with its exclusion reason (unknown_student, bad_date, duplicate_merged).
with

behavior as (select * from {{ ref('stg_aspen__behavior') }}),
students as (select student_id from {{ ref('dim_students') }}),

judged as (

    select
        behavior.*,
        {{ row_hash(['behavior.student_id', 'behavior.event_date', 'behavior.incident_code', 'behavior.incident_time_raw', 'behavior.location', 'behavior.description']) }} as incident_id,
        case
            when students.student_id is null then 'unknown_student'
            when behavior.event_date is null then 'bad_date'
            when behavior.event_date > {{ as_of_date() }} then 'bad_date'
            when behavior.event_date < {{ date_from_year_mmdd(current_school_year() ~ ' - 2', "'07-01'") }} then 'bad_date'
        end as base_exclusion
    from behavior
    left join students on students.student_id = behavior.student_id

)

select
    judged.*,
    coalesce(
        base_exclusion,
        case when row_number() over (partition by incident_id, base_exclusion order by record_number) > 1
            then 'duplicate_merged' end
    ) as exclusion_reason
from judged
