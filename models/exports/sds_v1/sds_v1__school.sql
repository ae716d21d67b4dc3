-- SDS V1 School.csv: the district's schools with their active principal.
-- nullif(col, '') where the header differs from the column only in case: DuckDB 2.0's DESCRIBE (used by
-- dbt's contract check) reports a bare column under its source name then; nullif also keeps '' out.
select
    orgs.org_id as "SIS ID",
    nullif(orgs.name, '') as "Name",
    orgs.org_id as "School Number",
    orgs.nces_id as "School NCES_ID",
    orgs.state_org_id as "State ID",
    low.sds_grade as "Grade Low",
    high.sds_grade as "Grade High",
    orgs.principal_staff_id as "Principal SIS ID",
    {{ dbt.concat(['orgs.principal_first_name', "' '", 'orgs.principal_last_name']) }} as "Principal Name",
    cast(null as {{ dbt.type_string() }}) as "Principal Secondary Email",
    nullif(orgs.address, '') as "Address",
    nullif(orgs.city, '') as "City",
    nullif(orgs.state, '') as "State",
    cast(null as {{ dbt.type_string() }}) as "Country",
    nullif(orgs.zip, '') as "Zip",
    nullif(orgs.phone, '') as "Phone",
    cast(null as {{ dbt.type_string() }}) as "Zone"
from {{ vendor_base('exports__orgs', 'sds-v1') }} as orgs
left join {{ ref('vendor_grade_codes') }} as low on low.grade_level = orgs.low_grade
left join {{ ref('vendor_grade_codes') }} as high on high.grade_level = orgs.high_grade
where orgs.is_school
