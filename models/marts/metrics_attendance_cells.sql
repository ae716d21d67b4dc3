-- Pre-aggregated attendance for the dashboards: one row per (school, grade, subgroup, lunch,
-- ELL, IEP) cell. Pages sum cells for any filter combination; small groups are suppressed there.
select
    school_id,
    grade_level,
    subgroup,
    lunch_status,
    is_ell,
    has_iep,
    count(*) as students,
    sum(enrolled_days) as enrolled_days,
    sum(absent_days) as absent_days,
    sum(case when is_chronically_absent then 1 else 0 end) as chronically_absent_students,
    sum(case when absences_last_45_days >= 4 then 1 else 0 end) as students_4plus_absences_45_days,
    sum(incidents_this_year) as incidents_this_year,
    sum(case when incidents_this_year > 0 then 1 else 0 end) as students_with_incidents
from {{ ref('metrics_students') }}
group by school_id, grade_level, subgroup, lunch_status, is_ell, has_iep
