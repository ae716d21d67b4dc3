-- The schools under each org of orgs.csv, at any depth, the school itself included: one row per
-- (org, school beneath it). Access to an org is access to the students of these schools. The walk up
-- the tree is unrolled to var('max_org_depth') levels; its size is schools × depth, whatever the
-- number of viewers or students.
{% set max_depth = var('max_org_depth') %}
with

orgs as (select org_id, parent_org_id, org_type from {{ ref('dim_orgs') }}),

walk as (

    select
        school.org_id as school_id,
        {% for i in range(1, max_depth + 1) %}
        p{{ i }}.org_id as ancestor_{{ i }}{% if not loop.last %},{% endif %}
        {% endfor %}
    from orgs as school
    {% for i in range(1, max_depth + 1) %}
    left join orgs as p{{ i }} on p{{ i }}.org_id = {% if i == 1 %}school.parent_org_id{% else %}p{{ i - 1 }}.parent_org_id{% endif %}
    {% endfor %}
    where school.org_type = 'school'

),

pairs as (

    select school_id as org_id, school_id, 0 as distance from walk
    {% for i in range(1, max_depth + 1) %}
    union all
    select ancestor_{{ i }}, school_id, {{ i }} from walk where ancestor_{{ i }} is not null
    {% endfor %}

)

select
    {{ dbt.concat(['org_id', "'|'", 'school_id']) }} as org_school_id,
    org_id,
    school_id,
    distance
from pairs
