{{ config(indexes=pg_indexes(['student_id'])) }}
{{ config(
    materialized=incremental_or_table(),
    unique_key='result_id',
    incremental_strategy='delete+insert',
    on_schema_change='sync_all_columns',
    post_hook=["{{ delete_vanished_rows('result_id', ref('int_assessments__judged'), 'exclusion_reason is null', 'test_date', ['source_system', 'subject']) }}"]
) }}
-- One row per assessment result: X2 exports (state tests such as MCAS) and STAR Reading/Math.
-- STAR performance_level is the benchmark band from the percentile rank.
with

results as (

    select * from {{ ref('int_assessments__judged') }}
    where exclusion_reason is null

)

select
    result_id,
    student_id,
    school_id,
    source_system,
    assessment,
    subject,
    test,
    test_date,
    {{ school_year_of('test_date') }} as school_year,
    scale_score,
    percentile,
    performance_level,
    growth,
    grade_equivalent,
    result_id as row_hash
from results as upstream
{{ only_new_or_changed('upstream.result_id') }}
