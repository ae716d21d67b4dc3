{#- The checks every vendor export file gets: attach `export_file` to each export view (a test in
    tests/test_dbt_docs.py makes sure none is missing). Its severity is var('export_checks_severity')
    through the exports folder's test config: warn in a plain build, error before a push.

    One failing row per problem: the check, what is wrong, and the value or key.
    - well_formed: no empty strings (an empty value must be null, so not_null on a required field
      means "never empty"), no line breaks, ISO dates (YYYY-MM-DD) where the column's meta.format is
      date, true/false where it is boolean, at most meta.max_length and at least meta.min_length characters.
    - unique_key: the view's meta.unique_key (the columns that identify a row) is never repeated;
      SDS and OneRoster consumers reject a repeated enrollment or role.
    - active_current: every id in a column with meta.references is an active student (student), an
      active staff member (staff), either (person), or a section of the current school year
      (section); vendors keep accounts of the people they are sent.
    When it matters: always; vendors reject or mis-read such files at sync time, or keep the wrong
    people. How to resolve: fix the view (format the value, turn '' into null, keep its filter on the
    exports__ base views) or the mart it reads (is_active, is_current_school_year, deduplication). -#}
{% test export_file(model) %}
{%- set node = _export_node(model) %}
{%- set checks = [] %}
{%- if node %}
{%- do checks.append(_export_well_formed(model, node)) %}
{%- if node.config.meta.get('unique_key') %}{% do checks.append(_export_unique_key(model, node)) %}{% endif %}
{%- set ids = _export_active_current(model, node) %}
{%- if ids %}{% do checks.append(ids) %}{% endif %}
{%- endif %}
with
{# Each id once (left-joined below: a repeated id would repeat the row's problem). #}
student_ids as (select distinct student_id as id from {{ ref('dim_students') }} where is_active),
staff_ids as (select distinct staff_id as id from {{ ref('dim_staff') }} where is_active),
person_ids as (select id from student_ids union select id from staff_ids),
section_ids as (select distinct section_id as id from {{ ref('dim_sections') }} where is_current_school_year)
{%- if checks %}
{{ checks | join('\nunion all\n') }}
{%- else %}
select null as export_check, null as problem, null as value from student_ids where 1 = 0
{%- endif %}
{% endtest %}

{#- The manifest node of the view a test runs on (its meta and documented columns). -#}
{% macro _export_node(model) -%}
{%- if execute -%}
{%- for node in graph.nodes.values() if node.resource_type == 'model' and node.alias == model.identifier and node.schema == model.schema -%}
{{ return(node) }}
{%- endfor -%}
{%- endif -%}
{{ return(none) }}
{%- endmacro %}

{% macro _column_meta(col) -%}
{{ return(col.get('meta') or col.get('config', {}).get('meta', {}) or {}) }}
{%- endmacro %}

{#- One scan of the view: the first problem of each failing row, and its value. -#}
{% macro _export_well_formed(model, node) -%}
{%- set problems, values = [], [] %}
{%- for col in node.columns.values() %}
{%- set cmeta = _column_meta(col) %}
{%- set c = adapter.quote(col.name) %}
{%- set checks_of_column = [
    ("empty string", c ~ " = ''"),
    ("line break", dbt.position("chr(10)", c) ~ " > 0 or " ~ dbt.position("chr(13)", c) ~ " > 0"),
] %}
{%- if cmeta.get('format') == 'date' %}
{%- do checks_of_column.append(("not an ISO date", "not " ~ matches(c, '[0-9]{4}-[0-9]{2}-[0-9]{2}'))) %}
{%- elif cmeta.get('format') == 'boolean' %}
{%- do checks_of_column.append(("not true/false", c ~ " not in ('true', 'false')")) %}
{%- endif %}
{%- if cmeta.get('max_length') %}
{%- do checks_of_column.append(("longer than " ~ cmeta.max_length, dbt.length(c) ~ " > " ~ cmeta.max_length)) %}
{%- endif %}
{%- if cmeta.get('min_length') %}
{%- do checks_of_column.append(("shorter than " ~ cmeta.min_length, dbt.length(c) ~ " < " ~ cmeta.min_length)) %}
{%- endif %}
{%- for label, condition in checks_of_column %}
{%- do problems.append("case when " ~ c ~ " is not null and (" ~ condition ~ ") then '" ~ col.name ~ ": " ~ label ~ "' end") %}
{%- do values.append("case when " ~ c ~ " is not null and (" ~ condition ~ ") then cast(" ~ c ~ " as " ~ dbt.type_string() ~ ") end") %}
{%- endfor %}
{%- endfor %}
select 'well_formed' as export_check, problem, value from (
    select coalesce({{ problems | join(", ") }}) as problem, coalesce({{ values | join(", ") }}) as value
    from {{ model }}
) as checked where problem is not null
{%- endmacro %}

{% macro _export_unique_key(model, node) -%}
{%- set parts = [] %}
{%- for c in node.config.meta.unique_key %}
{%- if not loop.first %}{% do parts.append("'|'") %}{% endif %}
{%- do parts.append("coalesce(cast(" ~ adapter.quote(c) ~ " as " ~ dbt.type_string() ~ "), '')") %}
{%- endfor %}
select 'unique_key' as export_check,
    {{ dbt.concat(["'" ~ node.config.meta.unique_key | join('+') ~ " repeated '", "cast(count(*) as " ~ dbt.type_string() ~ ")", "' times'"]) }} as problem,
    key_value as value
from (select {{ dbt.concat(parts) }} as key_value from {{ model }}) as k
group by key_value
having count(*) > 1
{%- endmacro %}

{#- One scan: the first id of each row that is not what its column promises. Each id column is
    left-joined to its id set (an anti-join on every engine): "not in (select ...)" is a hashed
    subplan on PostgreSQL only while the ids fit in work_mem, and past that (a state's million
    students) a scan of the ids per row: Clever's enrollments check ran 2.5 minutes before it was
    stopped. -#}
{% macro _export_active_current(model, node) -%}
{%- set problems, ids, joins = [], [], [] %}
{%- for col in node.columns.values() %}
{%- set kind = _column_meta(col).get('references') %}
{%- if kind in ('student', 'staff', 'person', 'section') %}
{%- set c = 'checked_rows.' ~ adapter.quote(col.name) %}
{%- set known = 'known_' ~ loop.index %}
{%- do joins.append("left join " ~ kind ~ "_ids as " ~ known ~ " on " ~ known ~ ".id = " ~ c) %}
{%- set condition = c ~ " is not null and " ~ known ~ ".id is null" %}
{%- do problems.append("case when " ~ condition ~ " then '" ~ col.name ~ " is not an active/current " ~ kind ~ "' end") %}
{%- do ids.append("case when " ~ condition ~ " then " ~ c ~ " end") %}
{%- endif %}
{%- endfor %}
{%- if problems -%}
select 'active_current' as export_check, problem, value from (
    select coalesce({{ problems | join(", ") }}) as problem, coalesce({{ ids | join(", ") }}) as value
    from {{ model }} as checked_rows
    {{ joins | join("\n    ") }}
) as checked where problem is not null
{%- endif %}
{%- endmacro %}
