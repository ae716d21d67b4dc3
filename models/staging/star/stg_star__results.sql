-- STAR Reading and Math results, v2 and v1 layouts alike: one row per completed test.
-- PercentileRank must be 1..99; other values are kept here (is_valid_percentile = false) and
-- excluded from fct_assessment_results with a reason in dq_excluded_rows.
{% set subjects = [('reading', 'Reading'), ('math', 'Math')] %}
with

{% for table, subject in subjects %}
{{ table }} as (

    {%- set rel = source('raw_star', table) %}
    select
        '{{ subject }}' as subject,
        trim({{ first_present(rel, ['student_identifier', 'student_local_id']) }}) as student_id,
        {{ clean_text(first_present(rel, ['school_identifier', 'school_local_id'])) }} as school_id,
        {{ clean_text(first_present(rel, ['completed_date', 'assessment_date'])) }} as test_date_raw,
        {{ parse_date(first_present(rel, ['completed_date', 'assessment_date'])) }} as test_date,
        {{ clean_text(optional_column(rel, 'percentile_rank')) }} as percentile_raw,
        {{ parse_int(optional_column(rel, 'percentile_rank')) }} as percentile_parsed,
        {{ parse_numeric(optional_column(rel, 'scaled_score')) }} as scale_score,
        {{ parse_numeric(optional_column(rel, 'grade_equivalent')) }} as grade_equivalent,
        {{ parse_int(first_present(rel, ['total_time_in_seconds', 'total_time'])) }} as total_seconds,
        {{ clean_text(optional_column(rel, 'assessment_id')) }} as vendor_assessment_id,
        _record_number as record_number,
        {{ raw_lineage('raw_star', table, 'file_name') }} as file_name
    from {{ rel }}

){% if not loop.last %},{% endif %}
{% endfor %}

, unioned as (
    {% for table, _ in subjects %}
    select * from {{ table }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select
    unioned.*,
    percentile_parsed between 1 and 99 and percentile_parsed is not null as is_valid_percentile,
    case when percentile_parsed between 1 and 99 then percentile_parsed end as percentile
from unioned
