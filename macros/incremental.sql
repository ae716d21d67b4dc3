{#- Incremental facts over full-extract sources. Tonight's file is the whole truth, so each nightly
    build inserts only new or changed rows (by row_hash) and then deletes the rows that vanished
    upstream: the table grows with the night's changes, and a record deleted in the SIS disappears. -#}

{#- The materialization of an incremental fact: incremental where the engine can delete rows
    (DuckDB, PostgreSQL, Databricks' Delta tables); a table rebuilt whole each night on Spark with
    Parquet tables, which have no DELETE. A rebuilt fact holds what tonight's files hold: last
    school year's rows stay only as long as the SIS still exports them. -#}
{% macro incremental_or_table() -%}
    {{- return('table' if target.type == 'spark' else 'incremental') -}}
{%- endmacro %}

{#- The filter that keeps only new or changed rows on an incremental run. ``upstream_hash`` is the
    upstream column, qualified by the alias of the model's FROM (a select alias is not visible in
    WHERE on every engine, and unqualified it would name the fact's own column inside the subquery).
    not exists, not "not in": PostgreSQL runs "not in (subquery)" as a scan of the subquery per row
    once the fact's hashes outgrow work_mem (a 50,000-student night's attendance ran for over 13
    minutes); "not exists" is a hash anti-join on every engine. -#}
{% macro only_new_or_changed(upstream_hash) -%}
    {%- if is_incremental() %}
    where not exists (select 1 from {{ this }} as existing where existing.row_hash = {{ upstream_hash }})
    {%- endif -%}
{%- endmacro %}

{#- post_hook: remove rows whose key is no longer among the upstream rows the fact keeps (``keep``
    is the fact's own filter, e.g. rows no rule excluded), within the window tonight's files cover:
    the school years of ``date_column`` present upstream (per ``window_columns`` too, e.g. each
    source_system and subject is its own file). A new school year's export, which no longer holds
    last year's rows, therefore leaves last year in place; deletions inside the window propagate. -#}
{% macro delete_vanished_rows(key, upstream, keep='true', date_column='event_date', window_columns=[]) -%}
    {%- if config.get('materialized') != 'incremental' -%}
    select 1 as rebuilt_whole
    {%- else -%}
    delete from {{ this }}
    {#- not exists, not "not in": PostgreSQL runs "not in" as a per-row scan once tonight's keys
        outgrow work_mem (quadratic: minutes at 50,000 students), "not exists" as a hash anti-join. #}
    where {{ key }} is not null
      and not exists (
          select 1 from {{ upstream }} as kept
          where kept.{{ key }} = {{ this }}.{{ key }} and ({{ keep }})
      )
      and exists (
          select 1 from {{ upstream }} as tonight
          where tonight.{{ date_column }} is not null
            and {{ school_year_of('tonight.' ~ date_column) }} = {{ school_year_of(this ~ '.' ~ date_column) }}
            {%- for c in window_columns %}
            and coalesce(tonight.{{ c }}, '') = coalesce({{ this }}.{{ c }}, '')
            {%- endfor %}
      )
    {%- endif -%}
{%- endmacro %}

{#- A row hash over the given columns (text-cast, null-safe) for change detection. -#}
{% macro row_hash(columns) -%}
    {%- set parts = [] -%}
    {%- for c in columns -%}
        {%- do parts.append("coalesce(cast(" ~ c ~ " as " ~ dbt.type_string() ~ "), '~')") -%}
        {%- if not loop.last %}{% do parts.append("'|'") %}{% endif -%}
    {%- endfor -%}
    {{ dbt.hash(dbt.concat(parts)) }}
{%- endmacro %}

{#- post_hook: give the planner row counts for a table just built. PostgreSQL needs it (no stats
    until autovacuum runs); DuckDB keeps statistics itself, and a concurrent ANALYZE there can trip
    over another thread's table swap. -#}
{% macro analyze_for_planner() -%}
    {{ return(adapter.dispatch('analyze_for_planner', 'schoolhouse')()) }}
{%- endmacro %}

{% macro default__analyze_for_planner() -%}
    analyze {{ this }}
{%- endmacro %}

{% macro duckdb__analyze_for_planner() -%}
    select 1 as nothing_to_analyze
{%- endmacro %}

{#- Spark reads statistics from the Parquet files; ANALYZE TABLE would scan every table again. -#}
{% macro spark__analyze_for_planner() -%}
    select 1 as nothing_to_analyze
{%- endmacro %}
