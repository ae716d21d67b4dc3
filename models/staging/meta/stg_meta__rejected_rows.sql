-- Rows the loader could not read, without their raw text (which may hold a student's record).
select
    file_sha256,
    record_number,
    source,
    entity,
    file_name,
    reason,
    detail,
    load_id,
    rejected_at
from {{ source('raw_meta', 'rejected_rows') }}
