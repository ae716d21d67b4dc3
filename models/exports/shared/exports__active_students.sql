-- Students every roster vendor receives: active now (no withdrawn, graduated, inactive or
-- preregistered students), at a school in exports__orgs. Usernames come from the district's
-- student email domain: the SIS email when it is at that domain, else <student_id>@domain.
{%- set domain = var('student_email_domain') %}
{%- set policy = var('student_password_policy') %}
with

students as (

    select * from {{ ref('dim_students') }}
    where is_active and enrollment_status = 'active'

),

schools as (select org_id from {{ ref('exports__orgs') }} where is_school),

sessions as (

    select school_year from {{ ref('dim_academic_sessions') }}
    where is_current_school_year and session_type = 'schoolYear' and term_code is null

),

grades as (select grade_level, grade_sort from {{ ref('grade_levels') }})

select
    -- ids
    students.student_id,
    students.state_student_id,
    students.school_id,

    -- names and contact
    students.first_name,
    students.middle_name,
    students.last_name,
    students.email,
    {% if domain -%}
    case
        when {{ dbt.right('students.email', (domain | length) + 1) }} = '@{{ domain | replace("'", "''") }}'
            then students.email
        else {{ dbt.concat(['students.student_id', "'@" ~ (domain | replace("'", "''")) ~ "'"]) }}
    end as username,
    {%- else -%}
    students.email as username,
    {%- endif %}
    {% if policy == 'student_id' -%}
    students.student_id as password,
    {%- elif policy == 'state_id' -%}
    students.state_student_id as password,
    {%- elif not policy -%}
    cast(null as {{ dbt.type_string() }}) as password,
    {%- else -%}
    {{ exceptions.raise_compiler_error("student_password_policy must be student_id, state_id or empty, not " ~ policy) }}
    {%- endif %}

    -- demographics and programs
    students.birth_date,
    {{ iso_date_text('students.birth_date') }} as birth_date_text,
    students.gender,
    students.grade_level,
    students.race,
    students.is_hispanic_latino,
    students.home_language,
    students.lunch_status,
    students.is_ell,
    students.has_iep,
    students.has_504_plan,
    students.registration_date,
    {{ iso_date_text('students.registration_date') }} as registration_date_text,
    -- The spring a student in grades 01–12 is due to graduate.
    case
        when grades.grade_sort between 1 and 12 then sessions.school_year + 12 - grades.grade_sort
    end as graduation_year

from students
inner join schools on schools.org_id = students.school_id
cross join sessions
left join grades on grades.grade_level = students.grade_level
