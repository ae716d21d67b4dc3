-- Checks that no vendor export file repeats a row key: each view's meta.unique_key (the columns
-- that identify a row, e.g. class + user + role in enrollments.csv) is unique.
-- When it matters: a repeated enrollment or role is rejected by SDS and OneRoster consumers.
-- How to resolve: the failing row names the view and the repeated key; find the duplicate's
-- source (usually a repeated SIS row that deduplication did not merge) and fix the view or mart.
{#- Runs after every vendor export view (see macros/export_views.sql). -#}
{{ depend_on_every_export_view(this.name) }}
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
