{{ config(materialized='view') }}
-- The file each source's raw table holds now, beside the last attempt to load it (which may have
-- been refused): the data-health page's table of files. A view, so it shows loads made after the build.
with

current_files as (select * from {{ ref('stg_meta__current_files') }}),

attempts as (

    select
        source, entity, status, loaded_at, message,
        row_number() over (partition by source, entity order by loaded_at desc) as recency
    from {{ ref('stg_meta__file_loads') }}

)

select
    current_files.source,
    current_files.entity,
    current_files.file_name,
    current_files.file_sha256,
    current_files.rows_read,
    current_files.rows_loaded,
    current_files.rows_rejected,
    current_files.loaded_at,
    attempts.status as last_attempt_status,
    attempts.loaded_at as last_attempt_at,
    attempts.message as last_attempt_message
from current_files
left join attempts
    on attempts.source = current_files.source
    and attempts.entity = current_files.entity
    and attempts.recency = 1
