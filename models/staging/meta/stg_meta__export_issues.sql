-- Every push's sync log: one row per failing row of an export check.
select
    push_id,
    vendor,
    destination,
    file_name,
    row_key,
    field,
    rule,
    severity,
    detail,
    logged_at
from {{ source('raw_meta', 'export_issues') }}
