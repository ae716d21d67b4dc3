-- OneRoster 1.1 users.csv: active students and active staff whose role OneRoster 1.1 has
-- (vendor_staff_roles; anyone teaching a current section is a teacher).
select
    {{ oneroster_id("students.student_id") }} as "sourcedId",
    cast(null as {{ dbt.type_string() }}) as "status",
    cast(null as {{ dbt.type_string() }}) as "dateLastModified",
    'true' as "enabledUser",
    {{ oneroster_id("students.school_id") }} as "orgSourcedIds",
    'student' as "role",
    students.username as "username",
    cast(null as {{ dbt.type_string() }}) as "userIds",
    students.first_name as "givenName",
    students.last_name as "familyName",
    students.middle_name as "middleName",
    students.student_id as "identifier",
    students.email as "email",
    cast(null as {{ dbt.type_string() }}) as "sms",
    cast(null as {{ dbt.type_string() }}) as "phone",
    cast(null as {{ dbt.type_string() }}) as "agentSourcedIds",
    grades.oneroster_grade as "grades",
    students.password as "password"
from {{ vendor_base('exports__active_students', 'oneroster-1.1') }} as students
left join {{ ref('vendor_grade_codes') }} as grades on grades.grade_level = students.grade_level

union all

select
    {{ oneroster_id("staff.staff_id") }} as "sourcedId",
    cast(null as {{ dbt.type_string() }}) as "status",
    cast(null as {{ dbt.type_string() }}) as "dateLastModified",
    'true' as "enabledUser",
    {{ oneroster_id("staff.org_id") }} as "orgSourcedIds",
    staff.oneroster_role as "role",
    staff.username as "username",
    cast(null as {{ dbt.type_string() }}) as "userIds",
    staff.first_name as "givenName",
    staff.last_name as "familyName",
    staff.middle_name as "middleName",
    staff.staff_id as "identifier",
    staff.email as "email",
    cast(null as {{ dbt.type_string() }}) as "sms",
    cast(null as {{ dbt.type_string() }}) as "phone",
    cast(null as {{ dbt.type_string() }}) as "agentSourcedIds",
    cast(null as {{ dbt.type_string() }}) as "grades",
    cast(null as {{ dbt.type_string() }}) as "password"
from {{ vendor_base('exports__active_staff', 'oneroster-1.1') }} as staff
where staff.oneroster_role is not null
