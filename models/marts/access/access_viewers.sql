-- Who may open the dashboards and how far they see: one row per staff member in tonight's SIS export.
-- effective_scope is dim_staff.access_scope, narrowed so that doubt means less access, never more:
-- inactive staff see nothing; 'school' needs a school_id that is a school in dim_orgs; 'district'
-- needs a school_id that is a known org (the district office or a department). access_note says why.
-- The app resolves a login (LDAP uid or mail, OIDC email, demo pick) to staff_id through login_key
-- and email_key, both lower-cased; a key matching more than one staff member grants nothing.
with

staff as (select * from {{ ref('dim_staff') }}),

orgs as (select org_id, org_type, name from {{ ref('dim_orgs') }}),

judged as (

    select
        staff.staff_id,
        staff.login_name,
        staff.email,
        staff.first_name,
        staff.last_name,
        staff.staff_type,
        staff.staff_role,
        staff.school_id,
        orgs.name as school_name,
        staff.access_scope as staff_access_scope,
        staff.is_active,
        case
            when not coalesce(staff.is_active, false) then 'none'
            when staff.access_scope = 'sections' then 'sections'
            when staff.access_scope = 'school' and orgs.org_type = 'school' then 'school'
            when staff.access_scope = 'district' and orgs.org_id is not null then 'district'
            else 'none'
        end as effective_scope,
        case
            when not coalesce(staff.is_active, false) then 'inactive in the SIS export'
            when staff.access_scope = 'sections' then 'the students of their current sections'
            when staff.access_scope = 'school' and orgs.org_type = 'school' then 'the students of their school'
            when staff.access_scope = 'district' and orgs.org_id is not null then 'every student in the district'
            when staff.access_scope in ('school', 'district') then 'their school or office is not in orgs.csv'
            else 'their role has no student access'
        end as access_note
    from staff
    left join orgs on orgs.org_id = staff.school_id

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
    staff_access_scope,
    effective_scope,
    access_note,
    is_active
from judged
