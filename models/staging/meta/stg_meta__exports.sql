-- Every vendor push attempt, one row per file.
select
    push_id,
    run_id,
    vendor,
    destination,
    file_name,
    package_name,
    rows as row_count,
    previous_rows as previous_row_count,
    bytes,
    sha256,
    status,
    forced as is_forced,
    message,
    pushed_at,
    sensitive_fields
from {{ source('raw_meta', 'exports') }}
