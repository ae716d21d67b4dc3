-- Checks: every org's walk up the hierarchy ends within var('max_org_depth') levels.
-- When it matters: a cycle in orgs.csv (A's parent is B, B's parent is A) or a deeper tree than
--   the unrolled walk supports gives wrong district_org_id and depth values.
-- How to resolve: fix parent_org_id in orgs.csv, or raise var max_org_depth for a deeper tree.
{{ config(severity='warn') }}
select org_id, depth
from {{ ref('dim_orgs') }}
where depth >= {{ var('max_org_depth') }}
