-- The file each raw table currently holds: the latest successful load per source and entity.
select source, entity, file_name, file_sha256, rows_read, rows_loaded, rows_rejected, loaded_at, load_id
from (
    select
        fl.*,
        row_number() over (partition by source, entity order by loaded_at desc) as recency
    from {{ source('raw_meta', 'file_loads') }} as fl
    where status = 'loaded'
) as ranked
where recency = 1
