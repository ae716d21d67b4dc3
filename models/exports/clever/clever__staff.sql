-- Clever staff.csv: active staff who are not teachers (they are in teachers.csv). School_id only
-- when their org is a school; district and department staff get their department's name.
-- nullif(col, '') where the header differs from the column only in case: DuckDB 2.0's DESCRIBE (used by
-- dbt's contract check) reports a bare column under its source name then; nullif also keeps '' out.
select
    case when orgs.is_school then staff.org_id end as "School_id",
    nullif(staff.staff_id, '') as "Staff_id",
    staff.email as "Staff_email",
    nullif(staff.first_name, '') as "First_name",
    nullif(staff.last_name, '') as "Last_name",
    case when not orgs.is_school then orgs.name end as "Department",
    nullif(staff.title, '') as "Title",
    nullif(staff.username, '') as "Username",
    cast(null as {{ dbt.type_string() }}) as "Password",
    staff.staff_role as "Role"
from {{ vendor_base('exports__active_staff', 'clever') }} as staff
inner join {{ vendor_base('exports__orgs', 'clever') }} as orgs on orgs.org_id = staff.org_id
where not (staff.is_teacher and staff.school_id is not null)
