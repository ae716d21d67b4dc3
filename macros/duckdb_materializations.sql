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
  {{ return(schoolhouse_replace_relation('table', schoolhouse_replace_table_sql(this.incorporate(type='table'), compiled_code))) }}
{% endmaterialization %}


{% materialization view, adapter="duckdb" %}
  {{ return(schoolhouse_replace_relation('view', schoolhouse_replace_view_sql(this.incorporate(type='view'), sql))) }}
{% endmaterialization %}


{% macro schoolhouse_replace_relation(relation_type, replace_sql) %}
  {%- set existing_relation = load_cached_relation(this) -%}
  {%- set target_relation = this.incorporate(type=relation_type) -%}

  {{ run_hooks(pre_hooks, inside_transaction=False) }}
  -- `BEGIN` happens here:
  {{ run_hooks(pre_hooks, inside_transaction=True) }}
  {% if existing_relation is not none and existing_relation.type != relation_type %}
    {{ drop_relation_if_exists(existing_relation) }}
  {% endif %}
  {% call statement('main') -%}
    {{ replace_sql }}
  {%- endcall %}
  {% if relation_type == 'table' %}
    {% do create_indexes(target_relation) %}
  {% endif %}
  {{ run_hooks(post_hooks, inside_transaction=True) }}
  {% do persist_docs(target_relation, model) %}
  {{ adapter.commit() }}
  {{ run_hooks(post_hooks, inside_transaction=False) }}
  {{ return({'relations': [target_relation]}) }}
{% endmacro %}


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


{% macro schoolhouse_replace_view_sql(relation, sql) -%}
  {%- if config.get('contract').enforced %}{{ get_assert_columns_equivalent(sql) }}{% endif %}
  create or replace view {{ relation }} as (
    {{ sql }}
  );
{%- endmacro %}
