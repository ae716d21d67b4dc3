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
