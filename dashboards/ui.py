"""Small display helpers shared by the pages: the signed-in context, suppressed tables and metrics,
CSV downloads, and a few altair charts. No data access here (see dashboards.data)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable

import altair as alt
import pandas as pd
import streamlit as st

from dashboards.access import Viewer
from dashboards import audit, suppression
from dashboards.data import MIN_GROUP, SUPPRESSED, Filters

PERCENT_COLUMNS = re.compile(r"(rate|share)$")

# Column names as people read them (any other: underscores become spaces).
LABELS = {
    "absent_4plus_45_days": "4+ absences in 45 days", "free_reduced": "free or reduced lunch",
    "ell": "English learners", "iep": "with an IEP", "p25": "25th percentile", "p75": "75th percentile",
    "median": "median percentile", "mean": "mean percentile", "chronic_absence_rate": "chronic absence rate",
    "absences_last_45_days": "absences, 45 days", "tardies_last_45_days": "tardies, 45 days",
    "incidents_last_45_days": "incidents, 45 days", "incidents_this_year": "incidents this year",
    "unexcused_absent_days": "unexcused absent days", "is_chronically_absent": "chronically absent",
    "star_reading_band": "STAR Reading", "star_math_band": "STAR Math", "star_band_rank": "STAR rank",
    "state_test_ela_level": "state test ELA", "state_test_math_level": "state test Math",
    "time_of_day": "time of day", "incident_code": "incident", "new_entries": "new enrollments",
    "grade_students": "students in grade", "median_percentile": "median percentile",
    "matched_students": "tested in both windows", "median_change": "median change",
    "students_with_incidents": "students with incidents", "tardy_rate": "tardy rate",
    "median_scale_score": "median scale score", "median_growth": "median growth percentile",
    "school_year": "school year", "event_date": "date", "entry_date": "entered", "exit_date": "left",
    "exit_reason": "reason for leaving", "is_current": "current", "source_system": "source",
    "scale_score": "scale score", "performance_level": "performance level", "grade_equivalent": "grade equivalent",
    "teacher_email": "teacher email", "in_progress": "in progress", "test_date": "date",
}

# Code values as people read them (the crosswalks' codes); any other snake_case code reads as a phrase.
VALUE_LABELS = {
    "american_indian_or_alaska_native": "American Indian or Alaska Native", "asian": "Asian",
    "black_or_african_american": "Black or African American", "white": "White",
    "native_hawaiian_or_other_pacific_islander": "Native Hawaiian or Other Pacific Islander",
    "two_or_more": "Two or more races", "not_eligible": "Not eligible", "free": "Free", "reduced": "Reduced",
    "female": "Female", "male": "Male", "non_binary": "Non-binary",
}


def label(column: str) -> str:
    return LABELS.get(column, column.replace("_", " "))


def value_label(value) -> str:
    """A code as a phrase: "not_eligible" → "Not eligible"; anything else unchanged."""
    if not isinstance(value, str):
        return value
    if value in VALUE_LABELS:
        return VALUE_LABELS[value]
    return value.replace("_", " ").capitalize() if re.fullmatch(r"[a-z]+(_[a-z]+)+", value) else value
HIDDEN_CHART = (f"Nothing to chart: every value is hidden (a group of fewer than {MIN_GROUP} students, or a "
                "number that would give one away). The table below says which.")


def context() -> tuple[Viewer, Filters]:
    """The signed-in viewer and the sidebar filters, as app.py left them for this run."""
    viewer = st.session_state.get("_viewer")
    if not isinstance(viewer, Viewer):
        st.error("Please sign in.")
        st.stop()
    return viewer, st.session_state.get("_filters", Filters())


def filter_caption(filters: Filters) -> str:
    from dashboards import data

    parts = []
    if filters.school_id:
        parts.append(data.school_names().get(filters.school_id, filters.school_id))
    if filters.grade_level:
        parts.append(f"grade {filters.grade_level}")
    if filters.subgroup:
        parts.append(filters.subgroup)
    return ", ".join(parts) if parts else "all your students"


def fmt(value, column: str = "") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return SUPPRESSED
    if PERCENT_COLUMNS.search(column):
        return f"{value:.1%}"
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.1f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def display_frame(df: pd.DataFrame, hide: tuple[str, ...] = ()) -> pd.DataFrame:
    """Hidden cells as their label ('<10', or '*' where hiding protects another cell), numbers and
    rates as people read them, an empty cell where there is no value; ``hide`` columns left out."""
    out = df.drop(columns=[c for c in hide if c in df.columns]).reset_index(drop=True)
    for col in df.attrs.get("suppressed", []):
        if col in out:
            out[col] = [suppression.label(df, i, col) or _shown(v, col) for i, v in enumerate(df[col])]
    for col in out.columns:
        if PERCENT_COLUMNS.search(col) and col not in df.attrs.get("suppressed", []):
            out[col] = [_shown(v, col) for v in df[col]]
    for col in out.columns:
        if out[col].dtype == object and col not in df.attrs.get("suppressed", []):
            # Each distinct value labelled once (a district's list has thousands of rows, few codes).
            labels = {v: value_label(v) for v in pd.unique(out[col].dropna())}
            mapped = out[col].map(labels)
            out[col] = mapped.astype(object).where(mapped.notna(), "")
    out.columns = [label(c) for c in out.columns]
    out.attrs = {}  # what is hidden is now in the text; Arrow cannot carry the bookkeeping
    return out


def _shown(value, column: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return fmt(value, column)


def table(df: pd.DataFrame, name: str, *, column_config: dict | None = None, height="auto",
          hide: tuple[str, ...] = ()) -> None:
    """A table and its CSV download (the same rows and the same suppression the viewer sees)."""
    shown = display_frame(df, hide)
    st.dataframe(shown, hide_index=True, column_config=column_config, height=height)
    download(shown, name)


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"^[+-]?[\d,]*\.?\d+%?$")


def spreadsheet_safe(df: pd.DataFrame) -> pd.DataFrame:
    """Text a spreadsheet would run as a formula (a name or note beginning with =, +, -, @, tab or
    carriage return) gets a leading apostrophe, as OWASP advises for CSV injection; numbers stay."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = [f"'{v}" if isinstance(v, str) and v.startswith(FORMULA_START) and not NUMBER.match(v) else v
                        for v in out[col]]
    return out


