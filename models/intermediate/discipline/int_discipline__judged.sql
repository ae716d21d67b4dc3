{#- A table, not a view: the fact, its delete of vanished rows and dq_excluded_rows each read it,
    and as a view every one of them parsed and judged tonight's file again (on PostgreSQL, 25 to
    40 s each at 50,000 students). -#}
{{ config(materialized='table') }}
-- Every staged behavior row with its exclusion reason (unknown_student, bad_date, duplicate_merged).
with

behavior as (select * from {{ ref('stg_aspen__behavior') }}),
students as (select student_id from {{ ref('dim_students') }}),

judged as (

    select
        behavior.*,
        {{ row_hash(['behavior.student_id', 'behavior.event_date', 'behavior.incident_code', 'behavior.incident_time_raw', 'behavior.location', 'behavior.description']) }} as incident_id,
        {{ event_exclusion_reason('students.student_id', 'behavior.event_date') }} as base_exclusion
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
