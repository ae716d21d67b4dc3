{{ config(materialized='view') }}
-- Every nightly run: its status, counts and steps.
select * from {{ ref('stg_meta__runs') }}
