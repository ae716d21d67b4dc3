-- One row per educator or staff member in tonight's SIS export, active or not.
with

staff as (

    select * from {{ ref('int_staff__deduplicated') }}
    where row_rank = 1

),

orgs as (select org_id, org_type from {{ ref('dim_orgs') }})

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
    -- What the dashboards let this person see: their sections' students, their school, or the district.
    case
        when staff.access_scope in ('school', 'district')
            and coalesce(orgs.org_type, '') <> 'school' then 'district'
        else staff.access_scope
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
