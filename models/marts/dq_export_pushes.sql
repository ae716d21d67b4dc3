{{ config(materialized='view') }}
-- Every vendor push attempt, one row per file: what was sent where, how many rows (and how many the
-- last push had), and whether it was pushed, refused by the shrink guard or failed.
select * from {{ ref('stg_meta__exports') }}
