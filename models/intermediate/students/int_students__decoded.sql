-- Every SIS student row with its codes decoded through the crosswalk seeds, one rule for both SISs.
-- A 504 code no crosswalk row maps is no plan here and is listed in dq_unmapped_codes.
-- Each decoded value sits beside the code it came from (the *_raw columns); a code no crosswalk row
-- matches decodes to null or 'unknown' and is listed by the unmapped-code checks, never guessed.
with

students as (select * from {{ ref('int_sis__students') }}),

grades as (select * from {{ ref('xwalk_grade_levels') }}),
lunch as (select * from {{ ref('xwalk_lunch_status') }}),
status_patterns as (select * from {{ ref('xwalk_enrollment_status') }}),
races as (select * from {{ ref('xwalk_race') }}),
ells as (select * from {{ ref('xwalk_ell_status') }}),
genders as (select * from {{ ref('xwalk_gender') }}),
plans_504 as (select * from {{ ref('xwalk_plan_504') }}),

-- Each raw status takes exactly one crosswalk row of its SIS: an exact match before a wildcard, longer first.
statuses as (

    select source_system, raw_status, is_active, enrollment_status
    from (
        select
            raw.source_system,
            raw.raw_status,
            p.is_active,
            p.enrollment_status,
            row_number() over (
                partition by raw.source_system, raw.raw_status
                order by case when p.status_pattern = raw.raw_status then 0 else 1 end,
                    {{ dbt.length('p.status_pattern') }} desc
            ) as match_rank
        from (select distinct source_system, upper(enrollment_status_raw) as raw_status from students) as raw
        inner join status_patterns as p
            on p.source_system = raw.source_system and raw.raw_status like p.status_pattern
    ) as ranked
    where match_rank = 1

),

decoded as (

    select
        students.*,
        grades.grade_level,
        coalesce(lunch.lunch_status, 'unknown') as lunch_status,
        coalesce(ells.ell_status, 'unknown') as ell_status,
        coalesce(ells.is_ell, false) as is_ell,
        -- Multi-race answers come as a comma-joined list.
        case
            when students.race_raw is null then 'unknown'
            when {{ dbt.position("','", 'students.race_raw') }} > 0 then 'two_or_more'
            else coalesce(races.race, 'unknown')
        end as race,
        coalesce(genders.gender, 'not_selected') as gender,
        coalesce(plans_504.has_504_plan, false) as has_504_plan,
        -- An unknown status code is treated as active: a typo must never make students look withdrawn.
        coalesce(statuses.is_active, true) as is_active,
        coalesce(statuses.enrollment_status, 'active') as enrollment_status,
        statuses.raw_status is null and students.enrollment_status_raw is not null as is_unknown_status
    from students
    left join grades on grades.source_system = students.source_system and grades.source_code = students.grade_raw
    left join lunch on lunch.source_code = upper(students.lunch_status_raw)
    left join races on races.source_code = upper(students.race_raw)
    left join ells on ells.source_code = upper(students.ell_status_raw)
    left join genders on genders.source_code = upper(students.gender_raw)
    left join plans_504 on plans_504.source_code = upper(students.plan_504_raw)
    left join statuses
        on statuses.source_system = students.source_system
        and statuses.raw_status = upper(students.enrollment_status_raw)

)

select
    *,
    -- A birth date in the future or more than 30 years back is a typo, not a student's age.
    case
        when birth_date_parsed <= {{ as_of_date() }}
            and birth_date_parsed > {{ dbt.dateadd('year', -30, as_of_date()) }}
        then birth_date_parsed
    end as birth_date,
    coalesce(sped_placement, disability) is not null
        and upper(coalesce(sped_placement, disability)) not in ('NO', 'N', '0', 'FALSE', 'NONE') as has_iep
from decoded
