-- access_grants.csv, one row per grant: who (a staff id or a login), what (an org id or a section id),
-- why, and the dates it holds (both inclusive; open when empty).
with

source as (select * from {{ source('raw_district', 'access_grants') }})

select
    -- ids
    {{ clean_text('grantee') }} as grantee,
    {{ clean_text('scope') }} as scope,

    -- strings
    {{ clean_text('role') }} as role,
    {{ clean_text('note') }} as note,

    -- dates
    {{ clean_text('start_date') }} as start_date_raw,
    {{ parse_date('start_date') }} as start_date,
    {{ clean_text('end_date') }} as end_date_raw,
    {{ parse_date('end_date') }} as end_date,

    -- lineage
    _record_number as record_number,
    {{ raw_lineage('raw_district', 'access_grants', 'file_name') }} as file_name

from source
