"""The data-access layer: every number a page shows comes from a function here.

Rules every function keeps (the pages cannot bypass them, because they only call these):
- Its first argument is the viewer's staff_id, and every query that touches a student restricts
  the students to ``marts.access_viewer_students`` for that staff_id (``ALLOWED``). Filters
  (school, grade, subgroup) narrow that set further; they can never widen it.
- Aggregates come back suppressed before they leave this module (dashboards.suppression: small
  groups hidden, and hidden cells that a total, a rate or a neighbour would give away hidden too),
  so tables, charts and CSV downloads all see the same numbers. Counts that a list on the same page
  shows student by student (4+ absences, students with incidents) are exact: the list discloses them.
- Results are cached per viewer (staff_id is part of every cache key) for CACHE_TTL seconds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from dashboards import audit, db, lattice, lattice_store, suppression
from dashboards.suppression import MIN_GROUP, apply_hidden, group_rare, protect

CACHE_TTL = 600
SUPPRESSED = f"<{MIN_GROUP}"

# The students a viewer may see. One parameter: the viewer's staff_id.
ALLOWED = "select student_id from marts.access_viewer_students where staff_id = ?"

GRADE_ORDER = ["IT", "PR", "PK", "TK", "KG", *[f"{g:02d}" for g in range(1, 14)], "PS", "UG", "Other"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
TIMES_OF_DAY = ["before school", "morning", "afternoon", "after school", "unknown"]
BANDS = ["At/Above Benchmark", "On Watch", "Intervention", "Urgent Intervention"]
WINDOWS = ["fall", "winter", "spring"]
SUBJECTS = ["Reading", "Math"]  # STAR's, as the assessments page offers them

cache = st.cache_data(ttl=CACHE_TTL, show_spinner=False, max_entries=5000)


# A viewer with this many students or more reads like a report over the district: PostgreSQL
# cannot know how many students the access view gives a viewer (a district's scope is one row that
# fans out to every school), plans for a few hundred and probes the marts' indexes once per student;
# told otherwise it hashes the tables instead (0.8 s → 0.2 s for a district administrator's
# roster at 50,000 students). Below it, the index probes are what a class or a school needs.
MANY_STUDENTS = 5000


@cache
def viewer_student_count(staff_id: str) -> int:
    return int(db.query(f"select count(distinct student_id) as n from ({ALLOWED}) as allowed", [staff_id]).iloc[0, 0])


def _over_students(staff_id: str, sql: str, params: list | tuple) -> pd.DataFrame:
    """db.query of a query over the viewer's students, planned for how many they are."""
    return db.query(sql, params, many_rows=viewer_student_count(staff_id) >= MANY_STUDENTS)


# The current students of one section.
IN_SECTION = ("select student_id from marts.fct_section_enrollments "
              "where section_id = ? and role = 'student' and is_current")


@dataclass(frozen=True)
class Filters:
    school_id: str | None = None
    grade_level: str | None = None
    subgroup: str | None = None

    def sql(self, alias: str = "m") -> tuple[str, list]:
        """Extra ``and`` conditions on a metrics_students alias, with their parameters."""
        parts, params = [], []
        for column, value in (("school_id", self.school_id), ("grade_level", self.grade_level),
                              ("subgroup", self.subgroup)):
            if value is not None:
                parts.append(f" and {alias}.{column} = ?")
                params.append(value)
        return "".join(parts), params


def grade_key(grade) -> int:
    return GRADE_ORDER.index(grade) if grade in GRADE_ORDER else len(GRADE_ORDER)


# --- reference data (no student data: no viewer filter needed) ------------------------------------

@cache
def today() -> dict:
    """marts.dim_today: the date that counts as today and its school year (one rule, in dbt)."""
    df = db.query("select as_of_date, school_year, school_year_start_date, first_school_day, last_school_day "
                  "from marts.dim_today")
    return {k: _date(v) if k != "school_year" else v for k, v in df.iloc[0].items()} if len(df) else {}


def as_of_date() -> dt.date:
    return today().get("as_of_date") or dt.date.today()


def school_year_start() -> dt.date:
    """July 1 that began the current school year."""
    return today()["school_year_start_date"]


@cache
def school_names() -> dict[str, str]:
    df = db.query("select org_id, name from marts.dim_orgs")
    return dict(zip(df["org_id"], df["name"]))


def _date(v) -> dt.date | None:
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NaT:
        return None
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, pd.Timestamp):
        return v.date()
    return v


def _label_schools(df: pd.DataFrame, col: str = "school_id", out: str = "school") -> pd.DataFrame:
    names = school_names()
    df.insert(0, out, [names.get(s, s or "—") for s in df[col]])
    return df


# --- the viewer's scope -----------------------------------------------------------------------------

@cache
def can_see_data_health(staff_id: str) -> bool:
    df = db.query("select can_see_data_health from marts.access_viewers where staff_id = ?", [staff_id])
    return bool(len(df) and df.iloc[0, 0])


def require_district(staff_id: str) -> None:
    if not can_see_data_health(staff_id):
        raise PermissionError("Data health is for district administrators.")


@cache
def filter_options(staff_id: str) -> dict[str, list]:
    """Schools, grades and subgroups among the viewer's own students (the only values worth offering)."""
    df = _over_students(staff_id,
        f"""select distinct m.school_id, m.grade_level, m.subgroup
            from marts.metrics_students as m where m.student_id in ({ALLOWED})""",
        [staff_id],
    )
    names = school_names()
    schools = sorted({s for s in df["school_id"].dropna()}, key=lambda s: names.get(s, s))
    return {
        "schools": [(s, names.get(s, s)) for s in schools],
        "grades": sorted(df["grade_level"].dropna().unique().tolist(), key=grade_key),
        "subgroups": sorted(df["subgroup"].dropna().unique().tolist()),
    }


@cache
def viewer_sections(staff_id: str) -> list[tuple[str, str]]:
    """The sections the viewer teaches now, as (section_id, "title · period · school")."""
    df = db.query(
        """select sec.section_id, sec.section_title, sec.period, sec.school_id
           from marts.fct_section_enrollments as te
           inner join marts.dim_sections as sec on sec.section_id = te.section_id
           where te.staff_id = ? and te.role = 'teacher' and te.is_current
           order by sec.period, sec.section_title, sec.section_id""", [staff_id])
    names = school_names()
    return [(r.section_id, " · ".join(str(p) for p in (r.section_title, f"period {r.period}" if r.period else None,
                                                        names.get(r.school_id)) if p))
            for r in df.drop_duplicates("section_id").itertuples()]


# --- overview ---------------------------------------------------------------------------------------

# --- the students' lattice: every count the overview and attendance pages show, under any filter -----

_LATTICE_DIMS = ["school", "grade", "subgroup"]


@cache
def scope_key(staff_id: str) -> tuple:
    """The viewer's scopes: viewers with the same scopes see the same students (and share lattices)."""
    df = db.query("select scope_type, scope_id from marts.access_viewer_scopes where staff_id = ? "
                  "order by scope_type, scope_id", [staff_id])
    return tuple(zip(df["scope_type"], df["scope_id"]))


def student_lattice(staff_id: str) -> lattice.Lattice:
    """The viewer's students by school × grade × subgroup and every margin, suppressed once for every
    filter combination (dashboards.lattice). Its size is the number of such combinations; it is
    computed once for all viewers with the same scopes (all administrators of a district)."""
    return _student_lattice(scope_key(staff_id), staff_id)


