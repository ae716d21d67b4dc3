-- Checks: no current file has more than 2% of its rows rejected as unreadable.
-- When it matters: a broken export (a changed delimiter, a new column in the middle) shows first
--   as a rising reject count; the loader refuses a file only above --max-reject-share (10%).
-- How to resolve: open raw_meta.rejected_rows for the file (raw_text shows each row) and ask the
--   district to fix the export; reload with schoolhouse load.
{{ config(severity='warn') }}
select source, entity, file_name, rows_read, rows_rejected
from {{ ref('stg_meta__current_files') }}
where rows_read > 0 and rows_rejected > 0.02 * rows_read
