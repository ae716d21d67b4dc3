-- Every revision of every educator note (the audit of who wrote and changed what).
select
    note_id,
    cast(revision as {{ dbt.type_int() }}) as revision,
    written_at,
    staff_id,
    student_id,
    cast(note_date as date) as note_date,
    kind,
    body,
    coalesce(is_deleted, 0) = 1 as is_deleted
from {{ source('app', 'educator_notes') }}