@cache
def _student_lattice(scopes: tuple, _staff_id: str) -> lattice.Lattice:
    # Cached by scopes only (a leading underscore keeps _staff_id out of the cache key).
    return _compute_student_lattice(_staff_id)


def _compute_student_lattice(staff_id: str) -> lattice.Lattice:
    return lattice_store.build(_lattice_dir(), **_student_lattice_input(staff_id))


def _student_lattice_input(staff_id: str) -> dict:
    """The arguments of lattice_store.build for the viewer's student lattice."""
    df = _over_students(staff_id,
        f"""select m.school_id as school, coalesce(m.grade_level, 'unknown') as grade,
                   coalesce(m.subgroup, 'unknown') as subgroup, count(*) as students,
                   sum(case when m.is_ell then 1 else 0 end) as ell,
                   sum(case when m.has_iep then 1 else 0 end) as iep,
                   sum(case when m.lunch_status in ('free', 'reduced') then 1 else 0 end) as free_reduced,
                   sum(case when m.is_chronically_absent then 1 else 0 end) as chronically_absent,
                   sum(case when m.absences_last_45_days >= 4 then 1 else 0 end) as absent_4plus_45_days,
                   sum(m.absent_days) as absent_days, sum(m.tardy_days) as tardy_days,
                   sum(m.enrolled_days) as enrolled_days
            from marts.metrics_students as m
            where m.student_id in ({ALLOWED})
            group by m.school_id, coalesce(m.grade_level, 'unknown'), coalesce(m.subgroup, 'unknown')""",
        [staff_id],
    )
    for c in df.columns[3:]:
        df[c] = pd.to_numeric(df[c]).fillna(0).astype(float)
    # 4+ absences is shown exactly: the list under it names each of those students (so does every
    # filter of that list), and day sums only make a rate of a group that is shown.
    return dict(inner=df, dims=_LATTICE_DIMS, n="students", counts=["ell", "iep", "free_reduced", "chronically_absent"],
                plain=("absent_4plus_45_days", "absent_days", "tardy_days", "enrolled_days"),
                family=f"students {scope_key(staff_id)}")


def _lattice_dir():
    return db.settings().cache_dir / "lattices"


def warm_lattices(min_students: int = MANY_STUDENTS) -> int:
    """Compute and store (dashboards.lattice_store) the lattices of every viewer with at least
    ``min_students`` students, one viewer per set of scopes: what makes a district's or a
    multi-school viewer's first page slow (a school's lattice takes ~0.1 s at first view). At
    1,000,000 students the district's three take about 30 s of one core, so the large ones are
    protected side by side (lattice_store.prepare). The nightly calls it before it publishes, so no
    viewer waits for them. Returns how many sets of scopes it covered."""
    # Counted per scope (access_viewer_sizes): counting the view's (viewer, student) pairs took over
    # 40 s on PostgreSQL at 1,000,000 students, and grows with viewers × students.
    sizes = db.query("select staff_id, students from marts.access_viewer_sizes where students >= ?", [min_students])
    scopes = db.query("select staff_id, scope_type, scope_id from marts.access_viewer_scopes "
                      "order by staff_id, scope_type, scope_id")
    scopes = scopes[scopes["staff_id"].isin(set(sizes["staff_id"]))]
    keys = {staff: tuple(zip(g["scope_type"], g["scope_id"])) for staff, g in scopes.groupby("staff_id")}
    done: set[tuple] = set()

    def inputs() -> Iterator[dict]:  # queried one at a time, each protected while the next is queried
        for staff_id in sizes.sort_values("students", ascending=False)["staff_id"]:
            key = keys.get(staff_id, ())
            if key in done:
                continue
            done.add(key)
            yield _student_lattice_input(staff_id)
            for subject in SUBJECTS:
                yield _star_lattice_input(staff_id, subject)

    lattice_store.prepare(_lattice_dir(), inputs())
    return len(done)


def _fixed(filters: Filters) -> dict:
    return {d: v for d, v in zip(_LATTICE_DIMS, (filters.school_id, filters.grade_level, filters.subgroup))
            if v is not None}


def _order(values, key) -> list[int]:
    """Row positions sorted by key(value). (Values are read once: each column read of a frame with
    attrs deep-copies them, which made per-row reads the slowest part of a page.)"""
    values = list(values)
    return sorted(range(len(values)), key=lambda i: key(values[i]))


def _named(df: pd.DataFrame, dim: str | None) -> pd.DataFrame:
    """Rows the way people read them: school names (the id kept for hiding), grades in grade order."""
    if dim == "school":
        df = df.rename(columns={"school": "school_id"})
        df = _label_schools(df)
        order = _order(df["school"], str)
    elif dim == "grade":
        order = _order(df["grade"], grade_key)
    elif dim:
        order = _order(df[dim], str)
    else:
        return df
    return suppression.reorder(df, order)


@cache
def enrollment_view(staff_id: str, filters: Filters) -> dict[str, pd.DataFrame]:
    """The overview's numbers: "total" (one row: students) and a frame per dimension (students, ELL,
    IEP, free/reduced lunch), from the viewer's lattice."""
    lat, fixed = student_lattice(staff_id), _fixed(filters)
    measures = ["students", "ell", "iep", "free_reduced"]
    out = {"total": lat.frame(["students"], fixed, None)}
    for dim in _LATTICE_DIMS:
        out[dim] = _named(lat.frame(measures, fixed, dim), dim)
    return out


def enrollment_by(staff_id: str, filters: Filters, dim: str) -> pd.DataFrame:
    if dim not in _LATTICE_DIMS:
        raise ValueError(dim)
    return enrollment_view(staff_id, filters)[dim]


def enrollment_total(staff_id: str, filters: Filters) -> float:
    """The viewer's students under the filters; NaN when hidden."""
    return float(enrollment_view(staff_id, filters)["total"]["students"].iloc[0])


@cache
def enrollment_trend(staff_id: str, school_id: str | None, months: int = 24) -> pd.DataFrame:
    """Students enrolled at each month end, and new entries per month, from fct_school_enrollments.

    History includes students who have left, so it is shown only for the viewer's schools
    (access_viewer_schools) plus the stints of the viewer's own students (a teacher sees only those).
    """
    school_sql, params = ("", [])
    if school_id is not None:
        school_sql, params = " and e.school_id = ?", [school_id]
    df = _over_students(staff_id,
        f"""select e.entry_date, e.exit_date, count(*) as n
            from marts.fct_school_enrollments as e
            where (e.school_id in (select school_id from marts.access_viewer_schools where staff_id = ?)
                   or e.student_id in ({ALLOWED})){school_sql}
            group by e.entry_date, e.exit_date""",
        [staff_id, staff_id, *params],
    )
    end = as_of_date()
    month_starts = pd.date_range(end=pd.Timestamp(end).to_period("M").to_timestamp(), periods=months, freq="MS")
    entry = pd.to_datetime(df["entry_date"])
    exit_ = pd.to_datetime(df["exit_date"])
    rows = []
    for start in month_starts:
        month_end = min(start + pd.offsets.MonthEnd(0), pd.Timestamp(end))
        enrolled = df["n"][(entry <= month_end) & (exit_.isna() | (exit_ > month_end))].sum()
        new = df["n"][(entry >= start) & (entry <= month_end)].sum()
        rows.append({"month": start.date(), "enrolled": int(enrolled), "new_entries": int(new)})
    out = protect(pd.DataFrame(rows, columns=["month", "enrolled", "new_entries"]), n="enrolled",
                  counts=("new_entries",))
    # Enrolled today is the overview's student count: hidden there ("*"), hidden here.
    _, kind = student_lattice(staff_id).cell("students", {"school": school_id} if school_id else {})
    if kind and len(out) and (len(out) - 1, "enrolled") not in out.attrs["hidden"]:
        out.attrs["hidden"][(len(out) - 1, "enrolled")] = kind
        apply_hidden(out)
    return out


