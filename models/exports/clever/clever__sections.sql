-- Clever sections.csv: this school year's sections that have an active teacher (Clever requires
-- Teacher_id); up to ten teachers, the primary first.
-- nullif(col, '') where the header differs from the column only in case: DuckDB 2.0's DESCRIBE (used by
-- dbt's contract check) reports a bare column under its source name then; nullif also keeps '' out.
with

teachers as (

    select
        section_id,
        {%- for i in range(1, 11) %}
        max(case when teacher_rank = {{ i }} then person_id end) as teacher_{{ i }}_id{% if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ vendor_base('exports__current_enrollments', 'clever') }}
    where role = 'teacher'
    group by section_id

)

select
    nullif(sections.school_id, '') as "School_id",
    nullif(sections.section_id, '') as "Section_id",
    teachers.teacher_1_id as "Teacher_id",
    {%- for i in range(2, 11) %}
    teachers.teacher_{{ i }}_id as "Teacher_{{ i }}_id",
    {%- endfor %}
    sections.section_title as "Name",
    nullif(sections.section_number, '') as "Section_number",
    cast(null as {{ dbt.type_string() }}) as "Grade",
    sections.course_title as "Course_name",
    nullif(sections.course_number, '') as "Course_number",
    cast(null as {{ dbt.type_string() }}) as "Course_description",
    nullif(sections.period, '') as "Period",
    cast(null as {{ dbt.type_string() }}) as "Subject",
    sections.term_title as "Term_name",
    sections.term_start_date_text as "Term_start",
    sections.term_end_date_text as "Term_end"
from {{ vendor_base('exports__current_sections', 'clever') }} as sections
inner join teachers on teachers.section_id = sections.section_id
