"""Student profile: one student the viewer may see (?student=<id> is checked against that set)."""

import datetime as dt

import altair as alt
import pandas as pd
import streamlit as st

from dashboards import audit, data, notes, ui

viewer, filters = ui.context()
st.title("Student profile")


def notes_section(student_id: str) -> None:
    """Educators' notes: everyone who may see the student reads them; each author edits their own."""
    st.subheader("Notes")
    with st.expander("Write a note", icon=":material/edit_note:"):
        with st.form(f"note_new_{student_id}", clear_on_submit=True):
            c1, c2 = st.columns(2)
            note_date = c1.date_input("Date", value=dt.date.today(), max_value=notes.latest_date())
            kind = c2.selectbox("Kind", notes.KINDS)
            body = st.text_area("Note", max_chars=notes.MAX_LENGTH,
                                help="Everyone who may see this student reads it. Only you can change it.")
            if st.form_submit_button("Save note", type="primary"):
                try:
                    notes.write(viewer.staff_id, student_id, note_date, kind, body)
                    st.success("Note saved.")
                except notes.NoteRefused as exc:
                    st.error(str(exc))
    found = notes.for_student(viewer.staff_id, student_id)
    if found is None or found.empty:
        st.caption("No notes yet.")
        return
    for n in found.itertuples():
        with st.container(border=True):
            edited = f" · edited {n.saved_at:%b %-d, %Y}" if n.is_edited else ""
            st.markdown(f"**{n.note_date:%B %-d, %Y} · {n.kind}** · {n.author}{edited}")
            st.text(n.body)  # as typed: never rendered as markdown or HTML
            if n.is_mine:
                with st.expander("Edit or delete"):
                    with st.form(f"note_edit_{n.note_id}"):
                        c1, c2 = st.columns(2)
                        new_date = c1.date_input("Date", value=n.note_date, max_value=notes.latest_date())
                        new_kind = c2.selectbox("Kind", notes.KINDS, index=notes.KINDS.index(n.kind))
                        new_body = st.text_area("Note", value=n.body, max_chars=notes.MAX_LENGTH)
                        save, remove = st.columns(2)
                        try:
                            if save.form_submit_button("Save changes"):
                                notes.edit(viewer.staff_id, n.note_id, int(n.revision), new_date, new_kind, new_body)
                                st.rerun()
                            if remove.form_submit_button("Delete note"):
                                notes.delete(viewer.staff_id, n.note_id, int(n.revision))
                                st.rerun()
                        except notes.NoteRefused as exc:
                            st.error(str(exc))

requested = st.query_params.get("student")
search_col, left_col = st.columns([3, 1])
with search_col:
    search = st.text_input("Find a student", key="student_search", placeholder="name or student id",
                           help=f"Searches {viewer.scope_text} (and the sidebar filters).")
include_left = False
if data.serves_schools(viewer.staff_id):
    with left_col:
        include_left = st.checkbox("Include students who left", key="student_include_left",
                                   help="Students once enrolled at your schools who are not among your students now.")
found = data.student_search(viewer.staff_id, search, filters, include_left=include_left)
labels = {r.student_id: f"{r.last_name}, {r.first_name} · grade {r.grade} · {r.school} · {r.student_id}"
                        + ("" if r.status == "current" else f" · {r.status}")
          for r in found.itertuples()}
options = list(labels)
choice = st.selectbox(f"Student ({len(options):,}{'+' if len(options) >= 200 else ''} found)", options,
                      index=options.index(requested) if requested in labels else None,
                      format_func=lambda s: labels.get(s, s), placeholder="Choose a student",
                      key=f"student_pick_{requested}")
if choice and choice != requested:
    st.query_params["student"] = choice
    requested = choice

if not requested:
    st.info("Choose a student, or open one from the attendance or discipline lists.")
    st.stop()

profile = data.student_profile(viewer.staff_id, str(requested))
if profile is None:
    st.error(f"No student with id {requested} among {viewer.scope_text}.")
    st.stop()

