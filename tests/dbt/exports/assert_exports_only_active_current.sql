-- Checks that vendor exports carry only what a vendor may keep: every id in a column tagged
-- meta.references is an active student (student), an active staff member (staff), either
-- (person), or a section of the current school year (section). Withdrawn or graduated students,
-- inactive or terminated staff and last year's sections must never be sent.
-- When it matters: always; a vendor shown an inactive person keeps their account open, and a
-- terminated teacher keeps access to student data.
-- How to resolve: the failing row names the view, column and id; the view's filter on the
-- exports__ base views was bypassed, or the marts' is_active / is_current_school_year is wrong.
{#- Runs after every vendor export view (see macros/export_views.sql). -#}
{{ depend_on_every_export_view(this.name) }}
{%- set checks = [] %}
{%- set sources = {
    'student': "select student_id as id from " ~ ref('dim_students') ~ " where is_active",
    'staff': "select staff_id as id from " ~ ref('dim_staff') ~ " where is_active",
    'person': "select student_id as id from " ~ ref('dim_students') ~ " where is_active union all select staff_id from " ~ ref('dim_staff') ~ " where is_active",
    'section': "select section_id as id from " ~ ref('dim_sections') ~ " where is_current_school_year",
} %}
{%- if execute %}
{%- for node in graph.nodes.values() | selectattr('resource_type', 'equalto', 'model') %}
{%- set meta = node.config.get('meta', {}) or node.get('meta', {}) %}
{%- if meta.get('file_name') %}
{#- One scan per view: the first id of each row that is not what its column promises. -#}
{%- set problems = [] %}
{%- set ids = [] %}
{%- for col in node.columns.values() %}
{%- set cmeta = col.get('meta') or col.get('config', {}).get('meta', {}) or {} %}
{%- if cmeta.get('references') in sources %}
{%- set c = adapter.quote(col.name) %}
{%- set condition = c ~ " is not null and " ~ c ~ " not in (select id from " ~ cmeta.references ~ "_ids)" %}
{%- do problems.append("case when " ~ condition ~ " then '" ~ col.name ~ " is not an active/current " ~ cmeta.references ~ "' end") %}
{%- do ids.append("case when " ~ condition ~ " then " ~ c ~ " end") %}
{%- endif %}
{%- endfor %}
{%- if problems %}
{%- do checks.append(
    "select export_view, problem, id from (select '" ~ node.name ~ "' as export_view, coalesce(" ~ problems | join(", ")
    ~ ") as problem, coalesce(" ~ ids | join(", ") ~ ") as id from "
    ~ adapter.quote(node.schema) ~ "." ~ adapter.quote(node.alias) ~ ") as checked where problem is not null") %}
{%- endif %}
{%- endif %}
{%- endfor %}
{%- endif %}
with
{%- for name, sql in sources.items() %}
{{ name }}_ids as ({{ sql }}){% if not loop.last %},{% endif %}
{%- endfor %}
{%- if checks %}
{{ checks | join('\nunion all\n') }}
{%- else %}
select null as export_view, null as problem, null as id where 1 = 0
{%- endif %}
