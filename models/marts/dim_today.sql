-- One row: the date that counts as today (var as_of_date, else the engine's date) and the school
-- year it falls in, published once so the dashboards never re-derive the rule.
with

days as (select min(school_day) as first_school_day, max(school_day) as last_school_day from {{ ref('dim_school_days') }})

select
    {{ as_of_date() }} as as_of_date,
    {{ current_school_year() }} as school_year,
    {{ date_from_year_mmdd(current_school_year() ~ ' - 1', "'07-01'") }} as school_year_start_date,
    {{ date_from_year_mmdd(current_school_year(), "'06-30'") }} as school_year_end_date,
    days.first_school_day,
    days.last_school_day
from days