# --- attendance -------------------------------------------------------------------------------------

def _attendance_frame(lat: lattice.Lattice, fixed: dict, dim: str | None) -> pd.DataFrame:
    df = lat.frame(["students", "chronically_absent", "absent_4plus_45_days", "absent_days", "tardy_days",
                    "enrolled_days"], fixed, dim)
    df["chronic_absence_rate"] = df["chronically_absent"] / df["students"].replace(0, np.nan)
    df["attendance_rate"] = 1 - df["absent_days"] / df["enrolled_days"].replace(0, np.nan)
    # Tardy days per enrolled day: a statistic of the group, shown with it (as the attendance rate).
    df["tardy_rate"] = df["tardy_days"] / df["enrolled_days"].replace(0, np.nan)
    df = df.drop(columns=["absent_days", "tardy_days", "enrolled_days"])
    suppression.hide_with_group(df, "students", ("attendance_rate", "tardy_rate"))
    df.attrs["rates"] = {"chronic_absence_rate": ("chronically_absent", "students")}
    df.attrs["suppressed"] = [*df.attrs["suppressed"], "chronic_absence_rate", "attendance_rate", "tardy_rate"]
    apply_hidden(df)
    return _named(df, dim)


@cache
def attendance_view(staff_id: str, filters: Filters) -> dict[str, pd.DataFrame]:
    """The attendance page's numbers: "summary" (one row) and a frame per dimension, from the lattice."""
    lat, fixed = student_lattice(staff_id), _fixed(filters)
    return {"summary": _attendance_frame(lat, fixed, None),
            **{dim: _attendance_frame(lat, fixed, dim) for dim in _LATTICE_DIMS}}


def attendance_by(staff_id: str, filters: Filters, dim: str) -> pd.DataFrame:
    if dim not in _LATTICE_DIMS:
        raise ValueError(dim)
    return attendance_view(staff_id, filters)[dim]


def attendance_summary(staff_id: str, filters: Filters) -> pd.DataFrame:
    return attendance_view(staff_id, filters)["summary"]


@cache
def attendance_monthly(staff_id: str, filters: Filters) -> pd.DataFrame:
    # One row per student and month (its key): count(*) counts students, without a distinct to sort.
    where, params = filters.sql()
    df = _over_students(staff_id,
        f"""select sm.school_month as month, count(*) as students,
                   sum(sm.absent_days) as absent_days, sum(sm.enrolled_days) as enrolled_days
            from marts.metrics_student_months as sm
            inner join marts.metrics_students as m on m.student_id = sm.student_id
            where sm.student_id in ({ALLOWED}){where}
            group by sm.school_month
            order by sm.school_month""",
        [staff_id, *params],
    )
    df["month"] = pd.to_datetime(df["month"]).dt.date
    for c in ("students", "absent_days", "enrolled_days"):
        df[c] = pd.to_numeric(df[c]).astype(float)
    df["absence_rate"] = df["absent_days"] / df["enrolled_days"].replace(0, np.nan)
    df = df.drop(columns=["absent_days", "enrolled_days"])
    return protect(df, n="students", values=("absence_rate",))


@cache
def students_with_tardies(staff_id: str, filters: Filters, min_tardies: int = 5) -> pd.DataFrame:
    """The viewer's students with at least ``min_tardies`` tardies in the last 45 days (a list, not suppressed)."""
    return _students_with_at_least(staff_id, filters, "tardies_last_45_days", min_tardies,
                                   "m.homeroom, m.tardies_last_45_days, m.tardy_days, m.absences_last_45_days, "
                                   "m.attendance_rate")


@cache
def students_with_absences(staff_id: str, filters: Filters, min_absences: int = 4) -> pd.DataFrame:
    """The viewer's students with at least ``min_absences`` absences in the last 45 days (a list, not suppressed)."""
    return _students_with_at_least(staff_id, filters, "absences_last_45_days", min_absences,
                                   "m.absences_last_45_days, m.absent_days, m.unexcused_absent_days, m.enrolled_days, "
                                   "m.attendance_rate, m.is_chronically_absent")


def _students_with_at_least(staff_id: str, filters: Filters, measure: str, minimum: int, columns: str) -> pd.DataFrame:
    where, params = filters.sql()
    df = _over_students(staff_id,
        f"""select m.student_id, s.last_name, s.first_name, m.school_id, m.grade_level as grade, {columns}
            from marts.metrics_students as m
            inner join marts.dim_students as s on s.student_id = m.student_id
            where m.student_id in ({ALLOWED}) and m.{measure} >= ?{where}
            order by m.{measure} desc, s.last_name, s.first_name""",
        [staff_id, minimum, *params],
    )
    return _label_schools(df)


# --- who needs attention ----------------------------------------------------------------------------

@cache
def attention_roster(staff_id: str, filters: Filters, section_id: str | None = None,
                     everyone: bool = False) -> pd.DataFrame:
    """The viewer's students who need attention (marts.metrics_student_attention: absences, chronic
    absence, tardies, incidents, STAR band, state test level, each with why), the most urgent first;
    with ``everyone``, every student of the set. ``section_id`` narrows it to one section the viewer
    teaches. A list of named students: exact, as every list is."""
    where, params = filters.sql()
    section_sql, section_params = ("", []) if section_id is None else (f" and a.student_id in ({IN_SECTION})", [section_id])
    needing = "" if everyone else " and a.is_needing_attention"
    df = _over_students(staff_id,
        f"""select a.student_id, s.last_name || ', ' || s.first_name as student, a.grade_level as grade,
                   a.school_id, a.homeroom, a.attention_reasons as why, a.attention_reason_count as reasons,
                   a.absences_last_45_days, a.tardies_last_45_days, a.attendance_rate, a.is_chronically_absent,
                   a.incidents_last_45_days, a.incidents_this_year, a.star_reading_band, a.star_math_band,
                   a.star_band_rank, a.state_test_ela_level, a.state_test_math_level, a.has_iep, a.has_504_plan,
                   a.is_ell, a.is_absence_alert, a.is_tardy_alert, a.is_incident_alert
            from marts.metrics_student_attention as a
            inner join marts.dim_students as s on s.student_id = a.student_id
            inner join marts.metrics_students as m on m.student_id = a.student_id
            where a.student_id in ({ALLOWED}){needing}{where}{section_sql}
            order by a.attention_reason_count desc, coalesce(a.star_band_rank, 9), a.absences_last_45_days desc,
                     s.last_name, s.first_name""",
        [staff_id, *params, *section_params],
    )
    df = _label_schools(df)
    flags = [np.where(df[c].fillna(False).astype(bool), f, None) for c, f in
             (("has_iep", "IEP"), ("has_504_plan", "504"), ("is_ell", "EL"))]
    df["flags"] = [", ".join(f for f in row if f) for row in zip(*flags)]
    return df.drop(columns=["has_iep", "has_504_plan", "is_ell"])


# --- by homeroom, section and teacher ---------------------------------------------------------------

