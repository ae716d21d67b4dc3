-- The current school year and the terms its exported sections use (never last year's).
with

sessions as (

    select * from {{ ref('dim_academic_sessions') }}
    where is_current_school_year

),

used as (select distinct term_session_id from {{ ref('exports__current_sections') }})

select
    sessions.session_id,
    sessions.title,
    sessions.session_type,
    sessions.school_year,
    sessions.start_date,
    sessions.end_date,
    {{ iso_date_text('sessions.start_date') }} as start_date_text,
    {{ iso_date_text('sessions.end_date') }} as end_date_text,
    sessions.parent_session_id,
    sessions.term_code is null as is_school_year
from sessions
where sessions.term_code is null
    or sessions.session_id in (select term_session_id from used)