def download(shown: pd.DataFrame, name: str, *, make: Callable[[], pd.DataFrame] | None = None,
             rows: int | None = None) -> None:
    """The CSV of a displayed table, safe to open in a spreadsheet; each download goes to the access log.
    With ``make`` the CSV (of ``rows`` rows) is built only when someone clicks (a district's long list)."""
    viewer = st.session_state.get("_viewer")
    rows = len(shown) if rows is None else rows
    data = (lambda: _csv(make())) if make else _csv(shown)
    st.download_button(f"Download CSV ({rows:,} {'row' if rows == 1 else 'rows'})", data, file_name=f"{name}.csv",
                       mime="text/csv",
                       key=f"dl_{name}", icon=":material/download:", on_click=audit.record,
                       args=(audit.DOWNLOAD,),
                       kwargs={"staff_id": getattr(viewer, "staff_id", None), "detail": f"{name}.csv, {rows:,} rows"})


def _csv(shown: pd.DataFrame) -> bytes:
    return spreadsheet_safe(shown).to_csv(index=False).encode("utf-8")


LIST_ROWS = 1000


def student_list(df: pd.DataFrame, name: str, *, hide: tuple[str, ...] = (), empty: str = "Nobody.") -> None:
    """A list of students (``empty`` says so when there is none); choosing a row opens that student's
    profile in this same session (a link to a new tab would start a new, signed-out session). The
    page shows the first LIST_ROWS rows (a district's list runs to thousands); the CSV download holds them all."""
    if df.empty:
        st.success(empty)
        return
    shown = display_frame(df.head(LIST_ROWS), hide)
    st.caption("Select a row to open the student's profile."
               + (f" The first {LIST_ROWS:,} of {len(df):,} are shown: narrow the list with the filters, "
                  "or download them all." if len(df) > LIST_ROWS else ""))
    picked = st.dataframe(shown, hide_index=True, on_select="rerun", selection_mode="single-row",
                          key=f"pick_{name}")
    rows = picked.selection.rows if picked is not None else []
    if rows:
        st.switch_page("views/student.py", query_params={"student": str(df["student_id"].iloc[rows[0]])})
    if len(df) > LIST_ROWS:
        download(shown, name, make=lambda: display_frame(df, hide), rows=len(df))
    else:
        download(shown, name)


def metric(label: str, value, column: str = "", help: str | None = None) -> None:
    st.metric(label, fmt(value, column), help=help)


def cell(df: pd.DataFrame, column: str, row: int = 0) -> str:
    """One number of a suppressed frame as the page prints it ("<10" or "*" when hidden)."""
    return suppression.label(df, row, column) or fmt(df[column].iloc[row], column)


