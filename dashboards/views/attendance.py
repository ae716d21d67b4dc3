"""Attendance: chronic absence by school, grade and subgroup, the monthly trend, and who is missing school now."""

import streamlit as st

from dashboards import data, ui

viewer, filters = ui.context()
st.title("Attendance")
st.caption(f"This school year to {data.as_of_date():%B %-d, %Y}, {ui.filter_caption(filters)}. Chronically absent: "
           "absent on at least 10% of enrolled school days (after 10 enrolled days).")

view = data.attendance_view(viewer.staff_id, filters)
summary = view["summary"]
c1, c2, c3, c4, c5 = st.columns(5)
with c1:
    ui.frame_metric("Students", summary, "students")
with c2:
    ui.frame_metric("Attendance rate", summary, "attendance_rate")
with c3:
    ui.frame_metric("Chronically absent", summary, "chronic_absence_rate",
                    help=f"{ui.cell(summary, 'chronically_absent')} students")
with c4:
    ui.frame_metric("Tardy rate", summary, "tardy_rate", help="Tardy days per enrolled school day.")
with c5:
    ui.frame_metric("4+ absences, last 45 days", summary, "absent_4plus_45_days")

by = {dim: view[dim] for dim in ("school", "grade", "subgroup")}
st.subheader("Chronic absence rate")
c1, c2 = st.columns(2)
with c1:
    st.markdown("**By school**")
    ui.bar(by["school"], "school", "chronic_absence_rate", title="chronically absent", percent=True, horizontal=True)
    st.markdown("**By subgroup**")
    ui.bar(by["subgroup"], "subgroup", "chronic_absence_rate", title="chronically absent", percent=True, horizontal=True)
with c2:
    st.markdown("**By grade**")
    ui.bar(by["grade"], "grade", "chronic_absence_rate", title="chronically absent", percent=True,
           sort=list(by["grade"]["grade"]), height=330)

st.subheader("Absence rate by month")
monthly = data.attendance_monthly(viewer.staff_id, filters)
ui.line(monthly, "month", "absence_rate", title="absent student-days / enrolled", percent=True)

st.subheader("Students with 4 or more absences in the last 45 days")
ui.student_list(data.students_with_absences(viewer.staff_id, filters), "students_4plus_absences", hide=("school_id",),
                empty="No student has 4 or more absences in the last 45 days.")

st.subheader("Students with 5 or more tardies in the last 45 days")
ui.student_list(data.students_with_tardies(viewer.staff_id, filters), "students_5plus_tardies", hide=("school_id",),
                empty="No student has 5 or more tardies in the last 45 days.")

st.subheader("Tables")
# One table at a time: a district's breakdown by section has thousands of rows, computed only when asked for.
breakdown = st.segmented_control("By", ["school", "grade", "subgroup", *data.GROUPINGS, "month"], default="school",
                                 key="attendance_by") or "school"
if breakdown in by:
    ui.table(by[breakdown], f"attendance_by_{breakdown}", hide=("school_id",))
elif breakdown == "month":
    ui.table(monthly, "attendance_by_month")
else:
    ui.table(data.groups_by(viewer.staff_id, filters, breakdown).drop(columns=["students_with_incidents", "incidents"]),
             f"attendance_by_{breakdown}", hide=("school_id",))
ui.suppression_note()
