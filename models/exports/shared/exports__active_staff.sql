-- Staff every roster vendor may receive: active now (terminated or inactive staff never appear),
-- at an org in exports__orgs. Usernames: the SIS email when it is at the district's email
-- domain, else <login_name>@domain. is_teacher: teaches a current section or has a teaching role.
{%- set domain = var('email_domain') %}
with

staff as (

    select * from {{ ref('dim_staff') }}
    where is_active

),

orgs as (select org_id, is_school from {{ ref('exports__orgs') }}),

teaching as (

    -- Each teacher's current sections, and the school of the first one (for teachers whose own
    -- org is not a school, e.g. district staff who also teach).
    select
        enrollments.staff_id,
        count(*) as current_section_count,
        min(sections.school_id) as first_section_school_id
    from {{ ref('fct_section_enrollments') }} as enrollments
    inner join {{ ref('exports__current_sections') }} as sections
        on sections.section_id = enrollments.section_id
    where enrollments.role = 'teacher' and enrollments.is_current
    group by enrollments.staff_id

),

roles as (select * from {{ ref('vendor_staff_roles') }})

select
    -- ids
    staff.staff_id,
    staff.state_staff_id,
    staff.login_name,
    staff.school_id as org_id,
    case when orgs.is_school then staff.school_id else teaching.first_section_school_id end as school_id,

    -- names and contact
    staff.first_name,
    staff.middle_name,
    staff.last_name,
    staff.email,
    {% if domain -%}
    case
        when {{ dbt.right('staff.email', (domain | length) + 1) }} = '@{{ domain | replace("'", "''") }}'
            then staff.email
        when staff.login_name is not null
            then {{ dbt.concat(['staff.login_name', "'@" ~ (domain | replace("'", "''")) ~ "'"]) }}
    end as username,
    {%- else -%}
    staff.email as username,
    {%- endif %}

    -- role
    staff.staff_type as title,
    staff.staff_role,
    coalesce(teaching.current_section_count, 0) > 0 or roles.clever_file = 'teachers' as is_teacher,
    case when coalesce(teaching.current_section_count, 0) > 0 then 'teacher' else roles.oneroster_role end as oneroster_role,
    coalesce(teaching.current_section_count, 0) as current_section_count

from staff
inner join orgs on orgs.org_id = staff.school_id
left join teaching on teaching.staff_id = staff.staff_id
left join roles on roles.staff_role = staff.staff_role
