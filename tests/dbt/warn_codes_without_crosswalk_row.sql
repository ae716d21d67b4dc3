-- Checks: every code tonight's SIS export uses has a row in its crosswalk seed (grade, enrollment
--   status, gender, race, lunch and English-learner status of students; staff type and status).
-- When it matters: an unmapped code decodes to null, 'unknown', 'not_selected' or (enrollment
--   status) active; counts by subgroup, rosters and vendor files are then quietly wrong.
-- How to resolve: each row names the crosswalk, the SIS, the code and how many rows carry it; add
--   a row for the code to seeds/<crosswalk>.csv (a district's own codes belong there) and rebuild.
{{ config(severity='warn') }}
with

students as (select * from {{ ref('int_students__decoded') }}),
staff as (select * from {{ ref('int_staff__decoded') }}),

unmapped as (

    select 'xwalk_grade_levels' as crosswalk, source_system, grade_raw as code
    from students where grade_raw is not null and grade_level is null
    union all
    select 'xwalk_enrollment_status', source_system, enrollment_status_raw
    from students where is_unknown_status
    union all
    select 'xwalk_gender', source_system, gender_raw
    from students where gender_raw is not null and upper(gender_raw) not in (select source_code from {{ ref('xwalk_gender') }})
    union all
    select 'xwalk_race', source_system, race_raw
    from students where race_raw is not null and race = 'unknown'
    union all
    select 'xwalk_lunch_status', source_system, lunch_status_raw
    from students where lunch_status_raw is not null and lunch_status = 'unknown'
    union all
    select 'xwalk_ell_status', source_system, ell_status_raw
    from students where ell_status_raw is not null and ell_status = 'unknown'
    union all
    select 'xwalk_staff_roles', source_system, staff_type
    from staff where staff_type is not null and upper(staff_type) not in (select staff_type from {{ ref('xwalk_staff_roles') }})
    union all
    select 'xwalk_staff_status', source_system, status_raw
    from staff where status_raw is not null
        and upper(status_raw) not in (select status_code from {{ ref('xwalk_staff_status') }} as s where s.source_system = staff.source_system)

)

select crosswalk, source_system, code, count(*) as row_count
from unmapped
group by crosswalk, source_system, code
