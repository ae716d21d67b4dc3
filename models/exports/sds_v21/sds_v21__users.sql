-- SDS V2.1 users.csv: active students and active staff. username is a full address at the
-- district's domain; passwords only when the district sets a student password policy.
select
    student_id as "sourcedId",
    username as "username",
    first_name as "givenName",
    last_name as "familyName",
    password as "password",
    cast(null as {{ dbt.type_string() }}) as "activeDirectoryMatchId",
    email as "email",
    cast(null as {{ dbt.type_string() }}) as "phone",
    cast(null as {{ dbt.type_string() }}) as "sms"
from {{ vendor_base('exports__active_students', 'sds-v2.1') }}

union all

select
    staff_id as "sourcedId",
    username as "username",
    first_name as "givenName",
    last_name as "familyName",
    cast(null as {{ dbt.type_string() }}) as "password",
    cast(null as {{ dbt.type_string() }}) as "activeDirectoryMatchId",
    email as "email",
    cast(null as {{ dbt.type_string() }}) as "phone",
    cast(null as {{ dbt.type_string() }}) as "sms"
from {{ vendor_base('exports__active_staff', 'sds-v2.1') }}