# How each breakdown maps a student to groups: (group key, group label, extra joins). A student has
# one homeroom; a student is in several sections and has several teachers (groups overlap).
_GROUPINGS = {
    "homeroom": ("m.school_id || '|' || coalesce(s.homeroom, '')", "coalesce(s.homeroom, 'no homeroom')", ""),
    "section": ("sec.section_id", "sec.section_title || coalesce(' · period ' || sec.period, '')",
                """inner join marts.fct_section_enrollments as se
                       on se.student_id = m.student_id and se.role = 'student' and se.is_current
                   inner join marts.dim_sections as sec on sec.section_id = se.section_id"""),
    "teacher": ("t.staff_id", "t.last_name || ', ' || t.first_name",
                """inner join marts.fct_section_enrollments as se
                       on se.student_id = m.student_id and se.role = 'student' and se.is_current
                   inner join marts.fct_section_enrollments as te
                       on te.section_id = se.section_id and te.role = 'teacher' and te.is_current
                   inner join marts.dim_staff as t on t.staff_id = te.staff_id"""),
}
GROUPINGS = tuple(_GROUPINGS)


@cache
def groups_by(staff_id: str, filters: Filters, by: str) -> pd.DataFrame:
    """Absences, tardies and incidents of the viewer's students per homeroom, section or teacher.

    Each row's students are counted once however many of their sections it covers. Groups of
    fewer than MIN_GROUP students are hidden whole; homerooms split each school's students, so
    their counts also get complementary suppression within the school (sections and teachers
    overlap: no total to subtract from)."""
    key, label, joins = _GROUPINGS[by]
    where, params = filters.sql()
    df = _over_students(staff_id,
        f"""with members as (
                select distinct {key} as group_key, {label} as group_name, m.school_id, m.student_id,
                       m.enrolled_days, m.absent_days, m.tardy_days, m.absences_last_45_days,
                       m.incidents_this_year, m.is_chronically_absent
                from marts.metrics_students as m
                inner join marts.dim_students as s on s.student_id = m.student_id
                {joins}
                where m.student_id in ({ALLOWED}){where})
            select group_key, min(group_name) as {by}, min(school_id) as school_id, count(*) as students,
                   sum(case when is_chronically_absent then 1 else 0 end) as chronically_absent,
                   sum(case when absences_last_45_days >= 4 then 1 else 0 end) as absent_4plus_45_days,
                   sum(case when incidents_this_year > 0 then 1 else 0 end) as students_with_incidents,
                   sum(incidents_this_year) as incidents,
                   sum(absent_days) as absent_days, sum(tardy_days) as tardy_days, sum(enrolled_days) as enrolled_days
            from members
            group by group_key""",
        [staff_id, *params],
    )
    for c in ("students", "chronically_absent", "absent_4plus_45_days", "students_with_incidents", "incidents",
              "absent_days", "tardy_days", "enrolled_days"):
        df[c] = pd.to_numeric(df[c]).astype(float)
    enrolled = df["enrolled_days"].replace(0, np.nan)
    df["attendance_rate"] = 1 - df["absent_days"] / enrolled
    df["tardy_rate"] = df["tardy_days"] / enrolled
    df = _label_schools(df.drop(columns=["absent_days", "tardy_days", "enrolled_days"]))
    df = df.sort_values(["school", by]).reset_index(drop=True)
    partition = by == "homeroom"
    return protect(df.drop(columns=["group_key"]), n="students",
                   counts=("chronically_absent", "students_with_incidents"),
                   values=("incidents", "attendance_rate", "tardy_rate", "absent_4plus_45_days"),
                   partitions=("students", "chronically_absent") if partition else (),
                   group="school_id" if partition else None)


# --- discipline -------------------------------------------------------------------------------------

DISCIPLINE_DIMENSIONS = {"location": "i.location", "time_of_day": "i.time_of_day",
                         "weekday": "i.weekday", "incident_code": "i.incident_code"}


@cache
def _discipline_events(staff_id: str, filters: Filters, since: dt.date) -> pd.DataFrame:
    """The viewer's incidents since ``since``, one row each with every breakdown's category: one
    query serves every breakdown on the page."""
    where, params = filters.sql()
    columns = ", ".join(f"coalesce({column}, 'unknown') as {dim}" for dim, column in DISCIPLINE_DIMENSIONS.items())
    events = _over_students(staff_id,
        f"""select {columns}, i.student_id, i.event_date
            from marts.fct_discipline_incidents as i
            inner join marts.metrics_students as m on m.student_id = i.student_id
            where i.student_id in ({ALLOWED}) and i.event_date >= ?{where}""",
        [staff_id, since, *params],
    )
    events["event_date"] = pd.to_datetime(events["event_date"])
    return events


@cache
def discipline_by(staff_id: str, filters: Filters, dim: str, since: dt.date) -> pd.DataFrame:
    """Incidents and students involved per category; categories of fewer than MIN_GROUP students are
    merged into "Other" (a rare category's name alone would disclose the event)."""
    if dim not in DISCIPLINE_DIMENSIONS:
        raise ValueError(dim)
    events = _discipline_events(staff_id, filters, since)[[dim, "student_id"]].copy()
    if events.empty:
        return protect(pd.DataFrame(columns=[dim, "incidents", "students"]), n="students", values=("incidents",))
    events[dim] = group_rare(events, dim)
    df = events.groupby(dim, as_index=False).agg(incidents=("student_id", "size"), students=("student_id", "nunique"))
    order = {"weekday": WEEKDAYS, "time_of_day": TIMES_OF_DAY}.get(dim)
    if order:
        df = df.iloc[_order(df[dim], lambda v: order.index(v) if v in order else 99)]
    else:
        df = df.sort_values(["incidents", dim], ascending=[False, True])
    # "Other" goes last whatever its size.
    df = pd.concat([df[df[dim] != "Other"], df[df[dim] == "Other"]])
    # The incidents total is on the page exactly (discipline_summary).
    return protect(df, n="students", values=("incidents",), partitions=("incidents",), public=("incidents",))


@cache
def discipline_summary(staff_id: str, filters: Filters, since: dt.date) -> pd.DataFrame:
    """Incidents, students involved, and students with an incident in the last 45 days."""
    events = _discipline_events(staff_id, filters, since)
    recent = events["event_date"] > pd.Timestamp(as_of_date() - dt.timedelta(days=45))
    # Exact: the list of students with incidents under these numbers names every one of them.
    return pd.DataFrame([{"incidents": float(len(events)), "students": float(events["student_id"].nunique()),
                          "students_last_45_days": float(events.loc[recent, "student_id"].nunique())}])


@cache
def discipline_monthly(staff_id: str, filters: Filters, since: dt.date) -> pd.DataFrame:
    events = _discipline_events(staff_id, filters, since)
    month = events["event_date"].dt.to_period("M").dt.start_time.dt.date.rename("month")
    df = (events.groupby(month).agg(incidents=("student_id", "size"), students=("student_id", "nunique"))
          .reset_index().sort_values("month").reset_index(drop=True))
    # The incidents total is on the page exactly (discipline_summary).
    return protect(df, n="students", values=("incidents",), partitions=("incidents",), public=("incidents",))


