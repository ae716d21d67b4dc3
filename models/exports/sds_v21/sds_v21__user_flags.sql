-- SDS V2.1 userFlags.csv: one row per student and flag. Which flags are sent (and their spelling)
-- is the vendor_sds_user_flags seed: remove a row there to stop sending that flag.
with

flags as (

    select student_id, 'has_iep' as source_flag from {{ ref('exports__active_students') }} where has_iep
    union all
    select student_id, 'has_504_plan' from {{ ref('exports__active_students') }} where has_504_plan
    union all
    select student_id, 'lunch_free' from {{ ref('exports__active_students') }} where lunch_status = 'free'
    union all
    select student_id, 'lunch_reduced' from {{ ref('exports__active_students') }} where lunch_status = 'reduced'
    union all
    select student_id, 'is_ell' from {{ ref('exports__active_students') }} where is_ell

)

select
    flags.student_id as "userSourcedId",
    seed.flag as "flag"
from flags
inner join {{ ref('vendor_sds_user_flags') }} as seed on seed.source_flag = flags.source_flag
