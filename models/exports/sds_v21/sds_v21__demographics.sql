-- SDS V2.1 demographics.csv: one row per exported student (birth date, race and ethnicity only
-- when shared with SDS: exports[].share).
select
    students.student_id as "userSourcedId",
    case students.gender when 'male' then 'male' when 'female' then 'female' else 'notSelected' end as "sex",
    {{ shared('birth_date', 'students.birth_date_text') }} as "birthDate",
    cast(null as {{ dbt.type_string() }}) as "birthCity",
    cast(null as {{ dbt.type_string() }}) as "birthState",
    cast(null as {{ dbt.type_string() }}) as "birthCountry",
    {{ shared('race_ethnicity', "case when students.is_hispanic_latino then 'hispanicOrLatinoEthnicity' end") }}
        as "ethnicityCodes",
    {{ shared('race_ethnicity', 'races.sds_race_code') }} as "raceCodes"
from {{ vendor_base('exports__active_students', 'sds-v2.1') }} as students
left join {{ ref('vendor_race_codes') }} as races on races.race = students.race
