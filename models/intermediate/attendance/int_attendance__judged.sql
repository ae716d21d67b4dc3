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
        case
            when students.student_id is null then 'unknown_student'
            when attendance.event_date is null then 'bad_date'
            when attendance.event_date > {{ as_of_date() }} then 'bad_date'
            when attendance.event_date < {{ date_from_year_mmdd(current_school_year() ~ ' - 2', "'07-01'") }} then 'bad_date'
        end as exclusion_reason
    from attendance
    left join students on students.student_id = attendance.student_id

)

select
    judged.*,
    case when exclusion_reason is null then
        row_number() over (partition by student_id, event_date, exclusion_reason order by record_number)
    end as row_in_day
from judged
