{{ config(materialized='view') }}
-- Rows the loader could not read in the files the raw tables hold now: file, record, reason and
-- detail, never the raw text (which may hold a student's whole record).
select
    rejected.source,
    rejected.entity,
    rejected.file_name,
    rejected.record_number,
    rejected.reason,
    rejected.detail
from {{ ref('stg_meta__rejected_rows') }} as rejected
inner join {{ ref('stg_meta__current_files') }} as current_files
    on current_files.file_sha256 = rejected.file_sha256
