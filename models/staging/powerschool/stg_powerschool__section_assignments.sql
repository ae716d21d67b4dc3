-- Who is in which PowerSchool section, as section assignments: students from cc (a negative
-- sectionid is a dropped section, left out) and each section's teacher.
with

sections as (select * from {{ ref('stg_powerschool__sections') }}),
students as (select cast(id as {{ dbt.type_string() }}) as ps_id, trim(cast(student_number as {{ dbt.type_string() }})) as student_id from {{ source('raw_powerschool', 'students') }}),
teachers as (select cast(id as {{ dbt.type_string() }}) as ps_id, trim(cast(teachernumber as {{ dbt.type_string() }})) as staff_id from {{ source('raw_powerschool', 'teachers') }}),
cc as (select * from {{ source('raw_powerschool', 'cc') }})

select
    sections.section_id,
    'student' as role,
    students.student_id as person_id,
    cast(row_number() over (order by sections.section_id, students.student_id) as {{ dbt.type_bigint() }}) as record_number,
    'powerschool.cc' as file_name
from cc
inner join sections on sections.powerschool_section_id = cast(cc.sectionid as {{ dbt.type_string() }})
inner join students on students.ps_id = cast(cc.studentid as {{ dbt.type_string() }})
where cast(cc.sectionid as integer) > 0

union all

select
    sections.section_id,
    'teacher' as role,
    teachers.staff_id as person_id,
    sections.record_number,
    'powerschool.sections' as file_name
from sections
inner join teachers on teachers.ps_id = sections.powerschool_teacher_id
