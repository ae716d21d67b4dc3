
{% macro shared(field, expr) -%}
    {#- ``expr`` when this vendor (the model's meta.vendor) is sent ``field`` (exports[].share in
        district.yml, var vendor_shares), else an empty value: sensitive fields are off by default. -#}
    {%- if is_shared(field) -%}
        {{ expr }}
    {%- else -%}
        cast(null as {{ dbt.type_string() }})
    {%- endif -%}
{%- endmacro %}

{% macro is_shared(field) -%}
    {#- While dbt parses, config.get returns '' (no meta yet): nothing is shared then. -#}
    {%- set meta = config.get('meta') -%}
    {%- set vendor = meta.get('vendor') if meta is mapping else none -%}
    {{- return(field in var('vendor_shares', {}).get(vendor, [])) -}}
{%- endmacro %}

{#- A OneRoster sourcedId from any id: only A-Za-z0-9 . _ - (what OneRoster importers such as
    Moodle's enrol_oneroster accept; '|' and spaces are not). An id that fits is kept as it is; any
    other keeps its readable part (each other character becomes '-') and gains the first 8 hex of
    its md5, so ids that differ only in those characters stay apart and the same id gives the same
    sourcedId every night. Every column that refers to an id goes through this too, so references
    still resolve. -#}
{% macro oneroster_id(expr) -%}
case
    when {{ matches(expr, '[A-Za-z0-9._-]+') }} then {{ expr }}
    when {{ expr }} is not null then {{ dbt.concat([replace_all_matches(expr, '[^A-Za-z0-9._-]', '-'), "'-'",
                                                     dbt.right(dbt.hash(expr), 8)]) }}
end
{%- endmacro %}

{#- A shared export view as one vendor may receive it: the vendor's scope (district.yml
    exports[].schools and exports[].grades, var vendor_scopes) applied, every reference kept
    resolvable. Students: at a listed school and in a listed grade. Sections: at a listed school
    and, when grades are scoped, with an in-scope student. Enrollments: of those sections, students
    in scope. Staff: at a listed school or a district office, and teachers only of in-scope
    sections when grades are scoped. Courses: of in-scope sections. Orgs: listed schools and every
    org that is not a school. Without a scope it is the shared view itself. -#}
{% macro vendor_base(base, vendor) -%}
{%- set scope = (var('vendor_scopes', {}) or {}).get(vendor) or {} -%}
{%- set relation = ref(base) -%}
{#- Every view a scope may read, whatever tonight's scope: dbt learns dependencies at parse time. -#}
{%- set _reads = [ref('exports__active_students'), ref('exports__current_sections'),
                  ref('exports__current_enrollments'), ref('exports__orgs')] -%}
{%- if not scope -%}
{{ relation }}
{%- else -%}
{%- set schools, grades = scope.get('schools') or [], scope.get('grades') or [] -%}
{%- set conditions = [] -%}
{%- if base == 'exports__active_students' -%}
    {%- if schools %}{% do conditions.append(in_list('b.school_id', schools)) %}{% endif -%}
    {%- if grades %}{% do conditions.append(in_list('b.grade_level', grades)) %}{% endif -%}
{%- elif base == 'exports__orgs' -%}
    {%- if schools %}{% do conditions.append('(not b.is_school or ' ~ in_list('b.org_id', schools) ~ ')') %}{% endif -%}
{%- elif base == 'exports__current_sections' -%}
    {%- if schools %}{% do conditions.append(in_list('b.school_id', schools)) %}{% endif -%}
    {%- if grades -%}
    {%- do conditions.append("b.section_id in (select e.section_id from " ~ ref('exports__current_enrollments') ~ " as e where e.role = 'student' and e.person_id in (select student_id from " ~ vendor_base('exports__active_students', vendor) ~ " as s))") -%}
    {%- endif -%}
{%- elif base == 'exports__current_enrollments' -%}
    {%- do conditions.append("b.section_id in (select section_id from " ~ vendor_base('exports__current_sections', vendor) ~ " as c)") -%}
    {%- do conditions.append("(b.role <> 'student' or b.person_id in (select student_id from " ~ vendor_base('exports__active_students', vendor) ~ " as s))") -%}
{%- elif base == 'exports__active_staff' -%}
    {%- do conditions.append("b.org_id in (select org_id from " ~ vendor_base('exports__orgs', vendor) ~ " as o)") -%}
    {%- if grades -%}
    {%- do conditions.append("(not b.is_teacher or b.staff_id in (select person_id from " ~ vendor_base('exports__current_enrollments', vendor) ~ " as t where t.role <> 'student'))") -%}
    {%- endif -%}
{%- elif base == 'exports__current_courses' -%}
    {%- do conditions.append("b.course_id in (select course_id from " ~ vendor_base('exports__current_sections', vendor) ~ " as c)") -%}
{%- endif -%}
{%- if conditions -%}
(select * from {{ relation }} as b where {{ conditions | join(' and ') }})
{%- else -%}
{{ relation }}
{%- endif -%}
{%- endif -%}
{%- endmacro %}

{#- column in ('a', 'b'): text values quoted; an empty list matches nothing. -#}
{% macro in_list(column, values) -%}
{%- if values | length == 0 -%} (1 = 0)
{%- else -%}
{{ column }} in ({% for v in values %}'{{ v | string | replace("'", "''") }}'{% if not loop.last %}, {% endif %}{% endfor %})
{%- endif -%}
{%- endmacro %}
