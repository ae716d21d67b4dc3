{{ config(
    materialized=incremental_or_table(),
    unique_key='unmapped_code_id',
    incremental_strategy='delete+insert',
) }}
-- Every code a SIS file used that no crosswalk row maps, with when it was first and last seen:
-- grade, enrollment status, gender, race, lunch, English-learner and 504 codes of students; staff
-- types and statuses; grade spans of orgs.csv. An unmapped code decodes to null, 'unknown',
-- 'not_selected', no plan or (enrollment status) active, so counts by subgroup, rosters and vendor
-- files are quietly wrong until a district adds the code to seeds/<crosswalk>.csv.
-- Incremental: a code stays listed after it stops appearing (last_seen tells when).
-- "not exists", never "not in (select ...)": a blank row a district adds to a crosswalk CSV (a null
-- code) would make "not in" unknown for every value, and no unmapped code would be listed.
{% set today = as_of_date() %}
with

students as (select * from {{ ref('int_students__decoded') }}),
staff as (select * from {{ ref('int_staff__decoded') }}),
orgs as (select * from {{ ref('stg_district__orgs') }}),
org_grades as (select distinct source_code from {{ ref('xwalk_grade_levels') }}),

unmapped as (

    select 'xwalk_grade_levels' as crosswalk, source_system, 'grade' as column_name, grade_raw as raw_value
    from students where grade_raw is not null and grade_level is null
    union all
    select 'xwalk_enrollment_status', source_system, 'enrollment_status', enrollment_status_raw
    from students where is_unknown_status
    union all
    select 'xwalk_gender', source_system, 'gender', gender_raw
    from students where gender_raw is not null and not exists (select 1 from {{ ref('xwalk_gender') }} as x where x.source_code = upper(students.gender_raw))
    union all
    select 'xwalk_race', source_system, 'race', race_raw
    from students where race_raw is not null and race = 'unknown'
    union all
    select 'xwalk_lunch_status', source_system, 'free_reduced_lunch', lunch_status_raw
    from students where lunch_status_raw is not null and lunch_status = 'unknown'
    union all
    select 'xwalk_ell_status', source_system, 'limited_english_proficiency', ell_status_raw
    from students where ell_status_raw is not null and ell_status = 'unknown'
    union all
    select 'xwalk_plan_504', source_system, 'plan_504', plan_504_raw
    from students where plan_504_raw is not null and not exists (select 1 from {{ ref('xwalk_plan_504') }} as x where x.source_code = upper(students.plan_504_raw))
    union all
    select 'xwalk_staff_roles', source_system, 'staff_type', staff_type
    from staff where staff_type is not null and not exists (select 1 from {{ ref('xwalk_staff_roles') }} as x where x.staff_type = upper(staff.staff_type))
    union all
    select 'xwalk_staff_status', source_system, 'status', status_raw
    from staff where status_raw is not null
        and not exists (select 1 from {{ ref('xwalk_staff_status') }} as s
                        where s.source_system = staff.source_system and s.status_code = upper(staff.status_raw))
    union all
    select 'xwalk_grade_levels', 'district', 'low_grade', low_grade_raw
    from orgs where low_grade_raw is not null and not exists (select 1 from org_grades where org_grades.source_code = orgs.low_grade_raw)
    union all
    select 'xwalk_grade_levels', 'district', 'high_grade', high_grade_raw
    from orgs where high_grade_raw is not null and not exists (select 1 from org_grades where org_grades.source_code = orgs.high_grade_raw)

),

tonight as (

    select
        {{ dbt.concat(['crosswalk', "'|'", 'source_system', "'|'", 'column_name', "'|'", 'raw_value']) }} as unmapped_code_id,
        crosswalk, source_system, column_name, raw_value,
        count(*) as row_count
    from unmapped
    group by crosswalk, source_system, column_name, raw_value

)

select
    tonight.unmapped_code_id,
    tonight.crosswalk,
    tonight.source_system,
    tonight.column_name,
    tonight.raw_value,
    tonight.row_count,
    {% if is_incremental() %}
    coalesce(seen.first_seen, {{ today }}) as first_seen,
    {% else %}
    {{ today }} as first_seen,
    {% endif %}
    {{ today }} as last_seen
from tonight
{% if is_incremental() %}
left join {{ this }} as seen on seen.unmapped_code_id = tonight.unmapped_code_id
{% endif %}
