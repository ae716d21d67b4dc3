-- Clever staff.csv: active staff who are not teachers (they are in teachers.csv). Clever requires a
-- School_id on every row and takes a staff member at several schools as one row per school: staff
-- of a school get that school; district and department staff get one row for each school of
-- their district, with their department's name.
-- nullif(col, '') where the header differs from the column only in case: DuckDB 2.0's DESCRIBE (used by
-- dbt's contract check) reports a bare column under its source name then; nullif also keeps '' out.
with

staff as (select * from {{ vendor_base('exports__active_staff', 'clever') }}),

orgs as (select * from {{ vendor_base('exports__orgs', 'clever') }}),

placements as (

    select staff.staff_id, orgs.org_id as school_id, cast(null as {{ dbt.type_string() }}) as department
    from staff
    inner join orgs on orgs.org_id = staff.org_id
    where orgs.is_school

    union all

    select staff.staff_id, schools.org_id, home.name
    from staff
    inner join orgs as home on home.org_id = staff.org_id and not home.is_school
    inner join orgs as schools on schools.is_school and schools.district_org_id = home.district_org_id

)

select
    placements.school_id as "School_id",
    nullif(staff.staff_id, '') as "Staff_id",
    staff.email as "Staff_email",
    nullif(staff.first_name, '') as "First_name",
    nullif(staff.last_name, '') as "Last_name",
    placements.department as "Department",
    nullif(staff.title, '') as "Title",
    nullif(staff.username, '') as "Username",
    cast(null as {{ dbt.type_string() }}) as "Password",
    staff.staff_role as "Role"
from staff
inner join placements on placements.staff_id = staff.staff_id
where not (staff.is_teacher and staff.school_id is not null)
