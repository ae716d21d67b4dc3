{#-
  Tables and views on DuckDB are replaced in one statement (create or replace) inside the model's
  transaction, instead of dbt's build-beside-and-swap: create X__dbt_tmp, rename X to X__dbt_backup,
  rename X__dbt_tmp to X, drop X__dbt_backup. With more than one thread, those renames in one DuckDB
  file intermittently fail ("Table ... __dbt_backup does not exist", dbt-duckdb issue 748), which
  kept every build on one thread. The replacement is as atomic as the swap (the transaction commits
  the new table or nothing) and does less: no copy of a table's name is ever left behind.
  PostgreSQL keeps dbt's own materializations (its renames are transactional and it runs threads).
-#}

{% materialization table, adapter="duckdb", supported_languages=['sql'] %}
  {%- set existing_relation = load_cached_relation(this) -%}
  {%- set target_relation = this.incorporate(type='table') -%}

  {{ run_hooks(pre_hooks, inside_transaction=False) }}
  -- `BEGIN` happens here:
  {{ run_hooks(pre_hooks, inside_transaction=True) }}
  {% if existing_relation is not none and not existing_relation.is_table %}
    {{ drop_relation_if_exists(existing_relation) }}
  {% endif %}
  {% call statement('main') -%}
    {{ schoolhouse_replace_table_sql(target_relation, compiled_code) }}
  {%- endcall %}
  {% do create_indexes(target_relation) %}
  {{ run_hooks(post_hooks, inside_transaction=True) }}
  {% do persist_docs(target_relation, model) %}
  {{ adapter.commit() }}
  {{ run_hooks(post_hooks, inside_transaction=False) }}
  {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}


{% materialization view, adapter="duckdb" %}
  {%- set existing_relation = load_cached_relation(this) -%}
  {%- set target_relation = this.incorporate(type='view') -%}

  {{ run_hooks(pre_hooks, inside_transaction=False) }}
  {{ run_hooks(pre_hooks, inside_transaction=True) }}
  {% if existing_relation is not none and not existing_relation.is_view %}
    {{ drop_relation_if_exists(existing_relation) }}
  {% endif %}
  {% call statement('main') -%}
    {%- if config.get('contract').enforced %}{{ get_assert_columns_equivalent(sql) }}{% endif %}
    create or replace view {{ target_relation }} as (
      {{ sql }}
    );
  {%- endcall %}
  {{ run_hooks(post_hooks, inside_transaction=True) }}
  {% do persist_docs(target_relation, model) %}
  {{ adapter.commit() }}
  {{ run_hooks(post_hooks, inside_transaction=False) }}
  {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}


{% macro schoolhouse_replace_table_sql(relation, compiled_code) -%}
  {%- if config.get('contract').enforced -%}
    {{ get_assert_columns_equivalent(compiled_code) }}
    create or replace table {{ relation }} {{ get_table_columns_and_constraints() }};
    insert into {{ relation }} {{ get_column_names() }} (
      {{ get_select_subquery(compiled_code) }}
    );
  {%- else -%}
    create or replace table {{ relation }} as (
      {{ compiled_code }}
    );
  {%- endif -%}
{%- endmacro %}
