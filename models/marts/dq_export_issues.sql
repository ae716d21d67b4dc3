{{ config(materialized='view') }}
-- The sync log of each vendor push (like SDS's): every row an export check found wrong, with the
-- file, the row's key, the field, the rule and whether it refused the push (error) or went with it (warn).
select * from {{ ref('stg_meta__export_issues') }}