@cache
def students_with_incidents(staff_id: str, filters: Filters) -> pd.DataFrame:
    where, params = filters.sql()
    df = _over_students(staff_id,
        f"""select m.student_id, s.last_name, s.first_name, m.school_id, m.grade_level as grade,
                   m.incidents_last_45_days, m.incidents_this_year, m.absences_last_45_days
            from marts.metrics_students as m
            inner join marts.dim_students as s on s.student_id = m.student_id
            where m.student_id in ({ALLOWED}) and m.incidents_this_year > 0{where}
            order by m.incidents_last_45_days desc, m.incidents_this_year desc, s.last_name""",
        [staff_id, *params],
    )
    return _label_schools(df)


@cache
def recent_incidents(staff_id: str, filters: Filters, days: int = 30, limit: int = 300) -> pd.DataFrame:
    """The viewer's students' incidents of the last ``days`` days, newest first (a list: names and events)."""
    where, params = filters.sql()
    df = _over_students(staff_id,
        f"""select i.event_date as date, s.last_name || ', ' || s.first_name as student, m.grade_level as grade,
                   i.incident_code as incident, i.location, i.time_of_day, i.school_id, i.student_id
            from marts.fct_discipline_incidents as i
            inner join marts.metrics_students as m on m.student_id = i.student_id
            inner join marts.dim_students as s on s.student_id = i.student_id
            where i.student_id in ({ALLOWED}) and i.event_date > ?{where}
            order by i.event_date desc, s.last_name, s.first_name
            limit {int(limit)}""",
        [staff_id, as_of_date() - dt.timedelta(days=days), *params],
    )
    return _label_schools(df)


# --- assessments ------------------------------------------------------------------------------------

def _subject_columns(subject: str) -> tuple[str, str]:
    if subject not in SUBJECTS:
        raise ValueError(subject)
    s = subject.lower()
    return f"m.star_{s}_percentile", f"m.star_{s}_band"


def star_lattice(staff_id: str, subject: str) -> lattice.Lattice:
    """Tested students (latest STAR test) by school × grade × subgroup × benchmark band, and margins
    (shared by viewers with the same scopes)."""
    return _star_lattice(scope_key(staff_id), staff_id, subject)


@cache
def _star_lattice(scopes: tuple, _staff_id: str, subject: str) -> lattice.Lattice:
    return _compute_star_lattice(_staff_id, subject)


def _compute_star_lattice(staff_id: str, subject: str) -> lattice.Lattice:
    return lattice_store.build(_lattice_dir(), **_star_lattice_input(staff_id, subject))


def _star_lattice_input(staff_id: str, subject: str) -> dict:
    """The arguments of lattice_store.build for the viewer's STAR lattice of ``subject``."""
    _, band = _subject_columns(subject)
    df = _over_students(staff_id,
        f"""select m.school_id as school, coalesce(m.grade_level, 'unknown') as grade,
                   coalesce(m.subgroup, 'unknown') as subgroup, {band} as band, count(*) as students
            from marts.metrics_students as m
            where m.student_id in ({ALLOWED}) and {band} is not null
            group by m.school_id, coalesce(m.grade_level, 'unknown'), coalesce(m.subgroup, 'unknown'), {band}""",
        [staff_id],
    )
    df["students"] = pd.to_numeric(df["students"]).astype(float)
    return dict(inner=df, dims=[*_LATTICE_DIMS, "band"], n="students", counts=[],
                family=f"star {subject} {scope_key(staff_id)}")


@cache
def star_view(staff_id: str, filters: Filters, subject: str) -> dict[str, pd.DataFrame]:
    """Latest STAR test per student: "distribution" (per grade: tested students, quartiles, mean) and
    "bands" (students per grade and benchmark band, with the band's share of the grade). The counts
    come from the STAR lattice, so they hold under every filter; the quartiles of a small grade are hidden."""
    pct, _ = _subject_columns(subject)
    where, params = filters.sql()
    lat, fixed = star_lattice(staff_id, subject), _fixed(filters)
    values = _over_students(staff_id,
        f"""select m.grade_level as grade,
                   percentile_cont(0.25) within group (order by {pct}) as p25,
                   percentile_cont(0.5) within group (order by {pct}) as median,
                   percentile_cont(0.75) within group (order by {pct}) as p75,
                   avg({pct}) as mean
            from marts.metrics_students as m
            where m.student_id in ({ALLOWED}) and {pct} is not null{where}
            group by m.grade_level""",
        [staff_id, *params],
    )
    dist = lat.frame(["students"], fixed, "grade")
    attrs = dist.attrs
    dist = dist.merge(values, on="grade", how="left")  # same rows, same order
    dist.attrs = attrs
    suppression.hide_with_group(dist, "students", ("p25", "median", "p75", "mean"))
    dist.attrs["suppressed"] = ["students", "p25", "median", "p75", "mean"]
    apply_hidden(dist)
    dist = _named(dist, "grade")

    bands = lat.frame(["students"], fixed, ["grade", "band"])
    grade_totals = [lat.cell("students", {**fixed, "grade": g}) for g in bands["grade"]]
    bands["grade_students"] = [n for n, _ in grade_totals]
    bands["share"] = bands["students"] / bands["grade_students"]
    bands.attrs["hidden"].update({(i, "grade_students"): kind for i, (_, kind) in enumerate(grade_totals) if kind})
    bands.attrs.update(suppressed=["students", "grade_students", "share"], rates={"share": ("students", "grade_students")})
    band_rank = {b: i for i, b in enumerate(BANDS)}
    order = _order(list(zip(bands["grade"], bands["band"])),
                   lambda gb: (grade_key(gb[0]), band_rank.get(gb[1], len(BANDS)), gb[1]))
    bands = suppression.reorder(bands, order)
    apply_hidden(bands)
    return {"distribution": dist, "bands": bands}


def star_distribution(staff_id: str, filters: Filters, subject: str) -> pd.DataFrame:
    return star_view(staff_id, filters, subject)["distribution"]


def star_bands(staff_id: str, filters: Filters, subject: str) -> pd.DataFrame:
    return star_view(staff_id, filters, subject)["bands"]


def star_growth_numbers(staff_id: str, filters: Filters, subject: str, since: dt.date) -> pd.DataFrame:
    """Per grade and testing window this school year (fall: July-November, winter: December-February,
    spring: March-June), each student's latest STAR test of the window: tested students and their
    median percentile; and the students also tested in the window before (same grade), their number
    and the median of their change. Unprotected: star_growth protects it.

    Computed by the engine: a district's year of STAR tests is hundreds of thousands of rows, and
    only a few dozen numbers come back."""
    where, params = filters.sql()
    df = _over_students(staff_id,
        f"""with tests as (
                select r.student_id, m.grade_level as grade, r.test_date, r.percentile,
                       case when extract(month from r.test_date) between 7 and 11 then 'fall'
                            when extract(month from r.test_date) in (12, 1, 2) then 'winter'
                            else 'spring' end as test_window
                from marts.fct_assessment_results as r
                inner join marts.metrics_students as m on m.student_id = r.student_id
                where r.student_id in ({ALLOWED}) and r.source_system = 'star' and r.subject = ?
                    and r.test_date >= ? and r.percentile is not null and m.grade_level is not null{where}),
            ranked as (
                select student_id, grade, test_window, percentile,
                       row_number() over (partition by student_id, grade, test_window order by test_date desc) as recency
                from tests),
            latest as (select student_id, grade, test_window, percentile from ranked where recency = 1),
            tested as (
                select grade, test_window, count(*) as students,
                       percentile_cont(0.5) within group (order by percentile) as median_percentile
                from latest group by grade, test_window),
            changed as (
                select later.grade, later.test_window, count(*) as matched_students,
                       percentile_cont(0.5) within group (order by later.percentile - earlier.percentile) as median_change
                from latest as later
                inner join latest as earlier
                    on earlier.student_id = later.student_id and earlier.grade = later.grade
                    and earlier.test_window = case later.test_window when 'winter' then 'fall'
                                                                     when 'spring' then 'winter' end
                group by later.grade, later.test_window)
            select t.grade, t.test_window, t.students, t.median_percentile,
                   coalesce(c.matched_students, 0) as matched_students, c.median_change
            from tested as t
            left join changed as c on c.grade = t.grade and c.test_window = t.test_window""",
        [staff_id, subject, since, *params],
    )
    cols = ["grade", "window", "students", "median_percentile", "matched_students", "median_change"]
    found = {(g, w): row for g, w, *row in df.itertuples(index=False)}
    windows = [w for w in WINDOWS if w in set(df["test_window"])]
    rows = []
    # Every window tested this year, in every grade tested (none tested in a window is a row too).
    for grade in sorted(set(df["grade"]), key=grade_key):
        for window in windows:
            students, median, matched, change = found.get((grade, window), (0, np.nan, 0, np.nan))
            rows.append((grade, window, int(students), _float(median), int(matched), _float(change)))
    return pd.DataFrame(rows, columns=cols)


