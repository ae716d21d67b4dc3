-- Every value that was in a file but could not be typed, and every typed value a rule refuses:
-- nothing turns null unrecorded. One row per value, with source, file, record and the record's key
-- (the student's local id where there is one). The row itself may still be used (a student with an
-- unreadable birth date stays a student); rows left out entirely are in dq_excluded_rows.
{% set star_checks = [
    ('completed_date', 'date'), ('assessment_date', 'date'), ('percentile_rank', 'int'),
    ('scaled_score', 'numeric'), ('grade_equivalent', 'numeric'),
    ('total_time_in_seconds', 'int'), ('total_time', 'int'),
] %}
with

typed as (

    {{ invalid_values(source('raw_aspen', 'students'), 'aspen', 'students', 'local_id',
        [('date_of_birth', 'date'), ('registration_date', 'date'), ('ell_entry_date', 'date'),
         ('ell_transition_date', 'date'), ('hispanic_latino', 'bool')]) }}
    union all
    {{ invalid_values(source('raw_aspen', 'attendance'), 'aspen', 'attendance', 'local_id',
        [('event_date', 'date'), ('absence', 'bool'), ('tardy', 'bool'), ('dismissed', 'bool'), ('excused', 'bool')]) }}
    union all
    {{ invalid_values(source('raw_aspen', 'behavior'), 'aspen', 'behavior', 'local_id',
        [('event_date', 'date'), ('incident_time', 'hour')]) }}
    union all
    {{ invalid_values(source('raw_aspen', 'assessments'), 'aspen', 'assessments', 'local_id',
        [('assessment_date', 'date'), ('assessment_scale_score', 'numeric'), ('assessment_growth', 'numeric')]) }}
    union all
    {{ invalid_values(source('raw_aspen', 'courses_sections'), 'aspen', 'courses_sections', 'section_number',
        [('district_school_year', 'int')]) }}
    union all
    {{ invalid_values(source('raw_aspen', 'student_section_assignments'), 'aspen', 'student_section_assignments',
        'local_id', [('district_school_year', 'int')]) }}
    union all
    {{ invalid_values(source('raw_aspen', 'educator_section_assignments'), 'aspen', 'educator_section_assignments',
        'local_id', [('district_school_year', 'int')]) }}
    union all
    {{ invalid_values(source('raw_star', 'reading'), 'star', 'reading', 'coalesce(student_identifier, student_local_id)', star_checks) }}
    union all
    {{ invalid_values(source('raw_star', 'math'), 'star', 'math', 'coalesce(student_identifier, student_local_id)', star_checks) }}

),

students as (select * from {{ ref('int_students__decoded') }}),

-- Values that typed but cannot be true.
implausible as (

    select
        source_system as source, 'students' as entity, 'date_of_birth' as column_name,
        birth_date_raw as raw_value,
        'implausible birth date (in the future or more than 30 years before the as-of date)' as reason,
        file_name, record_number, student_id as record_key
    from students
    where birth_date_parsed is not null and birth_date is null
    union all
    select
        source_system, 'students', 'registration_date',
        cast(registration_date as {{ dbt.type_string() }}),
        'registration date after the as-of date (not a current enrollment until then)',
        file_name, record_number, student_id
    from students
    where registration_date > {{ as_of_date() }}

)

select * from typed
union all
select * from implausible
