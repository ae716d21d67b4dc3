{#- Where a raw table's rows came from, the same for every row: one column of raw_meta.table_files
    (file_name, file_sha256, file_date, load_id) for the file the table holds now. A raw table is one
    file (tonight's replaces last night's), so the loader says which once, in the transaction that
    fills the table, instead of in every row (loaders/raw_swap.py). Named by source and table, not by
    relation: a unit test's relation is a fixture. Each raw source is named as its schema. -#}
{% macro raw_lineage(source_name, table_name, column) -%}
    (select {{ column }} from {{ source('raw_meta', 'table_files') }}
     where table_schema = '{{ source_name }}' and table_name = '{{ table_name }}')
{%- endmacro %}
