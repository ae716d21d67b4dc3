-- OneRoster 1.1 orgs.csv: the district and every org under it (regions are sent as 'local').
select
    {{ oneroster_id("orgs.org_id") }} as "sourcedId",
    cast(null as {{ dbt.type_string() }}) as "status",
    cast(null as {{ dbt.type_string() }}) as "dateLastModified",
    orgs.name as "name",
    types.oneroster_type as "type",
    orgs.nces_id as "identifier",
    {{ oneroster_id("orgs.parent_org_id") }} as "parentSourcedId"
from {{ vendor_base('exports__orgs', 'oneroster-1.1') }} as orgs
left join {{ ref('vendor_org_types') }} as types on types.org_type = orgs.org_type
