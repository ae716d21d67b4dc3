-- OneRoster 1.1 enrollments.csv: active students and teachers of this school year's classes;
-- primary is true for each class's first active teacher and blank for students.
select
    {{ oneroster_id("enrollments.section_enrollment_id") }} as "sourcedId",
    cast(null as {{ dbt.type_string() }}) as "status",
    cast(null as {{ dbt.type_string() }}) as "dateLastModified",
    {{ oneroster_id("enrollments.section_id") }} as "classSourcedId",
    {{ oneroster_id("enrollments.school_id") }} as "schoolSourcedId",
    {{ oneroster_id("enrollments.person_id") }} as "userSourcedId",
    enrollments.role as "role",
    case
        when enrollments.role = 'teacher' and enrollments.teacher_rank = 1 then 'true'
        when enrollments.role = 'teacher' then 'false'
    end as "primary",
    cast(null as {{ dbt.type_string() }}) as "beginDate",
    cast(null as {{ dbt.type_string() }}) as "endDate"
from {{ vendor_base('exports__current_enrollments', 'oneroster-1.1') }} as enrollments
