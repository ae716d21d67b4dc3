-- Who may open the dashboards and what they see: one row per staff member in tonight's SIS export,
-- summarising their scopes (access_viewer_scopes). effective_scope: sections, school, district,
-- region, state (one org of that level, by role or by grant), custom (several orgs, orgs and
-- sections, or a department) or none. Doubt means less access: inactive staff,
-- roles without student access and orgs missing from orgs.csv give none, and access_note says why.
-- The app resolves a login (LDAP uid or mail, OIDC email, demo pick) to staff_id through login_key
-- and email_key, both lower-cased; a key matching more than one staff member grants nothing.
with

staff as (select * from {{ ref('dim_staff') }}),
orgs as (select org_id, org_type, name from {{ ref('dim_orgs') }}),
scopes as (select * from {{ ref('access_viewer_scopes') }}),

summary as (

    select
        staff_id,
        count(*) as scope_count,
        sum(case when scope_type = 'section' then 1 else 0 end) as section_scopes,
        sum(case when scope_type = 'org' then 1 else 0 end) as org_scopes,
        sum(case when granted_by = 'grant' then 1 else 0 end) as granted_scopes,
        max(case when scope_type = 'org' then scope_id end) as only_org_id,
        max(case when scope_type = 'org' then scope_org_type end) as only_org_type,
        -- Data health (every file, every rejected row) is for district and state administrators.
        max(case when granted_by = 'role' and scope_org_type in ('district', 'state') then 1 else 0 end) = 1
            as can_see_data_health
    from scopes
    group by staff_id

),

judged as (

    select
        staff.*,
        orgs.name as school_name,
        summary.scope_count,
        summary.section_scopes,
        summary.granted_scopes,
        coalesce(summary.can_see_data_health, false) as can_see_data_health,
        case
            when summary.staff_id is null then 'none'
            when (summary.section_scopes > 0 and summary.org_scopes > 0) or summary.org_scopes > 1 then 'custom'
            when summary.section_scopes > 0 then 'sections'
            when summary.only_org_type in ('school', 'district', 'region', 'state') then summary.only_org_type
            else 'custom'
        end as effective_scope,
        scope_org.name as scope_org_name
    from staff
    left join orgs on orgs.org_id = staff.school_id
    left join summary on summary.staff_id = staff.staff_id
    left join orgs as scope_org on scope_org.org_id = summary.only_org_id

)

select
    -- ids
    staff_id,
    lower(trim(login_name)) as login_key,
    lower(trim(email)) as email_key,
    school_id,

    -- strings
    login_name,
    email,
    first_name,
    last_name,
    {{ dbt.concat(["coalesce(first_name, '')", "' '", "coalesce(last_name, '')"]) }} as display_name,
    staff_type,
    staff_role,
    school_name,

    -- access
    access_scope as staff_access_scope,
    effective_scope,
    coalesce(scope_count, 0) as scope_count,
    can_see_data_health,
    case
        when effective_scope = 'sections' and section_scopes = 1 then 'the students of your current section'
        when effective_scope = 'sections' then
            {{ dbt.concat(["'the students of your '", "cast(section_scopes as " ~ dbt.type_string() ~ ")", "' current sections'"]) }}
        when effective_scope in ('school', 'district', 'region', 'state') then
            {{ dbt.concat(["'the students of '", "coalesce(scope_org_name, 'your school')"]) }}
        when effective_scope = 'custom' then
            {{ dbt.concat(["'the students of the '", "cast(scope_count as " ~ dbt.type_string() ~ ")",
                           "' schools, offices and sections you were given'"]) }}
    end as scope_text,
    case
        when not coalesce(is_active, false) then 'inactive in the SIS export'
        when effective_scope <> 'none' then 'has student access'
        when access_scope = 'sections' then 'teaches no current section'
        when access_scope in ('school', 'district') then 'their school or office is not in orgs.csv'
        else 'their role has no student access'
    end as access_note,
    is_active
from judged