s = profile["student"].iloc[0]
opened = st.session_state.setdefault("_opened_profiles", set())
if s["student_id"] not in opened:  # once per student per session, not on every rerun
    audit.record(audit.PROFILE, staff_id=viewer.staff_id, student_id=str(s["student_id"]))
    opened.add(s["student_id"])
m = profile["metrics"].iloc[0] if len(profile["metrics"]) else None
served_only = profile["access"]["access"].iloc[0] == "served"
name = " ".join(p for p in (s["first_name"], s["middle_name"], s["last_name"]) if p)
st.header(name)
flags = [f for f, on in (("English learner", s["is_ell"]), ("IEP", s["has_iep"]), ("504 plan", s["has_504_plan"]),
                         ("Chronically absent", m is not None and bool(m["is_chronically_absent"]))) if on]
st.caption(f"Student {s['student_id']} · grade {s['grade_level']} · {s['school']} · {ui.value_label(s['enrollment_status'])}"
           + ("".join(f" · **{f}**" for f in flags)))
if served_only:
    stints = profile["enrollments"]
    last = stints.iloc[0] if len(stints) else None
    left_text = (f"Left {last['school']} on {pd.Timestamp(last['exit_date']):%B %-d, %Y}"
                 + (f" ({last['exit_reason']})" if last["exit_reason"] else "") + ". "
                 if last is not None and pd.notna(last["exit_date"]) else "")
    st.warning(f"{left_text}Not one of your students now: you see the records of their time at your schools.")

if m is not None:
    c = st.columns(7)
    c[0].metric("Attendance rate", f"{m['attendance_rate']:.1%}" if pd.notna(m["attendance_rate"]) else "—")
    c[1].metric("Absent days", f"{int(m['absent_days'])}", help=f"{int(m['unexcused_absent_days'])} unexcused")
    c[2].metric("Absences, last 45 days", f"{int(m['absences_last_45_days'])}")
    c[3].metric("Tardies this year", f"{int(m['tardy_days'])}")
    c[4].metric("Incidents this year", f"{int(m['incidents_this_year'])}")
    c[5].metric("STAR Reading", f"{int(m['star_reading_percentile'])} PR" if pd.notna(m["star_reading_percentile"]) else "—",
                help=m["star_reading_band"])
    c[6].metric("STAR Math", f"{int(m['star_math_percentile'])} PR" if pd.notna(m["star_math_percentile"]) else "—",
                help=m["star_math_band"])

left, right = st.columns([2, 3])
with left:
    st.subheader("Demographics")
    yes_no = lambda v: "yes" if v else ("no" if v is not None and not pd.isna(v) else "—")  # noqa: E731
    facts = {
        "State id": s["state_student_id"], "Birth date": s["birth_date"], "Gender": ui.value_label(s["gender"]),
        "Race": ui.value_label(s["race"]), "Hispanic/Latino": yes_no(s["is_hispanic_latino"]),
        "Home language": s["home_language"], "Lunch status": ui.value_label(s["lunch_status"]), "English learner": yes_no(s["is_ell"]), "IEP": yes_no(s["has_iep"]),
        "504 plan": yes_no(s["has_504_plan"]), "Homeroom": s["homeroom"], "Counselor": s["counselor"],
        "Registered": s["registration_date"], "Email": s["email"],
    }
    st.dataframe(pd.DataFrame({"": list(facts), "value": [("—" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v))
                                                          for v in facts.values()]}),
                 hide_index=True, height=530)
with right:
    st.subheader("Sections and teachers")
    if profile["sections"].empty:
        st.caption("No current sections" + (" at your schools." if served_only else "."))
    else:
        ui.table(profile["sections"], f"student_{s['student_id']}_sections")
    st.subheader("Enrollment history")
    ui.table(profile["enrollments"], f"student_{s['student_id']}_enrollments", hide=("school_id",))

