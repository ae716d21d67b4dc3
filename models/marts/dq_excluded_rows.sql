-- Every row that a downstream model leaves out, with its reason and, where known, its file and
-- line: nothing disappears unexplained. A sudden rise in one reason is the first sign of a
-- broken export (see the dq_reject_share singular test).
with

current_files as (select file_sha256 from {{ ref('stg_meta__current_files') }}),

unreadable as (

    select
        r.source, r.entity, r.reason, r.detail, r.file_name, r.record_number,
        cast(null as {{ dbt.type_string() }}) as record_key
    from {{ source('raw_meta', 'rejected_rows') }} as r
    inner join current_files as c on c.file_sha256 = r.file_sha256

),

student_duplicates as (

    select
        '{{ var("sis_source") }}' as source, 'students' as entity, 'duplicate_student_row' as reason,
        {{ dbt.concat(["'another row for this student won (status '", "coalesce(enrollment_status_raw, '')", "', school '", "coalesce(school_id, '')", "')'"]) }} as detail,
        file_name, record_number, student_id as record_key
    from {{ ref('int_students__deduplicated') }}
    where row_rank > 1

),

staff_duplicates as (

    select
        '{{ var("sis_source") }}' as source, 'educators' as entity, 'duplicate_staff_row' as reason,
        'another row for this staff member won' as detail,
        file_name, record_number, staff_id as record_key
    from {{ ref('int_staff__deduplicated') }}
    where row_rank > 1

),

attendance as (

    select
        'aspen' as source, 'attendance' as entity,
        coalesce(exclusion_reason, 'duplicate_merged') as reason,
        {{ event_exclusion_detail('exclusion_reason', 'event_date_raw', 'merged into the event of the same student and day') }} as detail,
        file_name, record_number, student_id as record_key
    from {{ ref('int_attendance__judged') }}
    where exclusion_reason is not null or row_in_day > 1

),

discipline as (

    select
        'aspen' as source, 'behavior' as entity, exclusion_reason as reason,
        {{ event_exclusion_detail('exclusion_reason', 'event_date_raw', 'same incident listed again') }} as detail,
        file_name, record_number, student_id as record_key
    from {{ ref('int_discipline__judged') }}
    where exclusion_reason is not null

),

assessments as (

    select
        source_system as source,
        case when source_system = 'star' then {{ dbt.concat(["'star '", 'lower(subject)']) }} else 'assessments' end as entity,
        exclusion_reason as reason,
        case exclusion_reason
            when 'invalid_percentile' then 'PercentileRank must be 1..99'
            when 'unknown_student' then 'no student with this local id in the students export'
            when 'bad_date' then 'test date missing or in the future'
            else 'same result listed again'
        end as detail,
        file_name, record_number, student_id as record_key
    from {{ ref('int_assessments__judged') }}
    where exclusion_reason is not null

),

section_rows as (

    select
        '{{ var("sis_source") }}' as source, 'section_assignments' as entity, 'unknown_section_or_person' as reason,
        {{ dbt.concat(["'the section or the '", 'a.role', "' is not in tonight''s export'"]) }} as detail,
        a.file_name, a.record_number, a.person_id as record_key
    from {{ ref('int_sis__section_assignments') }} as a
    left join {{ ref('dim_sections') }} as s on s.section_id = a.section_id
    left join {{ ref('dim_students') }} as st on a.role = 'student' and st.student_id = a.person_id
    left join {{ ref('dim_staff') }} as sf on a.role = 'teacher' and sf.staff_id = a.person_id
    where s.section_id is null or (st.student_id is null and sf.staff_id is null)

),

access_grants as (

    select
        'district' as source, 'access_grants' as entity, status as reason,
        case status
            when 'unknown_grantee' then 'no staff member has this id or login'
            when 'ambiguous_grantee' then 'this login names more than one staff member'
            when 'unknown_scope' then 'no org or section has this id'
            else 'the start or end date is not a date'
        end as detail,
        file_name, record_number, grantee as record_key
    from {{ ref('access_grants') }}
    where status in ('unknown_grantee', 'ambiguous_grantee', 'unknown_scope', 'bad_date')

)

select * from unreadable
union all select * from access_grants
union all select * from student_duplicates
union all select * from staff_duplicates
union all select * from attendance
union all select * from discipline
union all select * from assessments
union all select * from section_rows