def _float(value) -> float:
    return np.nan if value is None or pd.isna(value) else float(value)


@cache
def star_growth(staff_id: str, filters: Filters, subject: str, since: dt.date) -> pd.DataFrame:
    """STAR by testing window this school year: median percentile per grade and window, and the
    median change for students tested in consecutive windows (fall→winter, winter→spring)."""
    out = star_growth_numbers(staff_id, filters, subject, since)
    if out.empty:
        return _without(protect(out, n="students", counts=("matched_students",),
                                values=("median_percentile", "median_change")), "students")
    # The median change describes the matched students: a group of its own, hidden when small.
    out["median_change"] = out["median_change"].where(out["matched_students"] >= MIN_GROUP)
    out = protect(out, n="students", counts=("matched_students",), values=("median_percentile",),
                  rates={"median_change": ("matched_students", "matched_students")})
    # The number tested per grade and window is not shown: in a year's first window it is the
    # distribution's count per grade, which the STAR lattice may hide ("*") to protect another.
    return _without(out, "students")


STATE_LEVELS = ["Exceeding Expectations", "Meeting Expectations", "Partially Meeting Expectations",
                "Not Meeting Expectations", "Advanced", "Proficient", "Needs Improvement", "Warning", "Failing"]


@cache
def state_tests(staff_id: str, filters: Filters, subject: str) -> dict[str, pd.DataFrame]:
    """The latest state test of each of the viewer's students in ``subject`` (ELA or Math): "levels"
    (students per grade and performance level, with the level's share of the grade) and "scores"
    (per grade: tested students, median scale score, median growth percentile). The levels of a
    grade add up to its tested students, so they get complementary suppression within the grade."""
    if subject not in ("ELA", "Math"):
        raise ValueError(subject)
    where, params = filters.sql()
    # Counted by the engine, as star_growth_numbers: a state-sized district has a state test for
    # hundreds of thousands of students, and only a few dozen numbers per subject come back.
    df = _over_students(staff_id,
        f"""with ranked as (
                select r.student_id, r.school_year, r.performance_level, r.scale_score, r.growth,
                       row_number() over (partition by r.student_id order by r.test_date desc, r.result_id) as recency
                from marts.fct_assessment_results as r
                where r.source_system = 'aspen' and r.subject = ? and r.student_id in ({ALLOWED})),
            latest as (
                select m.grade_level as grade, r.school_year, r.performance_level as level, r.scale_score, r.growth
                from ranked as r
                inner join marts.metrics_students as m on m.student_id = r.student_id
                where r.recency = 1 and m.grade_level is not null{where})
            select 'level' as part, grade, level, count(*) as students, null as median_scale_score,
                   null as median_growth, null as school_year
            from latest where level is not null group by grade, level
            union all
            select 'grade' as part, grade, null as level, count(*) as students,
                   percentile_cont(0.5) within group (order by scale_score) as median_scale_score,
                   percentile_cont(0.5) within group (order by growth) as median_growth,
                   max(school_year) as school_year
            from latest group by grade""",
        [subject, staff_id, *params],
    )
    df["students"] = df["students"].astype(int)
    rank = {lv: i for i, lv in enumerate(STATE_LEVELS)}
    levels = df.loc[df["part"] == "level", ["grade", "level", "students"]].reset_index(drop=True).copy()
    levels["grade_students"] = levels.groupby("grade")["students"].transform("sum")
    levels["share"] = levels["students"] / levels["grade_students"]
    order = _order(list(zip(levels["grade"], levels["level"])), lambda gl: (grade_key(gl[0]), rank.get(gl[1], len(rank))))
    levels = levels.iloc[order].reset_index(drop=True)
    levels = protect(levels, n="grade_students", counts=("students",), rates={"share": ("students", "grade_students")},
                     partitions=("students",), group="grade")
    scores = df.loc[df["part"] == "grade", ["grade", "students", "median_scale_score", "median_growth", "school_year"]].copy()
    for c in ("median_scale_score", "median_growth"):
        scores[c] = [_float(v) for v in scores[c]]
    scores = scores.iloc[_order(scores["grade"], grade_key)]
    scores["school_year"] = [school_year_label(int(y)) if pd.notna(y) else "" for y in scores["school_year"]]
    scores = protect(scores.reset_index(drop=True), n="students", values=("median_scale_score", "median_growth"))
    return {"levels": levels, "scores": scores}


def _without(df: pd.DataFrame, column: str) -> pd.DataFrame:
    attrs = df.attrs
    out = df.drop(columns=[column])
    out.attrs = {**attrs, "hidden": {k: v for k, v in attrs["hidden"].items() if k[1] != column},
                 "suppressed": [c for c in attrs["suppressed"] if c != column]}
    return out


# --- student profile --------------------------------------------------------------------------------

# Students who left (or moved to a school the viewer does not serve) stay visible to the viewers of
# the schools that served them (access_viewer_schools): their records from those enrollments only.
SERVED_SCHOOLS = "select school_id from marts.access_viewer_schools where staff_id = ?"


def _served(alias: str, date_column: str | None) -> str:
    """A condition (one parameter: staff_id) that row ``alias`` belongs to a stint of its student at
    one of the viewer's schools, dated within it when ``date_column`` is given."""
    dated = ""
    if date_column:
        dated = (f" and {alias}.{date_column} >= w.entry_date"
                 f" and (w.exit_date is null or {alias}.{date_column} <= w.exit_date)")
    return (f"exists (select 1 from marts.fct_school_enrollments as w where w.student_id = {alias}.student_id"
            f" and w.school_id in ({SERVED_SCHOOLS}){dated})")


@cache
def serves_schools(staff_id: str) -> bool:
    """Whether the viewer has schools (not only sections): they may open students those schools served."""
    return bool(len(db.query(f"{SERVED_SCHOOLS} limit 1", [staff_id])))


@cache
def student_access(staff_id: str, student_id: str) -> str | None:
    """How the viewer may open a student: "current" (one of their students: everything, every year),
    "served" (enrolled at one of their schools before: the records of those enrollments), or None
    (the same answer as for an id that does not exist)."""
    if not student_id:
        return None
    current = db.query(f"select 1 from marts.dim_students where student_id = ? and student_id in ({ALLOWED_ONE})",
                       [student_id, staff_id, student_id])
    if len(current):
        return "current"
    served = db.query(f"select 1 from marts.dim_students as s where s.student_id = ? and {_served('s', None)}",
                      [student_id, staff_id])
    return "served" if len(served) else None


