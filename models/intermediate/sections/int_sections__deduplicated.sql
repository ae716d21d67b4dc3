-- One row per section key (school, year, term, course, section number); a repeated row keeps the later record.
select *
from (
    select
        s.*,
        count(*) over (partition by section_id) as source_row_count,
        row_number() over (partition by section_id order by record_number desc) as row_rank
    from {{ ref('int_sis__sections') }} as s
    where section_id is not null and school_year is not null
) as ranked
