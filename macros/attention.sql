{#- The urgency of a STAR benchmark band: 1 Urgent Intervention … 4 At/Above Benchmark; null untested. -#}
{% macro star_band_rank(band) -%}
    case {{ band }}
        when 'Urgent Intervention' then 1 when 'Intervention' then 2
        when 'On Watch' then 3 when 'At/Above Benchmark' then 4
    end
{%- endmacro %}

{#- "1 absence in 45 days" / "6 absences in 45 days" (an integer column, singular and plural noun). -#}
{% macro attention_count(column, singular, plural) -%}
    {{ dbt.concat(["cast(" ~ column ~ " as " ~ dbt.type_string() ~ ")",
                   "case when " ~ column ~ " = 1 then ' " ~ singular ~ "' else ' " ~ plural ~ "' end",
                   "' in 45 days'"]) }}
{%- endmacro %}
