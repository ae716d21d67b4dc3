{{ config(indexes=pg_indexes(['staff_id'])) }}
-- One row per educator or staff member in tonight's SIS export, active or not.
with

staff as (

    select * from {{ ref('int_staff__deduplicated') }}
    where row_rank = 1

),

orgs as (select org_id, school_org_id from {{ ref('dim_orgs') }})

select
    -- ids
    staff.staff_id,
    staff.state_staff_id,
    staff.login_name,
    staff.school_id,

    -- names and contact
    staff.first_name,
    staff.middle_name,
    staff.last_name,
    staff.resolved_email as email,

    -- role
    staff.staff_type,
    staff.staff_role,
    -- What the dashboards let this person see: their sections' students, their school, or the
    -- district. A school-level role based outside any school (central office) sees the district;
    -- a school or district role whose org is not in orgs.csv sees nothing until the org is known.
    case
        when staff.access_scope = 'sections' then 'sections'
        when staff.access_scope not in ('school', 'district') or orgs.org_id is null then 'none'
        when staff.access_scope = 'district' then 'district'
        when orgs.school_org_id is not null then 'school'
        else 'district'
    end as access_scope,
    staff.homeroom,

    -- status
    staff.is_active,
    staff.status_raw,
    staff.source_row_count > 1 as had_conflicting_rows,

    -- lineage
    staff.file_name,
    staff.record_number

from staff
left join orgs on orgs.org_id = staff.school_id
