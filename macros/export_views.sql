{#- The vendor export views, for the export singular tests: dbt cannot see at parse time which
    models a test will find in the graph, so each test declares them (depends_on) and fails with a
    message when a view with meta.file_name is missing from this list. -#}
{% macro export_views() -%}
{%- set views = [
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
{{ return(views) }}
{%- endmacro %}

{% macro depend_on_every_export_view(test_name) -%}
{%- for v in export_views() %}
-- depends_on: {{ ref(v) }}
{%- endfor %}
{%- if execute %}
{%- for node in graph.nodes.values() | selectattr('resource_type', 'equalto', 'model') %}
{%- if (node.config.get('meta', {}) or {}).get('file_name') and node.name not in export_views() %}
{{ exceptions.raise_compiler_error("Add the export view " ~ node.name ~ " to export_views() in macros/export_views.sql (used by " ~ test_name ~ ")") }}
{%- endif %}
{%- endfor %}
{%- endif %}
{%- endmacro %}
