-- The district's school days this school year, up to the as-of date. The SIS exports no calendar,
-- so a school day is a weekday on which the district recorded at least one attendance event;
-- a district can pin its calendar instead by listing days in the school_days seed (var use_school_days_seed).
{% if var('use_school_days_seed') %}
select cast(school_day as date) as school_day from {{ ref('school_days') }}
where cast(school_day as date) <= {{ as_of_date() }}
{% else %}
select distinct event_date as school_day
from {{ ref('int_attendance__events') }}
where event_date >= {{ date_from_year_mmdd(current_school_year() ~ ' - 1', "'07-01'") }}
    and event_date <= {{ as_of_date() }}
    and {{ weekday_name('event_date') }} not in ('Saturday', 'Sunday')
{% endif %}