# One student among the viewer's: parameters staff_id, student_id (both filters reach the view's
# joins, so PostgreSQL checks one pair instead of listing the viewer's students).
ALLOWED_ONE = "select student_id from marts.access_viewer_students where staff_id = ? and student_id = ?"


def _may_see(access: str, alias: str, date_column: str | None, staff_id: str, student_id: str) -> tuple[str, list]:
    """The permission condition of a profile query on ``alias``, and its parameters."""
    if access == "current":
        return f"{alias}.student_id in ({ALLOWED_ONE})", [staff_id, student_id]
    return _served(alias, date_column), [staff_id]


@cache
def student_search(staff_id: str, text: str, filters: Filters, limit: int = 200,
                   include_left: bool = False) -> pd.DataFrame:
    """The viewer's students matching ``text``; with ``include_left``, also the students who were
    enrolled at one of the viewer's schools and are not among them now (status says why)."""
    where, params = filters.sql()
    text = (text or "").strip().lower()
    search_sql, search_params = "", []
    if text:
        like = f"%{text}%"
        search_sql = (" and (lower(s.last_name) like ? or lower(s.first_name) like ? or s.student_id like ?"
                      " or lower(" + _concat("s.first_name", "' '", "s.last_name") + ") like ?)")
        search_params = [like, like, like, like]
    df = _over_students(staff_id,
        f"""select m.student_id, s.last_name, s.first_name, m.grade_level as grade, m.school_id,
                   'current' as status
            from marts.metrics_students as m
            inner join marts.dim_students as s on s.student_id = m.student_id
            where m.student_id in ({ALLOWED}){where}{search_sql}
            order by s.last_name, s.first_name, m.student_id
            limit {int(limit)}""",
        [staff_id, *params, *search_params],
    )
    if include_left:
        school_sql, school_params = ("", []) if filters.school_id is None else (" and s.school_id = ?", [filters.school_id])
        left = _over_students(staff_id,
            f"""select s.student_id, s.last_name, s.first_name, s.grade_level as grade, s.school_id,
                       case when s.is_active then 'moved' else s.enrollment_status end as status
                from marts.dim_students as s
                where {_served('s', None)} and s.student_id not in ({ALLOWED}){school_sql}{search_sql}
                order by s.last_name, s.first_name, s.student_id
                limit {int(limit)}""",
            [staff_id, staff_id, *school_params, *search_params],
        )
        df = pd.concat([df, left], ignore_index=True)
    return _label_schools(df)


def _concat(*parts: str) -> str:
    return " || ".join(f"coalesce({p}, '')" if not p.startswith("'") else p for p in parts)


def school_year_of(day) -> int:
    """The school year a date falls in, named by the calendar year it ends in (2027 = 2026-27)."""
    return day.year + (1 if day.month >= 7 else 0)


def school_year_label(year: int) -> str:
    return f"{year - 1}–{str(year)[2:]}"


@cache
def student_profile(staff_id: str, student_id: str) -> dict[str, pd.DataFrame] | None:
    """Everything about one student the viewer may open (student_access), or None.

    The answer for a student the viewer may not see is the same as for an id that does not
    exist, so the page cannot be used to probe who is enrolled. A current student shows every year
    the warehouse holds; a student the viewer's schools served before shows those enrollments only.
    """
    access = student_access(staff_id, student_id)
    if access is None:
        return None
    # Every detail query repeats the permission check.
    mine = f"in ({ALLOWED_ONE})"
    me = [staff_id, student_id]

    def may_see(alias: str, date_column: str | None) -> tuple[str, list]:
        sql, params = _may_see(access, alias, date_column, staff_id, student_id)
        return sql, [student_id, *params]

    # A student the viewer's schools served before: the stints at those schools, not where they went.
    stints, stint_params = ((f"e.student_id {mine}", me) if access == "current"
                            else (f"e.school_id in ({SERVED_SCHOOLS})", [staff_id]))
    person_sql, person_params = may_see("s", None)
    events_sql, events_params = may_see("a", "event_date")
    incidents_sql, incidents_params = may_see("i", "event_date")
    results_sql, results_params = may_see("r", "test_date")
    parts = {
        "student": (f"""select s.student_id, s.state_student_id, s.first_name, s.middle_name, s.last_name, s.birth_date,
                   s.gender, s.grade_level, s.race, s.is_hispanic_latino, s.home_language, s.lunch_status,
                   s.is_ell, s.has_iep, s.has_504_plan, s.enrollment_status, s.is_active, s.registration_date,
                   s.homeroom, coalesce(c.first_name || ' ' || c.last_name, s.counselor_login) as counselor,
                   s.email, s.school_id
            from marts.dim_students as s
            left join marts.dim_staff as c on lower(c.login_name) = lower(s.counselor_login)
            where s.student_id = ? and {person_sql}""", person_params),
        "metrics": (f"select * from marts.metrics_students where student_id = ? and student_id {mine}", [student_id, *me]),
        "enrollments": (f"""select e.school_id, e.entry_date, e.exit_date, e.exit_reason, e.is_current
            from marts.fct_school_enrollments as e
            where e.student_id = ? and {stints}
            order by e.entry_date desc""", [student_id, *stint_params]),
        "sections": (f"""select sec.section_title as section, sec.period, sec.room, sec.term_code as term,
                   t.first_name || ' ' || t.last_name as teacher, t.email as teacher_email,
                   sec.is_in_progress as in_progress
            from marts.fct_section_enrollments as se
            inner join marts.dim_sections as sec on sec.section_id = se.section_id
            left join marts.fct_section_enrollments as te
                on te.section_id = se.section_id and te.role = 'teacher'
            left join marts.dim_staff as t on t.staff_id = te.staff_id
            where se.student_id = ? and se.role = 'student' and se.is_current
                and se.student_id {mine}
            order by sec.period, sec.section_title, te.is_primary desc""", [student_id, *me]),
        "school_days": (f"""select d.school_day, d.weekday from marts.dim_school_days as d
            where exists ({ALLOWED_ONE}) order by d.school_day""", me),
        "attendance_events": (f"""select a.event_date, a.school_id, a.is_absent, a.is_tardy, a.is_dismissed, a.is_excused,
                   a.reason
            from marts.fct_attendance_events as a
            where a.student_id = ? and {events_sql}""", events_params),
        "incidents": (f"""select i.event_date, i.incident_code, i.location, i.time_of_day, i.description, i.school_id
            from marts.fct_discipline_incidents as i
            where i.student_id = ? and {incidents_sql}
            order by i.event_date desc""", incidents_params),
        "assessments": (f"""select r.test_date, r.source_system, r.assessment, r.subject, r.test, r.scale_score,
                   r.percentile, r.performance_level, r.growth, r.grade_equivalent
            from marts.fct_assessment_results as r
            where r.student_id = ? and {results_sql}
            order by r.test_date desc""", results_params),
    }
    out = dict(zip(parts, db.queries(list(parts.values()))))
    if out["student"].empty:
        return None
    # This year's calendar: every school day, with the student's event of that day if any (one scan of
    # the events, which the timeline below reads too).
    events = out["attendance_events"].drop(columns=["school_id"]).rename(columns={"event_date": "school_day"})
    days = out.pop("school_days")
    days["school_day"] = pd.to_datetime(days["school_day"])
    events["school_day"] = pd.to_datetime(events["school_day"])
    out["attendance"] = days.merge(events, on="school_day", how="left")
    for part in ("student", "enrollments", "incidents"):
        out[part] = _label_schools(out[part])
    out["student"] = out["student"].drop_duplicates("student_id")
    out["access"] = pd.DataFrame({"access": [access]})
    out["years"] = _years(out)
    return out


