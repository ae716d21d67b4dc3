-- The schools whose aggregates (enrollment history, counts that include students who have left)
-- each viewer may see: their school for 'school' scope, every school for 'district' scope.
-- Teachers have no rows: their aggregates are computed over their own students only.
with

viewers as (

    select staff_id, school_id, effective_scope
    from {{ ref('access_viewers') }}
    where effective_scope in ('school', 'district')

),

schools as (select org_id as school_id from {{ ref('dim_orgs') }} where org_type = 'school')

select
    {{ dbt.concat(['viewers.staff_id', "'|'", 'schools.school_id']) }} as viewer_school_id,
    viewers.staff_id,
    schools.school_id
from viewers
inner join schools
    on viewers.effective_scope = 'district'
    or schools.school_id = viewers.school_id
