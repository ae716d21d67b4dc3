{#- A table, not a view: the fact, its delete of vanished rows and dq_excluded_rows each read it,
    and as a view every one of them parsed and judged tonight's file again (on PostgreSQL, 25 to
    40 s each at 50,000 students). -#}
{{ config(materialized='table') }}
-- X2 assessment results and STAR tests in one shape, each with its exclusion reason:
-- unknown_student, bad_date, invalid_percentile (STAR PercentileRank outside 1..99).
with

students as (select student_id from {{ ref('dim_students') }}),

x2 as (

    select
        student_id, school_id, assessment, subject, test, test_date,
        scale_score, cast(null as integer) as percentile, performance_level, growth,
        cast(null as {{ dbt.type_numeric() }}) as grade_equivalent,
        'aspen' as source_system, file_name, record_number,
        cast(null as {{ dbt.type_string() }}) as source_exclusion
    from {{ ref('stg_aspen__assessments') }}

),

star as (

    select
        student_id, school_id,
        {{ dbt.concat(["'STAR '", 'subject']) }} as assessment,
        subject,
        vendor_assessment_id as test,
        test_date,
        scale_score, percentile,
        case
            when percentile >= 40 then 'At/Above Benchmark'
            when percentile >= 25 then 'On Watch'
            when percentile >= 10 then 'Intervention'
            when percentile >= 1 then 'Urgent Intervention'
        end as performance_level,
        cast(null as {{ dbt.type_numeric() }}) as growth,
        grade_equivalent,
        'star' as source_system, file_name, record_number,
        case when not is_valid_percentile then 'invalid_percentile' end as source_exclusion
    from {{ ref('stg_star__results') }}

),

unioned as (select * from x2 union all select * from star),

hashed as (

select
    {{ row_hash(['unioned.source_system', 'unioned.student_id', 'unioned.assessment', 'unioned.subject', 'unioned.test', 'unioned.test_date', 'unioned.scale_score', 'unioned.percentile']) }} as result_id,
    unioned.*,
    case
        when students.student_id is null then 'unknown_student'
        when unioned.source_exclusion is not null then unioned.source_exclusion
        when unioned.test_date is null or unioned.test_date > {{ as_of_date() }} then 'bad_date'
    end as base_exclusion
from unioned
left join students on students.student_id = unioned.student_id

)

select
    hashed.*,
    coalesce(
        base_exclusion,
        case when row_number() over (partition by result_id, base_exclusion order by record_number) > 1
            then 'duplicate_merged' end
    ) as exclusion_reason
from hashed
