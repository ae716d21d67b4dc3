-- SDS V2.1 orgs.csv: the district and every org under it.
select
    orgs.org_id as "sourcedId",
    orgs.name as "name",
    types.sds_type as "type",
    orgs.parent_org_id as "parentSourcedId"
from {{ vendor_base('exports__orgs', 'sds-v2.1') }} as orgs
left join {{ ref('vendor_org_types') }} as types on types.org_type = orgs.org_type
