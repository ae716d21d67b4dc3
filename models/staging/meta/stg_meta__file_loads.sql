-- Every load attempt, newest first in the dashboards' data-health page.
select
    load_id,
    source,
    entity,
    file_name,
    file_sha256,
    bytes,
    encoding,
    rows_read,
    rows_loaded,
    rows_rejected,
    status,
    message,
    extra_columns,
    loaded_at
from {{ source('raw_meta', 'file_loads') }}
