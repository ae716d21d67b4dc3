-- Checks every value of every vendor export view (models with meta.file_name): no empty strings
-- (an empty value must be null, so the not_null tests on required fields mean "never empty"),
-- no line breaks inside a value, ISO dates (YYYY-MM-DD) where meta.format is date, true/false
-- where meta.format is boolean, and at most meta.max_length characters.
-- When it matters: always; vendors reject or mis-read such files at sync time.
-- How to resolve: each failing row names the view, the column, the problem and the value; fix the
-- view (format the value, or turn '' into null) or the upstream data it came from.
{#- Every vendor export view, so that dbt runs this test after them (the loop below finds them in the
    graph, which dbt cannot see at parse time). A view missing here fails the test with a message. -#}
{%- set export_views = [
    'clever__enrollments', 'clever__schools', 'clever__sections', 'clever__staff',
    'clever__students', 'clever__teachers', 'oneroster_11__academic_sessions',
    'oneroster_11__classes', 'oneroster_11__courses', 'oneroster_11__demographics',
    'oneroster_11__enrollments', 'oneroster_11__manifest', 'oneroster_11__orgs',
    'oneroster_11__users', 'sds_v1__school', 'sds_v1__section', 'sds_v1__student',
    'sds_v1__student_enrollment', 'sds_v1__teacher', 'sds_v1__teacher_roster',
    'sds_v21__academic_sessions', 'sds_v21__classes', 'sds_v21__courses', 'sds_v21__demographics',
    'sds_v21__enrollments', 'sds_v21__orgs', 'sds_v21__roles', 'sds_v21__user_flags',
    'sds_v21__users', 'stmath__students'
] %}
{%- for v in export_views %}
-- depends_on: {{ ref(v) }}
{%- endfor %}
{%- if execute %}
{%- for node in graph.nodes.values() | selectattr('resource_type', 'equalto', 'model') %}
{%- if (node.config.get('meta', {}) or {}).get('file_name') and node.name not in export_views %}
{{ exceptions.raise_compiler_error("Add the export view " ~ node.name ~ " to export_views in " ~ this.name) }}
{%- endif %}
{%- endfor %}
{%- endif %}
{%- set checks = [] %}
{%- if execute %}
{%- for node in graph.nodes.values() | selectattr('resource_type', 'equalto', 'model') %}
{%- set meta = node.config.get('meta', {}) or node.get('meta', {}) %}
{%- if meta.get('file_name') %}
{#- One scan per view: the first problem of each failing row, and its value. -#}
{%- set problems = [] %}
{%- set values = [] %}
{%- for col in node.columns.values() %}
{%- set cmeta = col.get('meta') or col.get('config', {}).get('meta', {}) or {} %}
{%- set c = adapter.quote(col.name) %}
{%- set checks_of_column = [
    ("empty string", c ~ " = ''"),
    ("line break", dbt.position("chr(10)", c) ~ " > 0 or " ~ dbt.position("chr(13)", c) ~ " > 0"),
] %}
{%- if cmeta.get('format') == 'date' %}
{%- do checks_of_column.append(("not an ISO date", "not (" ~ c ~ " similar to '[0-9]{4}-[0-9]{2}-[0-9]{2}')")) %}
{%- elif cmeta.get('format') == 'boolean' %}
{%- do checks_of_column.append(("not true/false", c ~ " not in ('true', 'false')")) %}
{%- endif %}
{%- if cmeta.get('max_length') %}
{%- do checks_of_column.append(("longer than " ~ cmeta.max_length, dbt.length(c) ~ " > " ~ cmeta.max_length)) %}
{%- endif %}
{%- for label, condition in checks_of_column %}
{%- do problems.append("case when " ~ c ~ " is not null and (" ~ condition ~ ") then '" ~ col.name ~ ": " ~ label ~ "' end") %}
{%- do values.append("case when " ~ c ~ " is not null and (" ~ condition ~ ") then cast(" ~ c ~ " as " ~ dbt.type_string() ~ ") end") %}
{%- endfor %}
{%- endfor %}
{%- do checks.append(
    "select export_view, problem, value from (select '" ~ node.name ~ "' as export_view, coalesce(" ~ problems | join(", ")
    ~ ") as problem, coalesce(" ~ values | join(", ") ~ ") as value from "
    ~ adapter.quote(node.schema) ~ "." ~ adapter.quote(node.alias) ~ ") as checked where problem is not null") %}
{%- endif %}
{%- endfor %}
{%- endif %}
{%- if checks %}
{{ checks | join('\nunion all\n') }}
{%- else %}
select null as export_view, null as problem, null as value where 1 = 0
{%- endif %}
