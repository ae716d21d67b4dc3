-- Tonight's assessment_export: state (MCAS-like) and other results.
with

source as (select * from {{ source('raw_aspen', 'assessments') }})

select
    -- ids
    trim(local_id) as student_id,
    {{ clean_text('school_local_id') }} as school_id,

    -- strings
    {{ clean_text('assessment_name') }} as assessment,
    {{ clean_text('assessment_subject') }} as subject,
    {{ clean_text('assessment_test') }} as test,
    {{ clean_text('assessment_performance_level') }} as performance_level,

    -- numbers
    {{ parse_numeric('assessment_scale_score') }} as scale_score,
    {{ parse_numeric('assessment_growth') }} as growth,

    -- dates
    {{ parse_date('assessment_date') }} as test_date,

    -- lineage
    _record_number as record_number,
    {{ raw_lineage('raw_aspen', 'assessments', 'file_name') }} as file_name

from source
