-- OneRoster 1.1 demographics.csv: one row per exported student; race flags true/false. Birth date,
-- race and ethnicity only when shared with OneRoster (exports[].share); otherwise empty.
{%- set races = ['americanIndianOrAlaskaNative', 'asian', 'blackOrAfricanAmerican',
                 'nativeHawaiianOrOtherPacificIslander', 'white', 'demographicRaceTwoOrMoreRaces'] %}
select
    {{ oneroster_id("students.student_id") }} as "sourcedId",
    cast(null as {{ dbt.type_string() }}) as "status",
    cast(null as {{ dbt.type_string() }}) as "dateLastModified",
    {{ shared('birth_date', 'students.birth_date_text') }} as "birthDate",
    case students.gender when 'male' then 'male' when 'female' then 'female' end as "sex",
    {%- for race in races %}
    {{ shared('race_ethnicity', "case when races.oneroster_race_column = '" ~ race ~ "' then 'true' else 'false' end") }} as "{{ race }}",
    {%- endfor %}
    {{ shared('race_ethnicity', "case when students.is_hispanic_latino then 'true' when not students.is_hispanic_latino then 'false' end") }}
        as "hispanicOrLatinoEthnicity",
    cast(null as {{ dbt.type_string() }}) as "countryOfBirthCode",
    cast(null as {{ dbt.type_string() }}) as "stateOfBirthAbbreviation",
    cast(null as {{ dbt.type_string() }}) as "cityOfBirth",
    cast(null as {{ dbt.type_string() }}) as "publicSchoolResidenceStatus"
from {{ vendor_base('exports__active_students', 'oneroster-1.1') }} as students
left join {{ ref('vendor_race_codes') }} as races on races.race = students.race
