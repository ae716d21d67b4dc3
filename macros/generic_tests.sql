{#- Generic tests written here because dbt deps cannot reach the package hub from these machines. -#}

{#- Values outside [min_value, max_value] (nulls pass; pair with not_null when needed). -#}
{% test accepted_range(model, column_name, min_value=none, max_value=none) %}
select *
from {{ model }}
where {{ column_name }} is not null
  and (
    false
    {% if min_value is not none %} or {{ column_name }} < {{ min_value }} {% endif %}
    {% if max_value is not none %} or {{ column_name }} > {{ max_value }} {% endif %}
  )
{% endtest %}

{#- Text that is null or only spaces: a required vendor field must never be empty. -#}
{% test not_empty_string(model, column_name) %}
select *
from {{ model }}
where {{ column_name }} is null or trim(cast({{ column_name }} as {{ dbt.type_string() }})) = ''
{% endtest %}

{#- Rows whose combination of ``columns`` is repeated (a crosswalk must map each code once). -#}
{% test unique_combination(model, columns) %}
select {{ columns | join(', ') }}, count(*) as repeated
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}

{#- Required columns: one row per (failing row, column) that is null, each naming its column.
    dbt's not_null is a test per column, and each is a node dbt spends ~35 ms of its own Python on
    (and a view's query run again): without the export views' 124 of them a 50,000-student build
    took 20.0 s instead of 23.9 s. This reads the view once. exports/checks.py turns a failure
    back into one sentence per column, as not_null's (same rule, count, fix and examples). -#}
{% test required_columns(model, columns) %}
{%- set quoted, names = [], [] %}
{%- for c in columns %}{% do quoted.append(adapter.quote(c)) %}{% do names.append("'" ~ c | replace("'", "''") ~ "'") %}{% endfor %}
with failing as (
    select {{ quoted | join(', ') }}
    from {{ model }}
    where {% for q in quoted %}{{ q }} is null{% if not loop.last %} or {% endif %}{% endfor %}
),
required as (
    {%- for name in names %}
    select {{ name }} as column_name{% if not loop.last %} union all{% endif %}
    {%- endfor %}
)
select required.column_name
from failing
cross join required
where {% for name in names -%}
    (required.column_name = {{ name }} and failing.{{ quoted[loop.index0] }} is null)
    {%- if not loop.last %}
   or {% endif %}
{%- endfor %}
{% endtest %}
