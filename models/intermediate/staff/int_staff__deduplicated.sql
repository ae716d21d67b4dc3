-- One row per educator. Several rows for one staff id: an active row wins, then the later record.
-- Email: the file's email column when sent, else login_name at var('email_domain') when set.
with

educators as (

    select * from {{ ref('int_staff__decoded') }}
    where staff_id is not null and staff_id <> ''

),

ranked as (

    select
        educators.*,
        count(*) over (partition by staff_id) as source_row_count,
        row_number() over (
            partition by staff_id
            order by case when is_active then 0 else 1 end, record_number desc
        ) as row_rank
    from educators

)

select
    ranked.*,
    coalesce(
        email,
        case when {{ dbt.position("'@'", 'login_name') }} > 0 then login_name end
        {%- if var('email_domain') %},
        {{ dbt.concat(['login_name', "'@" ~ var('email_domain') ~ "'"]) }}
        {%- endif %}
    ) as resolved_email
from ranked