def _years(profile: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The student's timeline: one row per school year the warehouse holds anything for (schools,
    absences, tardies, incidents, state test levels, latest STAR percentiles), newest first."""
    rows: dict[int, dict] = {}

    def year(y: int) -> dict:
        return rows.setdefault(y, {"school_year": y, "schools": set(), "absences": 0, "tardies": 0,
                                   "dismissals": 0, "incidents": 0, "state_tests": [], "star": {}})

    for e in profile["enrollments"].itertuples():
        first = school_year_of(_date(e.entry_date))
        last = school_year_of(_date(e.exit_date) or as_of_date())
        for y in range(first, last + 1):
            year(y)["schools"].add(e.school)
    for a in profile["attendance_events"].itertuples():
        y = year(school_year_of(_date(a.event_date)))
        y["absences"] += bool(a.is_absent)
        y["tardies"] += bool(a.is_tardy)
        y["dismissals"] += bool(a.is_dismissed)
    for i in profile["incidents"].itertuples():
        year(school_year_of(_date(i.event_date)))["incidents"] += 1
    for r in profile["assessments"].sort_values("test_date").itertuples():
        y = year(school_year_of(_date(r.test_date)))
        if r.source_system == "star":
            if pd.notna(r.percentile):
                y["star"][r.subject] = int(r.percentile)
        elif r.performance_level:
            y["state_tests"].append(f"{r.subject}: {r.performance_level}")
    out = [{"school year": school_year_label(y), "schools": ", ".join(sorted(v["schools"])) or "—",
            "absences": v["absences"], "tardies": v["tardies"], "dismissals": v["dismissals"],
            "incidents": v["incidents"],
            "state tests": "; ".join(dict.fromkeys(v["state_tests"])) or "—",
            "STAR (latest percentile)": ", ".join(f"{k} {p}" for k, p in sorted(v["star"].items())) or "—"}
           for y, v in sorted(rows.items(), reverse=True)]
    return pd.DataFrame(out, columns=["school year", "schools", "absences", "tardies", "dismissals", "incidents",
                                      "state tests", "STAR (latest percentile)"])


# --- data health (district administrators) ---------------------------------------------------------

@cache
def health_loads(staff_id: str) -> pd.DataFrame:
    """The file each source and entity holds now, and the last attempt (which may have been refused)."""
    require_district(staff_id)
    df = db.query(
        """select source, entity, file_name, rows_read, rows_loaded, rows_rejected, loaded_at,
                  last_attempt_status as last_attempt, last_attempt_at, last_attempt_message as last_message
           from marts.dq_file_loads
           order by source, entity""")
    loaded = pd.to_datetime(df["loaded_at"], utc=True)
    df["hours_since_load"] = ((pd.Timestamp.now(tz="UTC") - loaded).dt.total_seconds() / 3600).round(1)
    df["fresh"] = df["hours_since_load"] <= 36
    return df


@cache
def health_rejected(staff_id: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows the loader could not read in the current files: counts by reason, and the rows
    (file, line, reason, detail; never the raw text, which may hold a student's record)."""
    require_district(staff_id)
    rows = db.query(
        """select source, entity, file_name, record_number as line, reason, detail
           from marts.dq_rejected_rows
           order by source, entity, record_number""")
    counts = rows.groupby(["source", "entity", "reason"], as_index=False).size().rename(columns={"size": "rows"})
    return counts, rows


@cache
def health_excluded(staff_id: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    require_district(staff_id)
    rows = db.query(
        """select source, entity, reason, detail, file_name, record_number as line, record_key
           from marts.dq_excluded_rows
           order by source, entity, reason, file_name, record_number""")
    counts = rows.groupby(["source", "entity", "reason"], as_index=False).size().rename(columns={"size": "rows"})
    return counts, rows


@cache
def health_exports(staff_id: str) -> pd.DataFrame | None:
    """Vendor pushes (marts.dq_export_pushes), newest first; None until the first push."""
    require_district(staff_id)
    df = db.query(
        """select pushed_at, vendor, destination, file_name, status, row_count, previous_row_count, is_forced, message,
                  sensitive_fields
           from marts.dq_export_pushes
           order by pushed_at desc, vendor, file_name
           limit 200""")
    return df if len(df) else None


def _ids_in(sql: str, ids: set[str], *before: str) -> set[str]:
    """The first column of ``sql`` (its ``{}`` a list of placeholders) over ``ids``, 500 at a time."""
    found: set[str] = set()
    ordered = sorted(ids)
    for start in range(0, len(ordered), 500):
        chunk = ordered[start:start + 500]
        found |= set(db.query(sql.format(", ".join("?" * len(chunk))), [*before, *chunk]).iloc[:, 0])
    return found


def _visible_students(staff_id: str, ids: set[str]) -> set[str]:
    """Those of ``ids`` that are students ``staff_id`` may see."""
    return _ids_in("select distinct student_id from marts.access_viewer_students where staff_id = ? "
                   "and student_id in ({})", ids, staff_id)


@cache
def health_last_pushes(staff_id: str) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """Per vendor and destination, the last push's status and message, and that push's sync log
    (marts.dq_export_issues: the rows an export check found wrong); None until the first push."""
    require_district(staff_id)
    last = db.query(
        """with ranked as (
               select push_id, vendor, destination, status, message, pushed_at,
                      row_number() over (partition by vendor, destination order by pushed_at desc) as recency
               from marts.dq_export_pushes)
           select vendor, destination, status, pushed_at, message, push_id
           from ranked where recency = 1
           order by vendor, destination""")
    if last.empty:
        return None
    ids = list(last["push_id"])
    log = db.query(
        f"""select vendor, destination, file_name, row_key, field, rule, severity, detail
            from marts.dq_export_issues where push_id in ({', '.join('?' * len(ids))})
            order by vendor, destination, severity, file_name, row_key limit 2000""", ids)
    # A key that is a student id is shown only to those who may see that student (as in the access log).
    keys = {k for k in log["row_key"].dropna()}
    hidden = _ids_in("select student_id from marts.dim_students where student_id in ({})", keys) \
        - _visible_students(staff_id, keys)
    log["row_key"] = [("(not yours)" if k in hidden else k) for k in log["row_key"]]
    return last.drop(columns=["push_id"]), log


@cache
def access_log(staff_id: str, limit: int = 500) -> pd.DataFrame:
    """The newest access-log events (dashboards.audit), for district administrators. A student is
    named only when the administrator may see that student; otherwise the event shows without its
    student id (an administrator of one district does not learn who is enrolled in another)."""
    require_district(staff_id)
    log = audit.recent(limit)
    allowed = _visible_students(staff_id, set(log["student_id"].dropna()))
    log["student_id"] = [s if s in allowed else ("(not yours)" if s else None) for s in log["student_id"]]
    names = db.query("select staff_id, display_name from marts.access_viewers")
    log.insert(2, "who", log["staff_id"].map(dict(zip(names["staff_id"], names["display_name"]))).fillna(log["login"]))
    return log.drop(columns=["login"])
