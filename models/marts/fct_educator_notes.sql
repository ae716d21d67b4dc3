{{ config(materialized='view') }}
-- One row per educator note as it reads now: its latest revision, unless that revision deleted it.
-- A view: on PostgreSQL it reads the notes as written this minute; on DuckDB as of the last build.
with

revisions as (select * from {{ ref('stg_app__educator_notes') }}),

ranked as (

    select
        revisions.*,
        row_number() over (partition by note_id order by revision desc) as recency,
        min(written_at) over (partition by note_id) as first_written_at,
        count(*) over (partition by note_id) as revision_count
    from revisions

),

authors as (select note_id, staff_id as author_staff_id from revisions where revision = 1)

select
    ranked.note_id,
    ranked.student_id,
    students.school_id,
    ranked.note_date,
    ranked.kind,
    ranked.body,
    authors.author_staff_id,
    ranked.first_written_at as written_at,
    case when ranked.revision_count > 1 then ranked.written_at end as last_edited_at,
    case when ranked.revision_count > 1 then ranked.staff_id end as last_edited_by,
    ranked.revision_count
from ranked
inner join authors on authors.note_id = ranked.note_id
left join {{ ref('dim_students') }} as students on students.student_id = ranked.student_id
where ranked.recency = 1 and not ranked.is_deleted
