-- School days of the current school year up to the as-of date, numbered, with their month.
select
    school_day,
    row_number() over (order by school_day) as day_number,
    {{ dbt.date_trunc('month', 'school_day') }} as school_month,
    {{ weekday_name('school_day') }} as weekday
from {{ ref('int_calendar__school_days') }}
