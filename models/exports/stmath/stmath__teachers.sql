-- ST Math teachers.csv: every teacher students.csv names (position teacher, class-level access),
-- and the principal of each school sent (program coordinator, school-level access). The roster
-- process this export replaces sent it beside students.csv; ST Math's help center calls the same
-- columns admins.csv in its current two-file format. position and access_level take the words
-- another district's ST Math roster uses (teacher / program_coordinator, class_level / school_level).
with

students as (select * from {{ ref('stmath__students') }}),

schools as (

    select org_id, name, stmath_iid, principal_staff_id
    from {{ vendor_base('exports__orgs', 'stmath') }}
    where is_school and stmath_iid is not null

),

staff as (select * from {{ ref('exports__active_staff') }}),

teachers as (

    select distinct "iid" as iid, "district_school_id" as school_id, "school" as school, "district_teacher_id" as staff_id
    from students

),

people as (

    select iid, school_id, school, staff_id, 'teacher' as position, 'class_level' as access_level from teachers
    union all
    select schools.stmath_iid, schools.org_id, schools.name, schools.principal_staff_id, 'program_coordinator', 'school_level'
    from schools
    where schools.principal_staff_id is not null
        and schools.org_id in (select school_id from teachers)
        -- not exists, not "not in": one section without a teacher id (a null staff_id) would make
        -- "not in" unknown, so false, for every principal; and past work_mem PostgreSQL scans per row.
        and not exists (select 1 from teachers where teachers.staff_id = schools.principal_staff_id)

)

select
    people.iid as "iid",
    people.school_id as "district_school_id",
    people.school as "school",
    people.staff_id as "district_teacher_id",
    staff.email as "email",
    staff.last_name as "last_name",
    staff.first_name as "first_name",
    people.position as "position",
    people.access_level as "access_level"
from people
inner join staff on staff.staff_id = people.staff_id
