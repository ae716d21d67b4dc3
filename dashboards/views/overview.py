"""Overview: who is enrolled, by school, grade and subgroup, and how enrollment has moved."""

import streamlit as st

from dashboards import data, ui

viewer, filters = ui.context()
st.title("Enrollment")
st.caption(f"Active students ({ui.filter_caption(filters)}) in tonight's SIS export.")

view = data.enrollment_view(viewer.staff_id, filters)
by_school, by_grade, by_subgroup = view["school"], view["grade"], view["subgroup"]

c1, c2, c3, c4 = st.columns(4)
with c1:
    ui.frame_metric("Students", view["total"], "students")
with c2:
    ui.metric("Schools", float(by_school["school"].nunique()) if len(by_school) else 0.0)
with c3:
    ui.metric("Grades", float(by_grade["grade"].nunique()) if len(by_grade) else 0.0)
with c4:
    ui.metric("Subgroups", float(by_subgroup["subgroup"].nunique()) if len(by_subgroup) else 0.0)

left, right = st.columns(2)
with left:
    st.subheader("By grade")
    ui.bar(by_grade, "grade", "students", title="students", sort=list(by_grade["grade"]))
with right:
    st.subheader("By subgroup")
    ui.bar(by_subgroup, "subgroup", "students", title="students", horizontal=True)

st.subheader("Enrollment over time")
trend = data.enrollment_trend(viewer.staff_id, filters.school_id)
t1, t2 = st.columns(2)
with t1:
    ui.line(trend, "month", "enrolled", title="students enrolled at month end")
with t2:
    ui.bar(trend.assign(month=[f"{m:%b %y}" for m in trend["month"]]), "month", "new_entries",
           title="new enrollments", sort=None if trend.empty else [f"{m:%b %y}" for m in trend["month"]])
st.caption("From fct_school_enrollments entry and exit dates. The school filter applies; grade and "
           "subgroup are today's and do not apply to history."
           + (" You see the history of your own students only." if viewer.scope == "sections" else ""))

st.subheader("Tables")
tab_school, tab_grade, tab_subgroup, tab_trend = st.tabs(["By school", "By grade", "By subgroup", "Monthly"])
with tab_school:
    ui.table(by_school, "enrollment_by_school", hide=("school_id",))
with tab_grade:
    ui.table(by_grade, "enrollment_by_grade")
with tab_subgroup:
    ui.table(by_subgroup, "enrollment_by_subgroup")
with tab_trend:
    ui.table(trend, "enrollment_by_month")
ui.suppression_note()
