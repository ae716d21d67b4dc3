-- SDS V1 School.csv: the district's schools with their active principal.
select
    orgs.org_id as "SIS ID",
    orgs.name as "Name",
    orgs.org_id as "School Number",
    orgs.nces_id as "School NCES_ID",
    orgs.state_org_id as "State ID",
    low.sds_grade as "Grade Low",
    high.sds_grade as "Grade High",
    orgs.principal_staff_id as "Principal SIS ID",
    {{ dbt.concat(['orgs.principal_first_name', "' '", 'orgs.principal_last_name']) }} as "Principal Name",
    cast(null as {{ dbt.type_string() }}) as "Principal Secondary Email",
    orgs.address as "Address",
    orgs.city as "City",
    orgs.state as "State",
    cast(null as {{ dbt.type_string() }}) as "Country",
    orgs.zip as "Zip",
    orgs.phone as "Phone",
    cast(null as {{ dbt.type_string() }}) as "Zone"
from {{ ref('exports__orgs') }} as orgs
left join {{ ref('vendor_grade_codes') }} as low on low.grade_level = orgs.low_grade
left join {{ ref('vendor_grade_codes') }} as high on high.grade_level = orgs.high_grade
where orgs.is_school
