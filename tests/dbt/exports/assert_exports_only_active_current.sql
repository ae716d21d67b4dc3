-- Checks that vendor exports carry only what a vendor may keep: every id in a column tagged
-- meta.references is an active student (student), an active staff member (staff), either
-- (person), or a section of the current school year (section). Withdrawn or graduated students,
-- inactive or terminated staff and last year's sections must never be sent.
-- When it matters: always; a vendor shown an inactive person keeps their account open, and a
-- terminated teacher keeps access to student data.
-- How to resolve: the failing row names the view, column and id; the view's filter on the
-- exports__ base views was bypassed, or the marts' is_active / is_current_school_year is wrong.
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