def frame_metric(label: str, df: pd.DataFrame, column: str, help: str | None = None) -> None:
    st.metric(label, cell(df, column), help=help)


def suppression_note() -> None:
    st.caption(f"Groups of fewer than {MIN_GROUP} students, and counts of 1 to {MIN_GROUP - 1}, show {SUPPRESSED}; "
               "a number that would let you work one of them out shows *. Both are left out of charts. "
               "Rare kinds of incident are counted together as Other.")


def plain(df: pd.DataFrame) -> pd.DataFrame:
    """The rows for a chart: hidden cells are already NaN (and dropped); the suppression bookkeeping
    in attrs stays behind (Arrow cannot carry it)."""
    out = df.copy()
    out.attrs = {}
    return out


def bar(df: pd.DataFrame, x: str, y: str, *, title: str = "", percent: bool = False, sort=None,
        color: str | None = None, horizontal: bool = False, height: int | None = None) -> None:
    data = plain(df.dropna(subset=[y]))
    if height is None:  # autosize "fit": the height includes the axes
        height = max(120, 30 * len(data) + 60) if horizontal else 280
    if data.empty:
        st.info(HIDDEN_CHART if len(df) else "No data.")
        return
    fmt_ = ".0%" if percent else ",.0f"
    steps = {"tickMinStep": 0.01} if percent else {"tickMinStep": 1}  # no repeated tick labels (1%, 1%, 2%)
    cat = alt.X if not horizontal else alt.Y
    val = alt.Y if not horizontal else alt.X
    enc = {
        ("y" if horizontal else "x"): cat(f"{x}:N", sort=sort or "-y" if not horizontal else sort or "-x",
                                           title=None, axis=alt.Axis(labelAngle=0 if horizontal else -30, labelLimit=220)),
        ("x" if horizontal else "y"): val(f"{y}:Q", title=title, axis=alt.Axis(format=fmt_, **steps)),
        "tooltip": [alt.Tooltip(f"{x}:N"), alt.Tooltip(f"{y}:Q", format=fmt_.replace(",.0f", ",.0f"))],
    }
    if color:
        enc["color"] = alt.Color(f"{color}:N", legend=alt.Legend(orient="bottom"))
    chart = alt.Chart(data).mark_bar(cornerRadiusEnd=2).encode(**enc).properties(height=height)
    st.altair_chart(chart, width="stretch")
    _not_charted(df, x, y)


def line(df: pd.DataFrame, x: str, y: str, *, title: str = "", percent: bool = False, color: str | None = None,
         height: int = 260) -> None:
    data = plain(df.dropna(subset=[y]))
    if data.empty:
        st.info(HIDDEN_CHART if len(df) else "No data.")
        return
    fmt_ = ".1%" if percent else ",.0f"
    enc = {
        "x": alt.X(f"yearmonth({x}):T", title=None,
                   axis=alt.Axis(format="%b %Y", tickCount={"interval": "month", "step": 1 if data[x].nunique() <= 12 else 3})),
        "y": alt.Y(f"{y}:Q", title=title, axis=alt.Axis(format=fmt_.replace(".1%", ".0%"),
                                                         tickMinStep=0.01 if percent else 1)),
        "tooltip": [alt.Tooltip(f"yearmonth({x}):T", format="%B %Y", title=x), alt.Tooltip(f"{y}:Q", format=fmt_)],
    }
    if color:
        enc["color"] = alt.Color(f"{color}:N", legend=alt.Legend(orient="bottom"))
    chart = alt.Chart(data).mark_line(point=True).encode(**enc).properties(height=height)
    st.altair_chart(chart, width="stretch")
    _not_charted(df, x, y)


def _not_charted(df: pd.DataFrame, x: str, y: str) -> None:
    """Name the bars or points a chart leaves out because their value is hidden: a grade missing
    from a chart with no word said reads as a grade with no students."""
    gone = df.loc[df[y].isna(), x]
    if gone.empty:
        return
    if pd.api.types.is_datetime64_any_dtype(gone):
        names = [f"{t:%b %Y}" for t in gone.drop_duplicates()]
    else:
        names = [str(value_label(v)) for v in gone.drop_duplicates()]
    st.caption(f"Not in the chart, hidden: {', '.join(names)} (a group of fewer than {MIN_GROUP} students, or a "
               "number that would give one away; the table below says which).")
