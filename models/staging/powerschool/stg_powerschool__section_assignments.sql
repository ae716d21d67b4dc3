-- Who is in which PowerSchool section. Students come from cc: a negative sectionid marks a row that
-- ended before the term did; it was dropped unless it ended when the student left the school
-- (dateleft = students.exitdate) or on the term's last day (the rule KIPP's PowerSchool models
-- use), in which case it still counts. Teachers come from sectionteacher (teacherid is a
-- schoolstaff id; co-teachers are further rows), the lead (sections.teacher) listed first.
with

sections as (select * from {{ ref('stg_powerschool__sections') }}),
students as (select * from {{ ref('stg_powerschool__students') }}),
schoolstaff as (select id, users_dcid from {{ source('raw_powerschool', 'schoolstaff') }}),
users as (select dcid, {{ clean_text('teachernumber') }} as staff_id from {{ source('raw_powerschool', 'users') }}),
cc as (select * from {{ source('raw_powerschool', 'cc') }}),

sectionteacher as (

    select sectionid, teacherid, id from {{ source('raw_powerschool', 'sectionteacher') }}
    union all
    -- A section whose lead teacher has no sectionteacher row still has its teacher.
    select s.id, s.teacher, -1
    from {{ source('raw_powerschool', 'sections') }} as s
    where s.teacher is not null
        and not exists (select 1 from {{ source('raw_powerschool', 'sectionteacher') }} as st
                        where st.sectionid = s.id and st.teacherid = s.teacher)

)

select
    sections.section_id,
    'student' as role,
    students.student_id as person_id,
    cc.id as record_number,
    'powerschool.cc' as file_name
from cc
inner join sections on sections.powerschool_section_id = abs(cc.sectionid)
inner join students on students.powerschool_id = cc.studentid
where cc.sectionid > 0
    or cc.dateleft = students.exit_date
    or cc.dateleft = sections.term_last_day

union all

select
    sections.section_id,
    'teacher' as role,
    users.staff_id as person_id,
    -- The lead first: fct_section_enrollments takes the first teacher listed as the primary one.
    case when sectionteacher.teacherid = sections.powerschool_schoolstaff_id then 0 else sectionteacher.id end as record_number,
    'powerschool.sectionteacher' as file_name
from sectionteacher
inner join sections on sections.powerschool_section_id = sectionteacher.sectionid
inner join schoolstaff on schoolstaff.id = sectionteacher.teacherid
inner join users on users.dcid = schoolstaff.users_dcid
