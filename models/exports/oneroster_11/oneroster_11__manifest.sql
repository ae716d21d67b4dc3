-- OneRoster 1.1 manifest.csv: a bulk file set; files Schoolhouse does not produce are 'absent'.
{%- set files = [
    ('academicSessions', 'bulk'), ('categories', 'absent'), ('classes', 'bulk'), ('classResources', 'absent'),
    ('courses', 'bulk'), ('courseResources', 'absent'), ('demographics', 'bulk'), ('enrollments', 'bulk'),
    ('lineItems', 'absent'), ('orgs', 'bulk'), ('resources', 'absent'), ('results', 'absent'), ('users', 'bulk'),
] %}
select
    cast(property_name as {{ dbt.type_string() }}) as "propertyName",
    cast(property_value as {{ dbt.type_string() }}) as "value"
from (
    select 1 as position, 'manifest.version' as property_name, '1.0' as property_value
    union all select 2, 'oneroster.version', '1.1'
    {%- for name, mode in files %}
    union all select {{ loop.index + 2 }}, 'file.{{ name }}', '{{ mode }}'
    {%- endfor %}
) as rows