st.subheader("Year by year")
ui.table(profile["years"], f"student_{s['student_id']}_years")
st.caption("Every school year the warehouse holds" + (" for their time at your schools" if served_only else "")
           + ": absences, tardies and dismissals from attendance records, incidents, state test levels and the "
             "year's latest STAR percentile rank.")

notes_area = st.container()

st.subheader("Attendance this year")
att = profile["attendance"].copy()
if served_only:
    st.caption("Not one of your students this year.")
elif att.empty:
    st.info("No school days recorded yet this year.")
else:
    att["school_day"] = pd.to_datetime(att["school_day"])
    att["status"] = "present"
    att.loc[att["is_tardy"].fillna(False).astype(bool), "status"] = "tardy"
    att.loc[att["is_dismissed"].fillna(False).astype(bool), "status"] = "dismissed"
    att.loc[att["is_absent"].fillna(False).astype(bool) & att["is_excused"].fillna(False).astype(bool), "status"] = "absent (excused)"
    att.loc[att["is_absent"].fillna(False).astype(bool) & ~att["is_excused"].fillna(False).astype(bool), "status"] = "absent"
    week = att["school_day"] - pd.to_timedelta(att["school_day"].dt.day_of_week, unit="D")
    att["week"] = week.dt.strftime("%b %d")
    weeks = list(dict.fromkeys(att.sort_values("school_day")["week"]))
    att["weekday"] = att["school_day"].dt.day_name().str[:3]
    statuses = ["present", "tardy", "dismissed", "absent (excused)", "absent"]
    chart = alt.Chart(att).mark_rect(stroke="white", strokeWidth=2, cornerRadius=2).encode(
        x=alt.X("week:O", sort=weeks, title=None, axis=alt.Axis(labelAngle=0, orient="top")),
        y=alt.Y("weekday:O", sort=[d[:3] for d in data.WEEKDAYS[:5]], title=None, scale=alt.Scale(paddingInner=0.1)),
        color=alt.Color("status:N", scale=alt.Scale(domain=statuses, range=["#c8e6c9", "#fff59d", "#90caf9", "#ffcc80", "#e53935"]),
                        legend=alt.Legend(orient="bottom", title=None)),
        tooltip=[alt.Tooltip("school_day:T", title="day", format="%a %b %d"), "status", "reason"],
    ).properties(height=5 * 34 + 80)  # autosize "fit": the height includes axes and legend
    st.altair_chart(chart, width="stretch")
    st.caption("Days without an attendance record count as present.")

left, right = st.columns(2)
with left:
    st.subheader("Incidents")
    if profile["incidents"].empty:
        st.caption("No incidents on record.")
    else:
        ui.table(profile["incidents"], f"student_{s['student_id']}_incidents", hide=("school_id",))
with right:
    st.subheader("Assessment history")
    results = profile["assessments"]
    star = results[(results["source_system"] == "star") & results["percentile"].notna()].copy()
    if not star.empty:
        star["test_date"] = pd.to_datetime(star["test_date"])
        st.altair_chart(alt.Chart(star).mark_line(point=True).encode(
            x=alt.X("yearmonthdate(test_date):T", title=None, scale=alt.Scale(padding=24), axis=alt.Axis(format="%b %Y", tickCount={"interval": "month", "step": 1})),
            y=alt.Y("percentile:Q", scale=alt.Scale(domain=[0, 100]), title="percentile rank"),
            color=alt.Color("subject:N", legend=alt.Legend(orient="bottom", title=None)),
            tooltip=[alt.Tooltip("test_date:T", format="%b %d, %Y"), "subject", "percentile", "performance_level"]).properties(height=220), width="stretch")
    if results.empty:
        st.caption("No assessment results on record.")
    else:
        sources = results["source_system"].map({"star": "STAR", "aspen": "State test"}).fillna(results["source_system"])
        ui.table(results.assign(source_system=sources), f"student_{s['student_id']}_assessments", hide=("test",))

with notes_area:
    notes_section(str(s["student_id"]))
