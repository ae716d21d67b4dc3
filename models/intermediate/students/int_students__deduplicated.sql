-- One row per student from tonight's SIS export (int_students__decoded).
-- When a student has several rows (a mid-year transfer, a double entry), the winner is, in order:
--   1. an active row over an inactive one,
--   2. the latest registration_date (a missing date counts as oldest),
--   3. the row later in the file (higher record number: the SIS's most recent write).
-- The losing rows are listed in marts.dq_excluded_rows with reason 'duplicate_student_row'.
with

students as (

    select * from {{ ref('int_students__decoded') }}
    where student_id is not null and student_id <> ''

),

ranked as (

    select
        students.*,
        count(*) over (partition by student_id) as source_row_count,
        row_number() over (
            partition by student_id
            order by
                case when is_active then 0 else 1 end,
                case when registration_date is null then 1 else 0 end,
                registration_date desc,
                record_number desc
        ) as row_rank
    from students

)

select * from ranked
