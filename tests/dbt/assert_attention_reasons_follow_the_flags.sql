-- Checks: each student's attention_reason_count is the number of true flags, is_needing_attention
--   says whether there is one, and attention_reasons is null exactly when there is none.
-- When it matters: the dashboards' home page lists students by these columns and shows the reasons
--   as "why"; a flag without a reason (or the reverse) lists a student nobody can explain.
-- How to resolve: models/marts/metrics_student_attention.sql (a new flag needs its reason and count).
select student_id
from {{ ref('metrics_student_attention') }}
where attention_reason_count <> (case when is_absence_alert then 1 else 0 end) + (case when is_chronic_alert then 1 else 0 end)
        + (case when is_tardy_alert then 1 else 0 end) + (case when is_incident_alert then 1 else 0 end)
        + (case when is_star_alert then 1 else 0 end) + (case when is_state_test_alert then 1 else 0 end)
    or is_needing_attention <> (attention_reason_count > 0)
    or (attention_reasons is null) <> (attention_reason_count = 0)
