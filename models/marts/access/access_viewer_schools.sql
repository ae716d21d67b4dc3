{{ config(materialized='view') }}
-- The schools whose aggregates each viewer may see (enrollment history, counts that include
-- students who have left): every school under one of their org scopes. Teachers' section scopes
-- give no school: their aggregates cover their own students only. A view, filtered by staff_id.
select distinct scopes.staff_id, org_schools.school_id
from {{ ref('access_viewer_scopes') }} as scopes
inner join {{ ref('access_org_schools') }} as org_schools
    on scopes.scope_type = 'org' and org_schools.org_id = scopes.scope_id
