-- Checks: a section enrollment marked is_current belongs to a section of the current school year
--   and to an active student or staff member.
-- When it matters: roster exports send only current enrollments; a stale one re-creates last
--   year's classes in Teams or ST Math.
-- How to resolve: check dim_academic_sessions (var current_school_year / as_of_date) and the
--   is_current logic in fct_section_enrollments.
select e.section_enrollment_id
from {{ ref('fct_section_enrollments') }} as e
inner join {{ ref('dim_sections') }} as s on s.section_id = e.section_id
left join {{ ref('dim_students') }} as st on st.student_id = e.student_id
left join {{ ref('dim_staff') }} as sf on sf.staff_id = e.staff_id
where e.is_current
  and (not s.is_current_school_year or not coalesce(st.is_active, sf.is_active, false))
