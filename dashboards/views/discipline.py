"""Discipline: incidents this school year by location, time of day, weekday and code; who is in trouble."""

import streamlit as st

from dashboards import data, ui

viewer, filters = ui.context()
since = data.school_year_start()
st.title("Discipline")
st.caption(f"Incidents since {since:%B %-d, %Y} involving {ui.filter_caption(filters)}.")

by = {dim: data.discipline_by(viewer.staff_id, filters, dim, since)
      for dim in ("location", "time_of_day", "weekday", "incident_code")}
monthly = data.discipline_monthly(viewer.staff_id, filters, since)
students = data.students_with_incidents(viewer.staff_id, filters)

summary = data.discipline_summary(viewer.staff_id, filters, since).iloc[0]
c1, c2, c3 = st.columns(3)
with c1:
    ui.metric("Incidents", summary["incidents"])
with c2:
    ui.metric("Students with an incident", summary["students"])
with c3:
    ui.metric("…in the last 45 days", summary["students_last_45_days"])

left, right = st.columns(2)
with left:
    st.subheader("Where")
    ui.bar(by["location"], "location", "incidents", title="incidents", horizontal=True)
    st.subheader("Which weekday")
    ui.bar(by["weekday"], "weekday", "incidents", title="incidents", sort=list(by["weekday"]["weekday"]))
with right:
    st.subheader("What")
    ui.bar(by["incident_code"], "incident_code", "incidents", title="incidents", horizontal=True)
    st.subheader("When in the day")
    ui.bar(by["time_of_day"], "time_of_day", "incidents", title="incidents", sort=list(by["time_of_day"]["time_of_day"]))

st.subheader("By month")
ui.line(monthly, "month", "incidents", title="incidents")

st.subheader("Recent incidents")
ui.student_list(data.recent_incidents(viewer.staff_id, filters), "recent_incidents", hide=("school_id",),
                empty="No incidents in the last 30 days.")

st.subheader("Students with incidents this year")
ui.student_list(students, "students_with_incidents", hide=("school_id",), empty="No incidents this school year.")

st.subheader("Tables")
# One table at a time: a district's breakdown by section has thousands of rows, computed only when asked for.
labels = {"location": "location", "time_of_day": "time of day", "weekday": "weekday", "incident_code": "code",
          "month": "month", **{g: g for g in data.GROUPINGS}}
breakdown = st.segmented_control("By", list(labels), format_func=labels.get, default="location",
                                 key="discipline_by") or "location"
if breakdown in by:
    ui.table(by[breakdown], f"incidents_by_{breakdown}")
elif breakdown == "month":
    ui.table(monthly, "incidents_by_month")
else:
    frame = data.groups_by(viewer.staff_id, filters, breakdown)
    ui.table(frame[[c for c in frame.columns if c in ("school", "school_id", breakdown, "students",
                                                      "students_with_incidents", "incidents")]],
             f"incidents_by_{breakdown}", hide=("school_id",))
ui.suppression_note()
