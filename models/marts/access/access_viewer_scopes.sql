{{ config(indexes=pg_indexes(['staff_id'])) }}
-- What each staff member may see, as scopes: an org (its whole subtree, any level of orgs.csv) or a
-- section. O(staff + grants) rows, never viewers × students; the students come from the scopes at
-- query time (access_viewer_students). Active staff only; 'doubt means less access'.
--   role defaults (dim_staff.access_scope): a teacher's current sections; school staff their school;
--     district-level staff the district of their org, or the region or state they sit at
--   grants: every access_grants.csv row holding on the as-of date
with

staff as (select staff_id, school_id, access_scope from {{ ref('dim_staff') }} where is_active),
orgs as (select org_id, org_type, district_org_id, school_org_id from {{ ref('dim_orgs') }}),

by_role as (

    select
        staff.staff_id,
        'org' as scope_type,
        case
            when staff.access_scope = 'school' then orgs.school_org_id
            when orgs.org_type in ('state', 'district', 'region') then orgs.org_id
            else orgs.district_org_id
        end as scope_id,
        'role' as granted_by,
        cast(null as {{ dbt.type_string() }}) as grant_role
    from staff
    inner join orgs on orgs.org_id = staff.school_id
    where staff.access_scope in ('school', 'district')

    union all

    select distinct
        staff.staff_id,
        'section' as scope_type,
        enrollments.section_id as scope_id,
        'role' as granted_by,
        cast(null as {{ dbt.type_string() }}) as grant_role
    from staff
    inner join {{ ref('fct_section_enrollments') }} as enrollments
        on enrollments.staff_id = staff.staff_id and enrollments.role = 'teacher' and enrollments.is_current
    where staff.access_scope = 'sections'

),

by_grant as (

    select staff_id, scope_type, scope as scope_id, 'grant' as granted_by, role as grant_role
    from {{ ref('access_grants') }}
    where status = 'active'

),

scopes as (

    select * from by_role where scope_id is not null
    union all
    select * from by_grant

)

select
    {{ dbt.concat(['scopes.staff_id', "'|'", 'scopes.scope_type', "'|'", 'scopes.scope_id', "'|'", 'scopes.granted_by']) }} as viewer_scope_id,
    scopes.staff_id,
    scopes.scope_type,
    scopes.scope_id,
    max(orgs.org_type) as scope_org_type,
    scopes.granted_by,
    max(scopes.grant_role) as grant_role
from scopes
left join orgs on scopes.scope_type = 'org' and orgs.org_id = scopes.scope_id
group by scopes.staff_id, scopes.scope_type, scopes.scope_id, scopes.granted_by
