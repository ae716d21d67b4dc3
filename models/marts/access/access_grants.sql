-- Every row of access_grants.csv, resolved: who it names (a staff id, else a login that names exactly
-- one staff member), what it opens (an org, whose whole subtree it opens, or a section), and whether
-- it holds on the as-of date. Only grants with status 'active' open anything (access_viewer_scopes).
with

grants as (select * from {{ ref('stg_district__access_grants') }}),
staff as (select staff_id, lower(login_name) as login_key, is_active from {{ ref('dim_staff') }}),
orgs as (select org_id, org_type from {{ ref('dim_orgs') }}),
sections as (select section_id from {{ ref('dim_sections') }}),

logins as (

    select login_key, min(staff_id) as staff_id, count(*) as matches
    from staff
    where login_key is not null
    group by login_key

),

resolved as (

    select
        grants.*,
        coalesce(by_id.staff_id, case when logins.matches = 1 then logins.staff_id end) as staff_id,
        logins.matches as login_matches,
        coalesce(by_id.is_active, grantee.is_active) as staff_is_active,
        case when orgs.org_id is not null then 'org' when sections.section_id is not null then 'section' end as scope_type,
        orgs.org_type as scope_org_type
    from grants
    left join staff as by_id on by_id.staff_id = grants.grantee
    left join logins on by_id.staff_id is null and logins.login_key = lower(grants.grantee)
    left join staff as grantee on grantee.staff_id = case when logins.matches = 1 then logins.staff_id end
    left join orgs on orgs.org_id = grants.scope
    left join sections on orgs.org_id is null and sections.section_id = grants.scope

)

select
    {{ dbt.concat(['file_name', "'|'", 'cast(record_number as ' ~ dbt.type_string() ~ ')']) }} as access_grant_id,
    grantee,
    staff_id,
    scope,
    scope_type,
    scope_org_type,
    role,
    note,
    start_date,
    end_date,
    case
        when login_matches > 1 and staff_id is null then 'ambiguous_grantee'
        when staff_id is null then 'unknown_grantee'
        when scope_type is null then 'unknown_scope'
        when (start_date_raw is not null and start_date is null) or (end_date_raw is not null and end_date is null) then 'bad_date'
        when not coalesce(staff_is_active, false) then 'inactive_staff'
        when start_date > {{ as_of_date() }} then 'not_yet'
        when end_date < {{ as_of_date() }} then 'expired'
        else 'active'
    end as status,
    file_name,
    record_number
from resolved
