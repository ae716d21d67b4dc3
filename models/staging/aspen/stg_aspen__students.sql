-- One row per row of tonight's students_export: renamed, trimmed, typed, codes decoded.
-- Duplicates of a student are kept here; int_students__deduplicated picks one.
with

source as (

    select * from {{ source('raw_aspen', 'students') }}

),

grades as (select * from {{ ref('xwalk_grade_levels') }}),
lunch as (select * from {{ ref('xwalk_lunch_status') }}),
status_patterns as (select * from {{ ref('xwalk_enrollment_status') }}),
races as (select * from {{ ref('xwalk_race') }}),
ells as (select * from {{ ref('xwalk_ell_status') }}),

renamed as (

    select
        -- ids
        trim(local_id) as student_id,
        {{ clean_text('state_id') }} as state_student_id,
        {{ clean_text('school_local_id') }} as school_id,
        {{ clean_text('homeroom') }} as homeroom,
        {{ clean_text('counselor') }} as counselor_login,
        {{ clean_text('sped_liaison') }} as sped_liaison_login,

        -- strings
        {{ clean_text('full_name') }} as full_name,
        {{ clean_text('enrollment_status') }} as enrollment_status_raw,
        upper({{ clean_text('grade') }}) as grade_raw,
        {{ clean_text('gender') }} as gender_raw,
        {{ clean_text('race') }} as race_raw,
        {{ clean_text('home_language') }} as home_language,
        {{ clean_text('free_reduced_lunch') }} as lunch_status_raw,
        {{ clean_text('limited_english_proficiency') }} as limited_english_proficiency,
        {{ clean_text('program_assigned') }} as program_assigned,
        {{ clean_text('sped_placement') }} as sped_placement,
        {{ clean_text('disability') }} as disability,
        {{ clean_text('sped_level_of_need') }} as sped_level_of_need,
        {{ clean_text('plan_504') }} as plan_504_raw,
        {{ clean_text('student_address') }} as address,
        {{ clean_text('primary_phone') }} as phone,
        lower({{ clean_text('primary_email') }}) as email,
        {{ clean_text('house') }} as house,

        -- dates
        {{ clean_text('date_of_birth') }} as birth_date_raw,
        {{ parse_date('date_of_birth') }} as birth_date_parsed,
        {{ parse_date('registration_date') }} as registration_date,
        {{ parse_date('ell_entry_date') }} as ell_entry_date,
        {{ parse_date('ell_transition_date') }} as ell_transition_date,

        -- booleans
        {{ parse_bool('hispanic_latino') }} as is_hispanic_latino,

        -- lineage
        _record_number as record_number,
        _file_name as file_name,
        _file_sha256 as file_sha256,
        cast(_file_date as date) as file_date,
        _load_id as load_id

    from source

),

-- Each raw status takes exactly one crosswalk row: an exact match before a wildcard, longer first.
statuses as (

    select raw_status, status_pattern, is_active, enrollment_status
    from (
        select
            raw.raw_status,
            p.status_pattern,
            p.is_active,
            p.enrollment_status,
            row_number() over (
                partition by raw.raw_status
                order by case when p.status_pattern = raw.raw_status then 0 else 1 end,
                    {{ dbt.length('p.status_pattern') }} desc
            ) as match_rank
        from (select distinct upper(enrollment_status_raw) as raw_status from renamed) as raw
        inner join status_patterns as p on raw.raw_status like p.status_pattern
    ) as ranked
    where match_rank = 1

),

decoded as (

    select
        renamed.*,
        {{ name_part('renamed.full_name', 'last') }} as last_name,
        {{ name_part('renamed.full_name', 'first') }} as first_name,
        {{ name_part('renamed.full_name', 'middle') }} as middle_name,
        grades.grade_level,
        coalesce(lunch.lunch_status, 'unknown') as lunch_status,
        coalesce(ells.ell_status, 'unknown') as ell_status,
        coalesce(ells.is_ell, false) as is_ell,
        -- Multi-race answers come as a comma-joined list.
        case
            when renamed.race_raw is null then 'unknown'
            when {{ dbt.position("','", 'renamed.race_raw') }} > 0 then 'two_or_more'
            else coalesce(races.race, 'unknown')
        end as race,
        case upper(renamed.gender_raw)
            when 'M' then 'male' when 'MALE' then 'male'
            when 'F' then 'female' when 'FEMALE' then 'female'
            when 'N' then 'non_binary' when 'X' then 'non_binary'
            else 'not_selected'
        end as gender,
        -- An unknown status code is treated as active: a typo must never make students look withdrawn.
        coalesce(statuses.is_active, true) as is_active,
        coalesce(statuses.enrollment_status, 'active') as enrollment_status,
        statuses.raw_status is null and renamed.enrollment_status_raw is not null as is_unknown_status
    from renamed
    left join grades on grades.source_code = renamed.grade_raw
    left join lunch on lunch.source_code = upper(renamed.lunch_status_raw)
    left join races on races.source_code = upper(renamed.race_raw)
    left join ells on ells.source_code = upper(renamed.limited_english_proficiency)
    left join statuses on statuses.raw_status = upper(renamed.enrollment_status_raw)

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
        and upper(coalesce(sped_placement, disability)) not in ('NO', 'N', '0', 'FALSE', 'NONE') as has_iep,
    coalesce({{ parse_bool('plan_504_raw') }}, upper(plan_504_raw) in ('504', 'ACTIVE')) as has_504_plan
from decoded
