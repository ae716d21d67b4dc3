{#- Normalisation helpers shared by the staging models. Engine differences go through adapter.dispatch. -#}

{#- Trimmed text, line breaks folded to spaces, empty as null. -#}
{% macro clean_text(col) -%}
    nullif(trim(replace(replace({{ col }}, chr(13), ' '), chr(10), ' ')), '')
{%- endmacro %}

{#- '1'/'true'/'Y' → true, '0'/'false'/'N' → false, anything else → null. -#}
{% macro parse_bool(col) -%}
    case
        when lower(trim({{ col }})) in ('1', 'true', 't', 'y', 'yes') then true
        when lower(trim({{ col }})) in ('0', 'false', 'f', 'n', 'no') then false
    end
{%- endmacro %}

{#- A date from YYYY-MM-DD or M/D/YYYY text (a time part after a space is ignored); null when not a real
    date. Every engine first checks the text against the same two patterns, so they agree on what is a
    date: DuckDB's strptime alone reads '2/3/26' as the year 26 and '0000-01-01' as 1 BC, and
    PostgreSQL and Spark (with ANSI mode on) raise an error on a cast they cannot do. -#}
{% macro parse_date(col) -%}
    {{ return(adapter.dispatch('parse_date', 'schoolhouse')(col)) }}
{%- endmacro %}

{#- A year 0001 to 9999 in four digits (there is no year 0). -#}
{% macro _year_pattern() -%}(000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3}){%- endmacro %}
{% macro iso_date_pattern() -%}{{ _year_pattern() }}-[0-9]{1,2}-[0-9]{1,2}{%- endmacro %}
{% macro us_date_pattern() -%}[0-9]{1,2}/[0-9]{1,2}/{{ _year_pattern() }}{%- endmacro %}

{#- The date part of the text: before the first space. -#}
{% macro _date_text(col) -%}split_part(trim({{ col }}), ' ', 1){%- endmacro %}

{% macro duckdb__parse_date(col) -%}
    {%- set v = _date_text(col) -%}
    case
        when {{ matches(v, iso_date_pattern()) }} then cast(try_strptime({{ v }}, '%Y-%m-%d') as date)
        when {{ matches(v, us_date_pattern()) }} then cast(try_strptime({{ v }}, '%m/%d/%Y') as date)
    end
{%- endmacro %}

{% macro default__parse_date(col) -%}{{ return(postgres__parse_date(col)) }}{%- endmacro %}

{#- PostgreSQL has no try_ cast, so the day is checked against its month before make_date. Plain
    expressions only: the earlier form, a scalar subquery per value, ran as a subplan per row (about
    0.07 ms each: 16 s for one column of 242,000 attendance rows at 50,000 students, where this form
    takes 0.1 s). Nested CASEs because PostgreSQL does not promise the order in which AND evaluates
    its sides, and a cast must never see text the pattern refused. -#}
{% macro postgres__parse_date(col) -%}
    {%- set v = _date_text(col) -%}
    case
        when {{ matches(v, iso_date_pattern()) }} then {{ _checked_date(
            "cast(split_part(" ~ v ~ ", '-', 1) as integer)",
            "cast(split_part(" ~ v ~ ", '-', 2) as integer)",
            "cast(split_part(" ~ v ~ ", '-', 3) as integer)") }}
        when {{ matches(v, us_date_pattern()) }} then {{ _checked_date(
            "cast(split_part(" ~ v ~ ", '/', 3) as integer)",
            "cast(split_part(" ~ v ~ ", '/', 1) as integer)",
            "cast(split_part(" ~ v ~ ", '/', 2) as integer)") }}
    end
{%- endmacro %}

{#- make_date(y, m, d) when that day exists (Gregorian leap years), otherwise null. -#}
{% macro _checked_date(y, m, d) -%}
    case
        when {{ m }} between 1 and 12 and {{ d }} between 1 and case
            when {{ m }} in (4, 6, 9, 11) then 30
            when {{ m }} <> 2 then 31
            when mod({{ y }}, 4) = 0 and (mod({{ y }}, 100) <> 0 or mod({{ y }}, 400) = 0) then 29
            else 28
        end then make_date({{ y }}, {{ m }}, {{ d }})
    end
{%- endmacro %}

{#- Spark: try_cast gives null for a date that does not exist (2026-02-30); safe with ANSI mode on,
    where a failed cast or to_date is an error. -#}
{% macro spark__parse_date(col) -%}
    {%- set v = "substring_index(trim(" ~ col ~ "), ' ', 1)" -%}
    try_cast(case
        when {{ matches(v, iso_date_pattern()) }} then {{ v }}
        when {{ matches(v, us_date_pattern()) }} then concat_ws('-',
            substring_index({{ v }}, '/', -1),
            substring_index({{ v }}, '/', 1),
            substring_index(substring_index({{ v }}, '/', 2), '/', -1))
    end as date)
{%- endmacro %}

{#- An integer from text, null when it is not one. -#}
{% macro parse_int(col) -%}
    case when {{ matches('trim(' ~ col ~ ')', '-?[0-9]{1,9}') }} then cast(trim({{ col }}) as integer) end
{%- endmacro %}

{#- A number from text, null when it is not one. -#}
{% macro parse_numeric(col) -%}
    case when {{ matches('trim(' ~ col ~ ')', '-?[0-9]{1,12}([.][0-9]+)?') }} then cast(trim({{ col }}) as {{ dbt.type_numeric() }}) end
{%- endmacro %}

{#- The date that counts as today: runtime_var('as_of_date') or the engine's current date. -#}
{% macro as_of_date() -%}
    {%- set day = runtime_var('as_of_date') -%}
    {%- if day -%} cast('{{ day }}' as date) {%- else -%} current_date {%- endif -%}
{%- endmacro %}

{#- "Last, First Middle" → one part. Without a comma the whole name is the last name. -#}
{% macro name_part(full_name, part) -%}
    {%- set rest -%}
        trim(substr({{ full_name }}, {{ dbt.position("','", full_name) }} + 1))
    {%- endset -%}
    {%- if part == 'last' -%}
        nullif(trim(case when {{ dbt.position("','", full_name) }} > 0
            then substr({{ full_name }}, 1, {{ dbt.position("','", full_name) }} - 1)
            else {{ full_name }} end), '')
    {%- elif part == 'first' -%}
        case when {{ dbt.position("','", full_name) }} > 0
            then nullif({{ dbt.split_part(rest, "' '", 1) }}, '') end
    {%- elif part == 'middle' -%}
        case when {{ dbt.position("','", full_name) }} > 0 and {{ dbt.position("' '", rest) }} > 0
            then nullif(trim(substr({{ rest }}, {{ dbt.position("' '", rest) }} + 1)), '') end
    {%- endif -%}
{%- endmacro %}

{#- The hour (0–23) of an incident time such as '13:05', '1:05 PM' or '13:05:00'; null when unreadable. -#}
{% macro parse_hour(col) -%}
    case
        when {{ matches('trim(' ~ col ~ ')', '[0-9]{1,2}:[0-9]{2}(:[0-9]{2})?') }} then
            cast({{ dbt.split_part('trim(' ~ col ~ ')', "':'", 1) }} as integer)
        when {{ matches('upper(trim(' ~ col ~ '))', '[0-9]{1,2}:[0-9]{2}(:[0-9]{2})? ?(AM|PM)') }} then
            mod(cast({{ dbt.split_part('trim(' ~ col ~ ')', "':'", 1) }} as integer), 12)
            + case when upper(trim({{ col }})) like '%PM' then 12 else 0 end
    end
{%- endmacro %}

{#- Readable surrogate keys shared by the section and course models and the exports. -#}
{% macro section_id(school, year, term, course, section) -%}
    {{ dbt.concat([school, "'-'", "cast(" ~ year ~ " as " ~ dbt.type_string() ~ ")", "'-'", term, "'-'", course, "'-'", section]) }}
{%- endmacro %}

{% macro course_id(school, course) -%}
    {{ dbt.concat([school, "'-'", course]) }}
{%- endmacro %}

{#- The school year (the calendar year it ends in, 2027 = 2026–27) that a date falls in; it turns on July 1. -#}
{% macro school_year_of(date_expr) -%}
    (cast(extract(year from {{ date_expr }}) as integer) + case when extract(month from {{ date_expr }}) >= 7 then 1 else 0 end)
{%- endmacro %}

{#- The current school year: var('current_school_year') or the one the as-of date falls in. -#}
{% macro current_school_year() -%}
    {%- if var('current_school_year') -%} {{ var('current_school_year') }} {%- else -%} {{ school_year_of(as_of_date()) }} {%- endif -%}
{%- endmacro %}

{#- A date from a year expression and an 'MM-DD' text. -#}
{% macro date_from_year_mmdd(year_expr, mmdd_expr) -%}
    cast({{ dbt.concat(["cast(" ~ year_expr ~ " as " ~ dbt.type_string() ~ ")", "'-'", mmdd_expr]) }} as date)
{%- endmacro %}

{#- The English weekday name of a date. -#}
{% macro weekday_name(date_expr) -%}
    {{ return(adapter.dispatch('weekday_name', 'schoolhouse')(date_expr)) }}
{%- endmacro %}

{% macro default__weekday_name(date_expr) -%}
    trim(to_char({{ date_expr }}, 'Day'))
{%- endmacro %}

{% macro duckdb__weekday_name(date_expr) -%}
    dayname({{ date_expr }})
{%- endmacro %}

{% macro spark__weekday_name(date_expr) -%}
    date_format({{ date_expr }}, 'EEEE')
{%- endmacro %}

{#- A readable race/ethnicity subgroup: Hispanic/Latino first (federal reporting), else the race. -#}
{% macro subgroup_label() -%}
    case
        when is_hispanic_latino then 'Hispanic/Latino'
        when race = 'white' then 'White'
        when race = 'black_or_african_american' then 'Black/African American'
        when race = 'asian' then 'Asian'
        when race = 'american_indian_or_alaska_native' then 'American Indian/Alaska Native'
        when race = 'native_hawaiian_or_other_pacific_islander' then 'Native Hawaiian/Pacific Islander'
        when race = 'two_or_more' then 'Two or more races'
        else 'Unknown'
    end
{%- endmacro %}

{#- Why an event row (attendance, behavior) is left out, or null: one rule for every event fact.
    unknown_student: not in tonight's students export; bad_date: no real date, after the as-of
    date, or before July 1 of the school year before last. -#}
{% macro event_exclusion_reason(known_student_id, event_date) -%}
    case
        when {{ known_student_id }} is null then 'unknown_student'
        when {{ event_date }} is null then 'bad_date'
        when {{ event_date }} > {{ as_of_date() }} then 'bad_date'
        when {{ event_date }} < {{ date_from_year_mmdd(current_school_year() ~ ' - 2', "'07-01'") }} then 'bad_date'
    end
{%- endmacro %}

{#- The plain sentence dq_excluded_rows gives for an event exclusion. -#}
{% macro event_exclusion_detail(reason, raw_date, duplicate_text) -%}
    case
        when {{ reason }} = 'unknown_student' then 'no student with this local id in the students export'
        when {{ reason }} = 'bad_date' then {{ dbt.concat(["'event date not usable: '", "coalesce(" ~ raw_date ~ ", 'empty')"]) }}
        else '{{ duplicate_text }}'
    end
{%- endmacro %}

{#- ISO 8601 text (YYYY-MM-DD) from a date, built from its parts so no session DateStyle can change it. -#}
{% macro iso_date_text(col) -%}
    {{ dbt.concat([
        "lpad(cast(cast(extract(year from " ~ col ~ ") as integer) as " ~ dbt.type_string() ~ "), 4, '0')", "'-'",
        "lpad(cast(cast(extract(month from " ~ col ~ ") as integer) as " ~ dbt.type_string() ~ "), 2, '0')", "'-'",
        "lpad(cast(cast(extract(day from " ~ col ~ ") as integer) as " ~ dbt.type_string() ~ "), 2, '0')"]) }}
{%- endmacro %}

{% macro drop_if_table(relation) -%}
    {#- A model that was a table and is now a view (access_viewer_students before issue 11): drop the
        old table first, through the adapter so dbt's relation cache knows. DuckDB cannot rename a table
        that has an index, which is what the view materialization would otherwise do with it. -#}
    {%- if execute -%}
        {%- set existing = adapter.get_relation(database=relation.database, schema=relation.schema,
                                                identifier=relation.identifier) -%}
        {%- if existing is not none and existing.is_table -%}
            {%- do adapter.drop_relation(existing) -%}
        {%- endif -%}
    {%- endif -%}
    select 1
{%- endmacro %}
