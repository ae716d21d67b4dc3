"""Needs attention (the home page): which of the viewer's students need someone today, and why."""

import streamlit as st

from dashboards import data, ui

viewer, filters = ui.context()
st.title("Needs attention")
st.caption(f"{ui.filter_caption(filters).capitalize()}, as of {data.as_of_date():%B %-d, %Y}. A student is listed "
           "for absences or tardies in the last 45 days, chronic absence, a recent incident, a STAR benchmark "
           "band of Intervention or below, or a state test below expectations; the column \"why\" says which. "
           "The thresholds are the district's (dbt vars attention_*).")

sections = data.viewer_sections(viewer.staff_id)
section_id = None
if sections:
    names = dict(sections)
    section_id = st.selectbox("Class", [None, *names], key="attention_section",
                              format_func=lambda s: "All my students" if s is None else names[s])
everyone = st.toggle("Show every student, not only those listed", key="attention_everyone",
                     help="The same columns for every student of this set, to sort as you like.")
roster = data.attention_roster(viewer.staff_id, filters, section_id, everyone)
listed = roster[roster["reasons"] > 0] if everyone else roster

c = st.columns(5)
c[0].metric("Students listed", f"{len(listed):,}")
c[1].metric("For absences", f"{int(listed['is_absence_alert'].sum()):,}", help="Absences in the last 45 days.")
c[2].metric("For tardies", f"{int(listed['is_tardy_alert'].sum()):,}", help="Tardies in the last 45 days.")
c[3].metric("For incidents", f"{int(listed['is_incident_alert'].sum()):,}", help="Incidents in the last 45 days.")
c[4].metric("STAR Urgent Intervention", f"{int((listed['star_band_rank'] == 1).sum()):,}")

ui.student_list(roster.drop(columns=["reasons", "star_band_rank", "is_absence_alert", "is_tardy_alert", "is_incident_alert"]),
                "needs_attention", hide=("school_id",),
                empty="No students." if everyone else "No student needs attention by these rules today.")
if len(roster):
    st.caption("Sorted by the number of reasons, then STAR band (Urgent Intervention first), then recent "
               "absences; click a column to sort by it.")

st.subheader("Recent incidents")
ui.student_list(data.recent_incidents(viewer.staff_id, filters), "recent_incidents", hide=("school_id",),
                empty="No incidents in the last 30 days.")
