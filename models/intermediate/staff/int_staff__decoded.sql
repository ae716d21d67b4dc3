-- Every SIS staff row with its staff type mapped to a role and dashboard scope (xwalk_staff_roles)
-- and its status to employed or not (xwalk_staff_status, per SIS). Only a status the crosswalk
-- calls active counts: a blank or unknown status must never keep a departed employee in Teams or
-- ST Math rosters, nor give them access to student data.
with

staff as (select * from {{ ref('int_sis__staff') }}),
roles as (select * from {{ ref('xwalk_staff_roles') }}),
statuses as (select * from {{ ref('xwalk_staff_status') }})

select
    staff.*,
    coalesce(roles.staff_role, 'staff') as staff_role,
    coalesce(roles.access_scope, 'none') as access_scope,
    coalesce(statuses.is_active, false) as is_active
from staff
left join roles on roles.staff_type = upper(staff.staff_type)
left join statuses on statuses.source_system = staff.source_system and statuses.status_code = upper(staff.status_raw)
