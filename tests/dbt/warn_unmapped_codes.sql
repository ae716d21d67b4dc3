-- Checks: every code tonight's SIS and district files use has a row in its crosswalk seed (grade,
--   enrollment status, gender, race, lunch, English-learner and 504 status of students; staff type
--   and status; orgs.csv grade spans).
-- When it matters: an unmapped code decodes to null, 'unknown', 'not_selected', no plan or (for an
--   enrollment status) active; counts by subgroup, rosters and vendor files are then quietly wrong.
-- How to resolve: each row names the crosswalk, the SIS, the column, the code and how many rows
--   carry it; add a row for the code to seeds/<crosswalk>.csv (a district's own codes belong there).
{{ config(severity='warn') }}
select crosswalk, source_system, column_name, raw_value, row_count, first_seen
from {{ ref('dq_unmapped_codes') }}
where last_seen = {{ as_of_date() }}
