-- Checks that no vendor export file repeats a row key: each view's meta.unique_key (the columns
-- that identify a row, e.g. class + user + role in enrollments.csv) is unique.
-- When it matters: a repeated enrollment or role is rejected by SDS and OneRoster consumers.
-- How to resolve: the failing row names the view and the repeated key; find the duplicate's
-- source (usually a repeated SIS row that deduplication did not merge) and fix the view or mart.
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
{%- if meta.get('file_name') and meta.get('unique_key') %}
{%- set parts = [] %}
{%- for c in meta.unique_key %}
{%- if not loop.first %}{% do parts.append("'|'") %}{% endif %}
{%- do parts.append("coalesce(cast(" ~ adapter.quote(c) ~ " as " ~ dbt.type_string() ~ "), '')") %}
{%- endfor %}
{%- do checks.append(
    "select '" ~ node.name ~ "' as export_view, key_value, count(*) as row_count from (select "
    ~ dbt.concat(parts) ~ " as key_value from " ~ adapter.quote(node.schema) ~ "." ~ adapter.quote(node.alias)
    ~ ") as k group by key_value having count(*) > 1") %}
{%- endif %}
{%- endfor %}
{%- endif %}
{%- if checks %}
{{ checks | join('\nunion all\n') }}
{%- else %}
select null as export_view, null as key_value, 0 as row_count where 1 = 0
{%- endif %}
