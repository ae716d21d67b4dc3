-- Checks every value of every vendor export view (models with meta.file_name): no empty strings
-- (an empty value must be null, so the not_null tests on required fields mean "never empty"),
-- no line breaks inside a value, ISO dates (YYYY-MM-DD) where meta.format is date, true/false
-- where meta.format is boolean, and at most meta.max_length characters.
-- When it matters: always; vendors reject or mis-read such files at sync time.
-- How to resolve: each failing row names the view, the column, the problem and the value; fix the
-- view (format the value, or turn '' into null) or the upstream data it came from.
{#- Runs after every vendor export view (see macros/export_views.sql). -#}
{{ depend_on_every_export_view(this.name) }}
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
