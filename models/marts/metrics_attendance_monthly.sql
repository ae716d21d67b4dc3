-- Monthly absence by school and grade: absent student-days over enrolled student-days, the sums of
-- metrics_student_months (today's active students; the attendance rule lives there).
select
    school_id,
    grade_level,
    school_month,
    sum(enrolled_days) as enrolled_student_days,
    sum(absent_days) as absent_student_days
from {{ ref('metrics_student_months') }}
group by school_id, grade_level, school_month
