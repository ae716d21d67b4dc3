-- The district's orgs.csv: one row per org, any depth of hierarchy.
{% set rel = source('raw_district', 'orgs') %}
with

source as (select * from {{ rel }})

select
    -- ids
    trim(org_id) as org_id,
    {{ clean_text('parent_org_id') }} as parent_org_id,
    {{ clean_text(optional_column(rel, 'nces_id')) }} as nces_id,
    {{ clean_text(optional_column(rel, 'state_org_id')) }} as state_org_id,
    {{ clean_text(optional_column(rel, 'stmath_iid')) }} as stmath_iid,

    -- strings
    {{ clean_text('name') }} as name,
    lower({{ clean_text('org_type') }}) as org_type,
    upper({{ clean_text(optional_column(rel, 'low_grade')) }}) as low_grade_raw,
    upper({{ clean_text(optional_column(rel, 'high_grade')) }}) as high_grade_raw,
    {{ clean_text(optional_column(rel, 'address')) }} as address,
    {{ clean_text(optional_column(rel, 'city')) }} as city,
    {{ clean_text(optional_column(rel, 'state')) }} as state,
    {{ clean_text(optional_column(rel, 'zip')) }} as zip,
    {{ clean_text(optional_column(rel, 'phone')) }} as phone,

    -- lineage
    _record_number as record_number,
    {{ raw_lineage('raw_district', 'orgs', 'file_name') }} as file_name

from source
