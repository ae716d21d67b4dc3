-- School years and their terms, with dates. Term dates come from the xwalk_terms seed (a district
-- edits it to match its calendar); the school years are those the sections use plus the current one.
with

terms as (select * from {{ ref('xwalk_terms') }}),

years as (

    select distinct school_year from {{ ref('int_sections__deduplicated') }}
    union
    select {{ current_school_year() }} as school_year

),

school_years as (

    select
        cast(school_year as {{ dbt.type_string() }}) as session_id,
        {{ dbt.concat(["cast(school_year - 1 as " ~ dbt.type_string() ~ ")", "'-'", "cast(school_year as " ~ dbt.type_string() ~ ")"]) }} as title,
        'schoolYear' as session_type,
        school_year,
        cast(null as {{ dbt.type_string() }}) as term_code,
        {{ date_from_year_mmdd('school_year - 1', "'07-01'") }} as start_date,
        {{ date_from_year_mmdd('school_year', "'06-30'") }} as end_date,
        cast(null as {{ dbt.type_string() }}) as parent_session_id
    from years

),

year_terms as (

    select
        {{ dbt.concat(["cast(years.school_year as " ~ dbt.type_string() ~ ")", "'-'", 'terms.term_code']) }} as session_id,
        {{ dbt.concat(['terms.title', "' '", "cast(years.school_year - 1 as " ~ dbt.type_string() ~ ")", "'-'", "cast(years.school_year as " ~ dbt.type_string() ~ ")"]) }} as title,
        terms.session_type,
        years.school_year,
        terms.term_code,
        {{ date_from_year_mmdd('years.school_year + terms.start_year_offset', 'terms.start_mmdd') }} as start_date,
        {{ date_from_year_mmdd('years.school_year + terms.end_year_offset', 'terms.end_mmdd') }} as end_date,
        cast(years.school_year as {{ dbt.type_string() }}) as parent_session_id
    from years
    cross join terms

),

sessions as (

    select * from school_years
    union all
    select * from year_terms

)

select
    sessions.*,
    school_year = {{ current_school_year() }} as is_current_school_year,
    {{ as_of_date() }} between start_date and end_date as is_in_progress
from sessions
