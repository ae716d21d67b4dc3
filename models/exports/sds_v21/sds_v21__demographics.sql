-- SDS V2.1 demographics.csv: one row per exported student.
select
    students.student_id as "userSourcedId",
    case students.gender when 'male' then 'male' when 'female' then 'female' else 'notSelected' end as "sex",
    students.birth_date_text as "birthDate",
    cast(null as {{ dbt.type_string() }}) as "birthCity",
    cast(null as {{ dbt.type_string() }}) as "birthState",
    cast(null as {{ dbt.type_string() }}) as "birthCountry",
    case when students.is_hispanic_latino then 'hispanicOrLatinoEthnicity' end as "ethnicityCodes",
    races.sds_race_code as "raceCodes"
from {{ ref('exports__active_students') }} as students
left join {{ ref('vendor_race_codes') }} as races on races.race = students.race
