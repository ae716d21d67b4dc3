-- Clever schools.csv: the district's schools with their active principal.
-- nullif(col, '') where the header differs from the column only in case: DuckDB 2.0's DESCRIBE (used by
-- dbt's contract check) reports a bare column under its source name then; nullif also keeps '' out.
select
    orgs.org_id as "School_id",
    orgs.name as "School_name",
    orgs.org_id as "School_number",
    orgs.state_org_id as "State_id",
    low.clever_grade as "Low_grade",
    high.clever_grade as "High_grade",
    {{ dbt.concat(['orgs.principal_first_name', "' '", 'orgs.principal_last_name']) }} as "Principal",
    nullif(orgs.principal_email, '') as "Principal_email",
    orgs.address as "School_address",
    orgs.city as "School_city",
    orgs.state as "School_state",
    orgs.zip as "School_zip",
    orgs.phone as "School_phone"
from {{ vendor_base('exports__orgs', 'clever') }} as orgs
left join {{ ref('vendor_grade_codes') }} as low on low.grade_level = orgs.low_grade
left join {{ ref('vendor_grade_codes') }} as high on high.grade_level = orgs.high_grade
where orgs.is_school
