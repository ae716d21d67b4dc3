-- The org hierarchy from orgs.csv, any depth: each org with its depth and its district.
-- The walk up the tree is unrolled to {{ var('max_org_depth') }} levels (portable to every engine,
-- unlike a recursive CTE); a deeper or cyclic tree shows up in the dim_orgs_depth singular test.
{% set max_depth = var('max_org_depth') %}
with

orgs as (

    select * from {{ ref('stg_district__orgs') }}
    where org_id is not null

),

-- orgs.csv grade spans in any SIS's spelling (a code means the same grade in every system).
grades as (select distinct source_code, grade_level from {{ ref('xwalk_grade_levels') }}),

walk as (

    select
        o.*,
        {% for i in range(1, max_depth + 1) %}
        p{{ i }}.org_id as ancestor_{{ i }}_id,
        p{{ i }}.org_type as ancestor_{{ i }}_type{% if not loop.last %},{% endif %}
        {% endfor %}
    from orgs as o
    {% for i in range(1, max_depth + 1) %}
    left join orgs as p{{ i }} on p{{ i }}.org_id = {% if i == 1 %}o.parent_org_id{% else %}p{{ i - 1 }}.parent_org_id{% endif %}
    {% endfor %}

)

select
    -- ids
    walk.org_id,
    walk.parent_org_id,
    case
        when walk.org_type = 'district' then walk.org_id
        {% for i in range(1, max_depth + 1) %}
        when walk.ancestor_{{ i }}_type = 'district' then walk.ancestor_{{ i }}_id
        {% endfor %}
    end as district_org_id,
    case
        when walk.org_type = 'school' then walk.org_id
        {% for i in range(1, max_depth + 1) %}
        when walk.ancestor_{{ i }}_type = 'school' then walk.ancestor_{{ i }}_id
        {% endfor %}
    end as school_org_id,
    walk.nces_id,
    walk.state_org_id,
    walk.stmath_iid,

    -- strings
    walk.name,
    walk.org_type,
    low.grade_level as low_grade,
    high.grade_level as high_grade,
    walk.address,
    walk.city,
    walk.state,
    walk.zip,
    walk.phone,

    -- hierarchy
    (
        {% for i in range(1, max_depth + 1) %}
        case when walk.ancestor_{{ i }}_id is not null then 1 else 0 end{% if not loop.last %} +{% endif %}
        {% endfor %}
    ) as depth,
    walk.parent_org_id is not null and walk.ancestor_1_id is null as has_unknown_parent,

    -- lineage
    walk.file_name,
    walk.record_number

from walk
left join grades as low on low.source_code = walk.low_grade_raw
left join grades as high on high.source_code = walk.high_grade_raw
