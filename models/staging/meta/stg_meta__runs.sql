-- Every nightly run (running, success, warning or failed).
select
    run_id,
    started_at,
    finished_at,
    duration_seconds,
    status,
    exit_code,
    config_file,
    district_name,
    files_loaded,
    files_refused,
    exports_pushed,
    exports_not_pushed,
    message,
    steps
from {{ source('raw_meta', 'runs') }}
