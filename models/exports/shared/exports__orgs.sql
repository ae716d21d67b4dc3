-- The orgs every vendor file set may reference: the district and everything under it (schools,
-- regions, departments). Orgs above the district (the state) are not the district's to send, so
-- the district's parent is left blank; a parent outside this set is blanked the same way.
with

orgs as (

    select * from {{ ref('dim_orgs') }}
    where district_org_id is not null

),

principals as (

    -- One active principal per school (the lowest staff id when there are several).
    select school_id, staff_id, first_name, last_name, email
    from (
        select
            staff.*,
            row_number() over (partition by school_id order by staff_id) as principal_rank
        from {{ ref('dim_staff') }} as staff
        where is_active and staff_role = 'principal'
    ) as ranked
    where principal_rank = 1

)

select
    -- ids
    orgs.org_id,
    parents.org_id as parent_org_id,
    orgs.district_org_id,
    orgs.nces_id,
    orgs.state_org_id,
    orgs.stmath_iid,

    -- strings
    orgs.name,
    orgs.org_type,
    orgs.low_grade,
    orgs.high_grade,
    orgs.address,
    orgs.city,
    orgs.state,
    orgs.zip,
    orgs.phone,

    -- the school's principal
    principals.staff_id as principal_staff_id,
    principals.first_name as principal_first_name,
    principals.last_name as principal_last_name,
    principals.email as principal_email,

    -- flags
    orgs.org_type = 'school' as is_school

from orgs
left join orgs as parents on parents.org_id = orgs.parent_org_id
left join principals on principals.school_id = orgs.org_id and orgs.org_type = 'school'
