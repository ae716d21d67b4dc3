"""Student profile: one student the viewer may see (?student=<id> is checked against that set)."""

import altair as alt
import pandas as pd
import streamlit as st

from dashboards import audit, data, ui

viewer, filters = ui.context()
st.title("Student profile")

requested = st.query_params.get("student")
search = st.text_input("Find a student", key="student_search", placeholder="name or student id",
                       help=f"Searches {viewer.scope_text} (and the sidebar filters).")
found = data.student_search(viewer.staff_id, search, filters)
labels = {r.student_id: f"{r.last_name}, {r.first_name} · grade {r.grade} · {r.school} · {r.student_id}"
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
name = " ".join(p for p in (s["first_name"], s["middle_name"], s["last_name"]) if p)
st.header(name)
flags = [f for f, on in (("English learner", s["is_ell"]), ("IEP", s["has_iep"]), ("504 plan", s["has_504_plan"]),
                         ("Chronically absent", m is not None and bool(m["is_chronically_absent"]))) if on]
st.caption(f"Student {s['student_id']} · grade {s['grade_level']} · {s['school']} · {s['enrollment_status']}"
           + ("".join(f" · **{f}**" for f in flags)))

if m is not None:
    c = st.columns(6)
    c[0].metric("Attendance rate", f"{m['attendance_rate']:.1%}" if pd.notna(m["attendance_rate"]) else "—")
    c[1].metric("Absent days", f"{int(m['absent_days'])}", help=f"{int(m['unexcused_absent_days'])} unexcused")
    c[2].metric("Absences, last 45 days", f"{int(m['absences_last_45_days'])}")
    c[3].metric("Incidents this year", f"{int(m['incidents_this_year'])}")
    c[4].metric("STAR Reading", f"{int(m['star_reading_percentile'])} PR" if pd.notna(m["star_reading_percentile"]) else "—",
                help=m["star_reading_band"])
    c[5].metric("STAR Math", f"{int(m['star_math_percentile'])} PR" if pd.notna(m["star_math_percentile"]) else "—",
                help=m["star_math_band"])

left, right = st.columns([2, 3])
with left:
    st.subheader("Demographics")
    yes_no = lambda v: "yes" if v else ("no" if v is not None and not pd.isna(v) else "—")  # noqa: E731
    facts = {
        "State id": s["state_student_id"], "Birth date": s["birth_date"], "Gender": s["gender"],
        "Race": s["race"], "Hispanic/Latino": yes_no(s["is_hispanic_latino"]), "Home language": s["home_language"],
        "Lunch status": s["lunch_status"], "English learner": yes_no(s["is_ell"]), "IEP": yes_no(s["has_iep"]),
        "504 plan": yes_no(s["has_504_plan"]), "Homeroom": s["homeroom"], "Counselor": s["counselor_login"],
        "Registered": s["registration_date"], "Email": s["email"],
    }
    st.dataframe(pd.DataFrame({"": list(facts), "value": [("—" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v))
                                                          for v in facts.values()]}),
                 hide_index=True, height=530)
with right:
    st.subheader("Sections and teachers")
    ui.table(profile["sections"], f"student_{s['student_id']}_sections")
    st.subheader("Enrollment history")
    ui.table(profile["enrollments"], f"student_{s['student_id']}_enrollments", hide=("school_id",))

st.subheader("Attendance this year")
att = profile["attendance"].copy()
if att.empty:
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
        ui.table(results, f"student_{s['student_id']}_assessments", hide=("test",))
