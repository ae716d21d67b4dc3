"""Assessments: STAR percentile ranks and benchmark bands by grade, growth between testing windows, and
the state test (performance levels, scale scores, growth) beside them."""

import altair as alt
import streamlit as st

from dashboards import data, ui

viewer, filters = ui.context()
since = data.school_year_start()
st.title("Assessments")
subject = st.segmented_control("Subject", data.SUBJECTS, default="Reading", key="star_subject") or "Reading"
st.caption(f"STAR {subject} and the state test in {'ELA' if subject == 'Reading' else 'Math'}, "
           f"{ui.filter_caption(filters)}. Distribution and bands use each student's latest test.")

star = data.star_view(viewer.staff_id, filters, subject)
dist, bands = star["distribution"], star["bands"]
growth = data.star_growth(viewer.staff_id, filters, subject, since)

left, right = st.columns(2)
with left:
    st.subheader("Percentile rank by grade")
    shown = ui.plain(dist.dropna(subset=["median"]))
    if shown.empty:
        st.info(ui.HIDDEN_CHART if len(dist) else "No STAR results.")
    else:
        base = alt.Chart(shown).encode(x=alt.X("grade:N", sort=list(shown["grade"]), title="grade",
                                               axis=alt.Axis(labelAngle=0)))
        box = base.mark_bar(size=26, opacity=0.55).encode(
            y=alt.Y("p25:Q", title="percentile rank", scale=alt.Scale(domain=[0, 100])), y2="p75:Q",
            tooltip=["grade", "students", "p25", "median", "p75"])
        tick = base.mark_tick(color="black", thickness=2, size=26).encode(y="median:Q")
        rule = alt.Chart().mark_rule(strokeDash=[4, 4], color="gray").encode(y=alt.datum(40))
        st.altair_chart((box + tick + rule).properties(height=300), width="stretch")
        st.caption("Bars span the middle half of students (25th–75th percentile); the tick is the median. "
                   "Dashed line: the 40th percentile benchmark.")
with right:
    st.subheader("Benchmark bands by grade")
    shown = ui.plain(bands.dropna(subset=["share"]))
    if shown.empty:
        st.info(ui.HIDDEN_CHART if len(bands) else "No STAR results.")
    else:
        palette = alt.Scale(domain=data.BANDS, range=["#2e7d32", "#f9a825", "#ef6c00", "#c62828"])
        chart = alt.Chart(shown).mark_bar().encode(
            x=alt.X("grade:N", sort=sorted(shown["grade"].unique(), key=data.grade_key), title="grade",
                    axis=alt.Axis(labelAngle=0)),
            y=alt.Y("share:Q", title="share of tested students", axis=alt.Axis(format="%")),
            color=alt.Color("band:N", scale=palette, sort=data.BANDS, legend=alt.Legend(orient="bottom", title=None, columns=2)),
            order=alt.Order("band_order:Q"),
            tooltip=["grade", "band", "students", alt.Tooltip("share:Q", format=".0%")],
        ).transform_calculate(band_order=f"indexof({data.BANDS!r}, datum.band)").properties(height=300)
        st.altair_chart(chart, width="stretch")

st.subheader("Growth between testing windows")
st.caption("Median percentile rank of each window's latest test (fall: Jul–Nov, winter: Dec–Feb, spring: Mar–Jun), "
           "and the median change for students tested in both the window and the one before.")
g = ui.plain(growth.dropna(subset=["median_percentile"]))
if g.empty:
    st.info("No STAR results this school year for a group of 10 or more students.")
else:
    chart = alt.Chart(g).mark_line(point=True).encode(
        x=alt.X("window:N", sort=data.WINDOWS, title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("median_percentile:Q", title="median percentile rank", scale=alt.Scale(domain=[0, 100])),
        color=alt.Color("grade:N", sort=sorted(g["grade"].unique(), key=data.grade_key),
                        legend=alt.Legend(orient="right")),
        tooltip=["grade", "window", "median_percentile", "matched_students", "median_change"],
    ).properties(height=280)
    st.altair_chart(chart, width="stretch")
    if g["window"].nunique() < 2:
        st.caption("Only one testing window so far this year; growth appears after the next window.")

state_subject = "ELA" if subject == "Reading" else "Math"
state = data.state_tests(viewer.staff_id, filters, state_subject)
levels, scores = state["levels"], state["scores"]
st.subheader(f"State test, {state_subject}")
st.caption("Each student's latest state test in the subject (school year in the table): performance levels by "
           "grade, median scale score and median student growth percentile.")
left, right = st.columns(2)
with left:
    shown = ui.plain(levels.dropna(subset=["share"]))
    if shown.empty:
        st.info(ui.HIDDEN_CHART if len(levels) else "No state test results.")
    else:
        order = [lv for lv in data.STATE_LEVELS if lv in set(shown["level"])]
        palette = alt.Scale(domain=order, range=["#2e7d32", "#9ccc65", "#ef6c00", "#c62828", "#1b5e20", "#7cb342",
                                                 "#f9a825", "#d84315", "#b71c1c"][:len(order)])
        st.altair_chart(alt.Chart(shown).mark_bar().encode(
            x=alt.X("grade:N", sort=sorted(shown["grade"].unique(), key=data.grade_key), title="grade",
                    axis=alt.Axis(labelAngle=0)),
            y=alt.Y("share:Q", title="share of tested students", axis=alt.Axis(format="%")),
            color=alt.Color("level:N", scale=palette, sort=order, legend=alt.Legend(orient="bottom", title=None, columns=2)),
            order=alt.Order("level_order:Q"),
            tooltip=["grade", "level", "students", alt.Tooltip("share:Q", format=".0%")],
        ).transform_calculate(level_order=f"indexof({order!r}, datum.level)").properties(height=300), width="stretch")
with right:
    ui.table(scores, f"state_{state_subject.lower()}_scores")

st.subheader("Tables")
t1, t2, t3, t4 = st.tabs(["Distribution", "Bands", "Growth", "State test levels"])
with t1:
    ui.table(dist, f"star_{subject.lower()}_distribution")
with t2:
    ui.table(bands, f"star_{subject.lower()}_bands")
with t3:
    ui.table(growth, f"star_{subject.lower()}_growth")
with t4:
    ui.table(levels, f"state_{state_subject.lower()}_levels")
ui.suppression_note()
