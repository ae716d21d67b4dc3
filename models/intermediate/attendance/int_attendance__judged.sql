{#- A table, not a view: the fact, its delete of vanished rows and dq_excluded_rows each read it,
    and as a view every one of them parsed and judged tonight's file again (on PostgreSQL, 25 to
    40 s each at 50,000 students). -#}
{{ config(materialized='table') }}
-- Every staged attendance row with the reason it is excluded, if any:
--   unknown_student  the local id is not in tonight's students export (any status);
--   bad_date         no real date, after the as-of date, or before July 1 of the school year before last;
--   duplicate_merged another row for the same student and day (kept, merged into one event).
with

attendance as (select * from {{ ref('stg_aspen__attendance') }}),
students as (select student_id from {{ ref('dim_students') }}),

judged as (

    select
        attendance.*,
        {{ event_exclusion_reason('students.student_id', 'attendance.event_date') }} as exclusion_reason
    from attendance
    left join students on students.student_id = attendance.student_id

)

select
    judged.*,
    case when exclusion_reason is null then
        row_number() over (partition by student_id, event_date, exclusion_reason order by record_number)
    end as row_in_day
from judged
