-- SDS V2.1 userFlags.csv: one row per student and flag, for the flags shared with SDS
-- (exports[].share: iep, plan_504, lunch, ell; none by default, and the file is then its header).
-- Each flag's spelling is the vendor_sds_user_flags seed.
{%- set flags = [('iep', 'has_iep', 'has_iep'), ('plan_504', 'has_504_plan', 'has_504_plan'),
                 ('lunch', 'lunch_free', "lunch_status = 'free'"), ('lunch', 'lunch_reduced', "lunch_status = 'reduced'"),
                 ('ell', 'is_ell', 'is_ell')] %}
{%- set sent = [] %}
{%- for field, source_flag, condition in flags if is_shared(field) %}{% do sent.append((source_flag, condition)) %}{% endfor %}
with

flags as (

    {%- for source_flag, condition in sent %}
    select student_id, '{{ source_flag }}' as source_flag from {{ vendor_base('exports__active_students', 'sds-v2.1') }} where {{ condition }}
    {% if not loop.last %}union all{% endif %}
    {%- else %}
    select student_id, cast(null as {{ dbt.type_string() }}) as source_flag
    from {{ vendor_base('exports__active_students', 'sds-v2.1') }}
    where 1 = 0
    {%- endfor %}

)

select
    flags.student_id as "userSourcedId",
    seed.flag as "flag"
from flags
inner join {{ ref('vendor_sds_user_flags') }} as seed on seed.source_flag = flags.source_flag
