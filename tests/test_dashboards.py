"""The educator dashboards (dashboards/): sign-in, who sees which students, small-group suppression,
every page for every role, on DuckDB and PostgreSQL.

One small dirty district is generated, loaded and built once per session on DuckDB (and once on
PostgreSQL for the tests marked so); every test reads it. Pages run through Streamlit's AppTest.
LDAP sign-in runs against a real LDAP server on 127.0.0.1 (tests/ldap_server.py).
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboards import access, auth, data, db, launch
from dashboards.access import Identity, NoAccess, Viewer
from dashboards.data import Filters
from generator import generate
from schoolhouse.settings import load_settings
from tests import ldap_server

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "dashboards" / "app.py"
PAGES = ["overview", "attendance", "discipline", "assessments", "student", "data_health"]
STUDENTS, SEED = 400, 11


# --- the district, built once ----------------------------------------------------------------------

@pytest.fixture(scope="session")
def district_files(tmp_path_factory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("dash_district")
    manifest = generate(out, students=STUDENTS, seed=SEED, day=60, school_year=2027, dirty=True)
    return out, manifest["as_of_date"]


BUILD = """
import sys
from loaders.intake import load_location
from loaders.raw_tables import ensure_raw_tables
from schoolhouse.dbt_runner import run_dbt
from schoolhouse.settings import load_settings

settings = load_settings()
for source in ("district", "aspen", "star"):
    if not load_location(settings, source, sys.argv[1]).ok:
        sys.exit(f"load {source} failed")
ensure_raw_tables(settings.warehouse())
if not run_dbt(settings, "build", "--select", "+path:models/marts", "path:models/staging/meta", "--exclude-resource-type", "test", "unit_test", "--quiet"):
    sys.exit("dbt build failed")
# The access models' own data tests (keys, relationships, accepted scopes) on this engine.
if not run_dbt(settings, "test", "--select", "path:models/marts/access", "--quiet"):
    sys.exit("dbt test of models/marts/access failed")
"""


def _build(folder: Path, as_of: str, work: Path, env: dict[str, str]) -> None:
    """Load and build in a child process: dbt-duckdb and dlt keep the DuckDB file open in the process
    that ran them, and the dashboards open it read-only (as they do beside a nightly load)."""
    env = {**os.environ, **env, "SCHOOLHOUSE_AS_OF_DATE": as_of,
           "SCHOOLHOUSE_ARCHIVE_DIR": str(work / "archive"), "SCHOOLHOUSE_DLT_DIR": str(work / "dlt"),
           "SCHOOLHOUSE_LANDING_DIR": str(work / "landing"),
           "DBT_TARGET_PATH": str(work / "target"), "DBT_LOG_PATH": str(work / "logs")}
    done = subprocess.run([sys.executable, "-c", BUILD, str(folder)], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


@pytest.fixture(scope="session")
def duck(district_files, tmp_path_factory) -> dict[str, str]:
    work = tmp_path_factory.mktemp("dash_duck")
    env = {"SCHOOLHOUSE_TARGET": "duckdb", "SCHOOLHOUSE_DUCKDB_PATH": str(work / "warehouse.duckdb")}
    _build(*district_files, work, env)
    return env


@pytest.fixture(scope="session")
def pg_env(district_files, pg, tmp_path_factory) -> dict[str, str]:
    work = tmp_path_factory.mktemp("dash_pg")
    name = f"dash_{os.getpid()}"
    pg.createdb(name)
    env = {"SCHOOLHOUSE_TARGET": "postgres", **pg.env(name)}
    _build(*district_files, work, env)
    return env


@pytest.fixture(autouse=True)
def on_duckdb(duck, monkeypatch):
    """Every test starts on the DuckDB district with LDAP configured (never contacted unless a test
    signs in), demo mode off, OIDC unconfigured and empty caches."""
    for key, value in duck.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("SCHOOLHOUSE_LDAP_URL", "ldap://127.0.0.1:9")
    monkeypatch.setenv("SCHOOLHOUSE_LDAP_BASE_DN", "ou=people,dc=district,dc=org")
    monkeypatch.delenv("SCHOOLHOUSE_DEMO_MODE", raising=False)
    st.cache_data.clear()
    yield
    st.cache_data.clear()


def sql(query: str, params: list | None = None) -> pd.DataFrame:
    with duckdb.connect(os.environ["SCHOOLHOUSE_DUCKDB_PATH"], read_only=True) as con:
        return con.execute(query, params or []).df()


@pytest.fixture(scope="session")
def people(duck) -> SimpleNamespace:
    """Staff to sign in as, picked from the built marts."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SCHOOLHOUSE_DUCKDB_PATH", duck["SCHOOLHOUSE_DUCKDB_PATH"])
        staff = sql("select * from marts.access_viewers")
        allowed = sql("select staff_id, student_id from marts.access_viewer_students")
        students = sql("select m.*, s.first_name, s.last_name from marts.metrics_students m "
                       "join marts.dim_students s using (student_id)")
    sets = allowed.groupby("staff_id")["student_id"].apply(set).to_dict()

    def one(where) -> pd.Series:
        rows = staff[where(staff)].sort_values("staff_id")
        assert len(rows), "the generated district lacks a staff member the tests need"
        return rows.iloc[0]

    teachers = staff[(staff.effective_scope == "sections")].copy()
    teachers["n"] = [len(sets.get(s, ())) for s in teachers.staff_id]
    teachers = teachers[teachers.n >= 10].sort_values(["school_id", "staff_id"])
    # Two teachers of the same school, and a student of the second whom the first does not teach.
    for school, group in teachers.groupby("school_id"):
        if len(group) >= 2:
            a, b = group.iloc[0], group.iloc[1]
            others = sorted(sets[b.staff_id] - sets[a.staff_id])
            if others:
                break
    foreign = students[students.student_id == others[0]].iloc[0]
    return SimpleNamespace(
        staff=staff, sets=sets, students=students, teacher=a, other_teacher=b, foreign_student=foreign,
        principal=one(lambda s: (s.effective_scope == "school") & (s.staff_role == "principal")),
        counselor=one(lambda s: (s.effective_scope == "school") & (s.staff_role == "advisor")),
        admin=one(lambda s: s.effective_scope == "district"),
        nurse=one(lambda s: (s.staff_role == "nurse") & s.is_active),
    )


def ident(person: pd.Series, method: str = "ldap") -> Identity:
    return Identity(method=method, login=person.login_name, email=person.email)


def viewer_of(person: pd.Series) -> Viewer:
    v = access.resolve(ident(person))
    assert isinstance(v, Viewer), v
    return v


def run_app(identity: Identity | None = None, page: str | None = None, query: dict | None = None,
            state: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    if identity is not None:
        at.session_state["identity"] = identity
    for key, value in (state or {}).items():
        at.session_state[key] = value
    if query:
        at.query_params.update(query)
    at.run()
    if page and page != "overview":
        at.switch_page(f"views/{page}.py").run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def page_text(at: AppTest) -> str:
    """Everything a page shows as text: headings, captions, messages, metrics, tables, choices."""
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "error", "warning", "info", "success"):
        parts += [str(e.value) for e in getattr(at, kind)]
    parts += [f"{m.label}={m.value}" for m in at.metric]
    parts += [e.value.to_csv(index=False) for e in at.dataframe]
    for sb in at.selectbox:
        parts += [str(o) for o in sb.options]
    return "\n".join(parts)


def table_with(at: AppTest, column: str) -> pd.DataFrame:
    for e in at.dataframe:
        if column in e.value.columns:
            return e.value
    raise AssertionError(f"no table with a {column!r} column")


# --- who sees whom (the access marts) -------------------------------------------------------------

def test_access_marts_grant_each_scope_its_students(people):
    active = set(sql("select student_id from marts.dim_students where is_active").student_id)
    by_school = sql("select school_id, student_id from marts.dim_students where is_active")
    enr = sql("select section_id, staff_id, student_id, role from marts.fct_section_enrollments where is_current")
    for _, t in people.staff[people.staff.effective_scope == "sections"].iterrows():
        sections = set(enr[(enr.role == "teacher") & (enr.staff_id == t.staff_id)].section_id)
        expected = set(enr[(enr.role == "student") & enr.section_id.isin(sections)].student_id) & active
        assert people.sets.get(t.staff_id, set()) == expected, t.login_name
    p = people.principal
    assert people.sets[p.staff_id] == set(by_school[by_school.school_id == p.school_id].student_id)
    assert people.sets[people.admin.staff_id] == active
    nobody = people.staff[people.staff.effective_scope == "none"].staff_id
    assert not any(people.sets.get(s) for s in nobody)
    inactive = people.staff[~people.staff.is_active.astype(bool)]
    assert (inactive.effective_scope == "none").all()


def test_resolve_maps_logins_and_refuses_the_rest(people):
    t = people.teacher
    assert access.resolve(Identity("ldap", login=t.login_name.upper())).staff_id == t.staff_id
    assert access.resolve(Identity("oidc", email=f"  {t.email.upper()} ")).staff_id == t.staff_id
    assert isinstance(access.resolve(Identity("ldap", login="nobody", email="nobody@nowhere.org")), NoAccess)
    assert isinstance(access.resolve(Identity("ldap", login="", email="")), NoAccess)
    nurse = access.resolve(ident(people.nurse))
    assert isinstance(nurse, NoAccess) and "no student access" in nurse.reason


# --- every page, every role -----------------------------------------------------------------------

@pytest.mark.parametrize("role", ["teacher", "principal", "counselor", "admin"])
def test_every_page_renders_for_every_role(people, role):
    person = getattr(people, role)
    v = viewer_of(person)
    at = run_app(ident(person))
    assert v.display_name in page_text(at)
    for page in PAGES:
        if page == "data_health" and v.scope != "district":
            with pytest.raises(ValueError):  # not even registered for them
                at.switch_page(f"views/{page}.py")
            continue
        at.switch_page(f"views/{page}.py").run()
        assert not at.exception, (role, page, [e.message for e in at.exception])
        assert at.title, (role, page)
    # The overview's student count is exactly the viewer's set.
    total = data.enrollment_total(v.staff_id, Filters())
    assert total == len(people.sets[v.staff_id])


def test_student_profile_shows_an_allowed_student(people):
    t = people.teacher
    sid = sorted(people.sets[t.staff_id])[0]
    s = people.students[people.students.student_id == sid].iloc[0]
    at = run_app(ident(t), page="student", query={"student": sid})
    assert s.last_name in at.header[0].value
    assert not at.error


# --- a teacher cannot reach another teacher's student ---------------------------------------------

def test_teacher_cannot_open_another_teachers_student_by_url(people):
    t, s = people.teacher, people.foreign_student
    at = run_app(ident(t), page="student", query={"student": s.student_id})
    text = page_text(at)
    assert at.error and "No student with id" in at.error[0].value
    assert s.last_name not in text and s.first_name not in text
    assert data.student_profile(viewer_of(t).staff_id, s.student_id) is None
    # The same answer as for an id that does not exist: the page cannot probe who is enrolled.
    at2 = run_app(ident(t), page="student", query={"student": "no-such-id"})
    assert at2.error[0].value.replace("no-such-id", s.student_id) == at.error[0].value


def test_teacher_cannot_reach_another_teachers_student_by_any_filter(people):
    t, s = people.teacher, people.foreign_student
    v = viewer_of(t)
    mine = people.sets[v.staff_id]
    # The foreign student's own school, grade and subgroup, set straight into session state.
    state = {"f_school": s.school_id, "f_grade": s.grade_level, "f_subgroup": s.subgroup}
    for page in PAGES[:-1]:
        at = run_app(ident(t), page=page, state=state, query={"student": s.student_id})
        text = page_text(at)
        assert s.last_name not in text, page
        for e in at.dataframe:
            if "student id" in e.value.columns:
                assert set(e.value["student id"]) <= mine, page
    at = run_app(ident(t), page="student")
    at.text_input(key="student_search").input(s.last_name).run()
    assert s.student_id not in " ".join(at.selectbox(key="student_pick_None").options)
    # And straight through the data layer, with every filter combination that could widen it.
    for f in (Filters(), Filters(s.school_id), Filters(s.school_id, s.grade_level, s.subgroup)):
        for frame in (data.students_with_absences(v.staff_id, f, 0), data.students_with_incidents(v.staff_id, f),
                      data.student_search(v.staff_id, "", f, 100000), data.student_search(v.staff_id, s.last_name, f)):
            assert set(frame["student_id"]) <= mine
        assert data.attendance_summary(v.staff_id, f)["students"].fillna(0).iloc[0] <= len(mine)


def test_filter_values_outside_the_viewers_students_are_dropped(people):
    t = people.teacher
    own = {s for s, _ in data.filter_options(viewer_of(t).staff_id)["schools"]}
    elsewhere = sorted(set(people.students.school_id) - own)[0]
    at = run_app(ident(t), state={"f_school": elsewhere, "f_grade": "not-a-grade"})
    assert at.session_state["f_school"] is None and at.session_state["f_grade"] is None
    assert elsewhere not in at.selectbox(key="f_school").options


# --- small groups ---------------------------------------------------------------------------------

def test_small_groups_are_suppressed_everywhere(people):
    admin = viewer_of(people.admin)
    m = people.students
    cells = m.groupby(["grade_level", "subgroup"]).size()
    grade, subgroup = cells[(cells > 0) & (cells < 10)].index[0]
    small = Filters(grade_level=grade, subgroup=subgroup)
    assert math.isnan(data.enrollment_total(admin.staff_id, small))
    summary = data.attendance_summary(admin.staff_id, small).iloc[0]
    assert summary[["students", "chronic_absence_rate", "attendance_rate"]].isna().all()
    at = run_app(ident(people.admin), page="attendance", state={"f_grade": grade, "f_subgroup": subgroup})
    assert [mt.value for mt in at.metric][:3] == ["<10", "<10", "<10"]
    by_subgroup = data.enrollment_by(admin.staff_id, Filters(), "subgroup")
    sizes = m.groupby("subgroup").size()
    for _, row in by_subgroup.iterrows():
        n = sizes[row.subgroup]
        assert (math.isnan(row.students) if n < 10 else row.students == n), row.subgroup
    # Tables (and so their CSV downloads) show "<10", never the number.
    at = run_app(ident(people.admin))
    shown = table_with(at, "subgroup")
    for sg, n in sizes.items():
        value = shown.loc[shown.subgroup == sg, "students"].iloc[0]
        assert value == ("<10" if n < 10 else f"{n:,}")


def test_suppress_blanks_small_groups_and_small_counts():
    df = pd.DataFrame({"k": ["a", "b", "c"], "students": [9, 10, 40], "rate": [0.5, 0.2, 0.1], "count": [3, 0, 4]})
    out = data.suppress(df, "students", ["rate"], ["count"])
    assert out.students.isna().tolist() == [True, False, False]
    assert out.rate.isna().tolist() == [True, False, False]
    assert out["count"].isna().tolist() == [True, False, True]  # 0 stays, 1..9 goes
    assert out.attrs["suppressed"] == ["students", "rate", "count"]


# --- no access ------------------------------------------------------------------------------------

def test_unknown_inactive_and_roleless_staff_see_nothing(people):
    inactive = people.staff[~people.staff.is_active.astype(bool)]
    cases = [Identity("ldap", login="stranger", email="stranger@elsewhere.org"), ident(people.nurse)]
    if len(inactive):
        cases.append(ident(inactive.iloc[0]))
    for identity in cases:
        at = run_app(identity)
        assert at.warning, identity
        assert not at.dataframe and not at.metric and not at.selectbox
        with pytest.raises(ValueError):
            at.switch_page("views/student.py")


def test_data_health_is_for_district_administrators_only(people):
    for person in (people.teacher, people.principal):
        with pytest.raises(PermissionError):
            data.health_loads(viewer_of(person).staff_id)
    loads = data.health_loads(viewer_of(people.admin).staff_id)
    assert {"aspen", "star", "district"} <= set(loads.source)
    _, rejected = data.health_rejected(viewer_of(people.admin).staff_id)
    assert "raw_text" not in rejected.columns


# --- sign-in --------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def ldap(people):
    users = [ldap_server.LdapUser(people.teacher.login_name, people.teacher.email, "teach-pass"),
             ldap_server.LdapUser("p.directory", people.principal.email, "princ-pass"),
             ldap_server.LdapUser("ghost", "ghost@elsewhere.org", "ghost-pass")]
    server = ldap_server.start(users)
    yield server
    server.stop()


def sign_in(login: str, password: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    at.text_input(key="login_user").input(login)
    at.text_input(key="login_password").input(password)
    at.button[0].click().run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_ldap_sign_in_by_username_or_email(people, ldap, monkeypatch):
    monkeypatch.setenv("SCHOOLHOUSE_LDAP_URL", ldap.url)
    monkeypatch.setenv("SCHOOLHOUSE_LDAP_BASE_DN", ldap.base_dn)
    at = sign_in(people.teacher.login_name, "teach-pass")
    assert at.title[0].value == "Enrollment"
    assert viewer_of(people.teacher).display_name in page_text(at)
    # By email, with a service account doing the search; the uid differs from the SIS login name,
    # so the directory's mail attribute is what maps to dim_staff.email.
    monkeypatch.setenv("SCHOOLHOUSE_LDAP_BIND_DN", ldap.service_dn)
    monkeypatch.setenv("SCHOOLHOUSE_LDAP_BIND_PASSWORD", ldap.service_password)
    at = sign_in(people.principal.email.upper(), "princ-pass")
    assert viewer_of(people.principal).display_name in page_text(at)


@pytest.mark.parametrize("login,password", [("TEACHER", "wrong"), ("TEACHER", ""), ("*", "teach-pass"),
                                            ("nobody", "teach-pass"), ("TEACHER)(uid=*", "teach-pass")])
def test_ldap_refuses_bad_credentials(people, ldap, monkeypatch, login, password):
    monkeypatch.setenv("SCHOOLHOUSE_LDAP_URL", ldap.url)
    monkeypatch.setenv("SCHOOLHOUSE_LDAP_BASE_DN", ldap.base_dn)
    at = sign_in(login.replace("TEACHER", people.teacher.login_name), password)
    assert at.error and not at.metric
    assert "identity" not in at.session_state


def test_ldap_user_without_staff_record_sees_nothing(ldap, monkeypatch):
    monkeypatch.setenv("SCHOOLHOUSE_LDAP_URL", ldap.url)
    monkeypatch.setenv("SCHOOLHOUSE_LDAP_BASE_DN", ldap.base_dn)
    at = sign_in("ghost", "ghost-pass")
    assert at.warning and "not a staff member" in at.warning[0].value
    assert not at.metric


def test_directory_down_is_a_plain_message(monkeypatch):
    monkeypatch.setenv("SCHOOLHOUSE_LDAP_URL", "ldap://127.0.0.1:1")
    with pytest.raises(auth.LoginFailed, match="could not be reached"):
        auth.ldap_login("someone", "pw", auth.LdapConfig.from_settings())


def test_oidc_email_maps_to_staff_only_when_really_signed_in(people):
    secrets = {"auth": {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
                        "client_id": "id", "client_secret": "secret",
                        "server_metadata_url": "https://idp.example.org/.well-known/openid-configuration"}}
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.secrets.update(secrets)
    at.user = {"is_logged_in": True, "email": people.principal.email, "email_verified": True}
    at.run()
    assert not at.exception and at.title[0].value == "Enrollment"
    assert viewer_of(people.principal).display_name in page_text(at)
    for user in ({"is_logged_in": False, "email": people.admin.email},
                 {"email": people.admin.email},  # a local run's placeholder user, no login
                 {"is_logged_in": True, "email": people.admin.email, "email_verified": False}):
        at = AppTest.from_file(str(APP), default_timeout=60)
        at.secrets.update(secrets)
        at.user = user
        at.run()
        assert at.title[0].value == "Schoolhouse" and not at.metric, user
    # Without [auth] configured, st.user is never trusted.
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.user = {"is_logged_in": True, "email": people.admin.email}
    at.run()
    assert at.title[0].value == "Schoolhouse" and not at.metric


def test_demo_mode_only_when_enabled(people, monkeypatch):
    at = run_app(query={"demo": "district"})
    assert at.title[0].value == "Schoolhouse" and not at.radio and not at.metric
    at = run_app(Identity("demo", login=people.admin.login_name))
    assert not at.metric  # a demo session is void once demo mode is off
    monkeypatch.setenv("SCHOOLHOUSE_DEMO_MODE", "1")
    at = run_app()
    accounts = access.demo_accounts()
    assert [a["label"] for a in accounts] == ["Teacher", "Principal", "Counselor", "District administrator"]
    assert len(at.radio[0].options) == 4
    at.radio[0].set_value(3)
    at.button(key="demo_enter").click().run()
    assert at.title[0].value == "Enrollment" and accounts[3]["name"] in page_text(at)
    at = run_app(query={"demo": "teacher"}, page="attendance")
    assert at.title[0].value == "Attendance" and accounts[0]["name"] in page_text(at)


def test_no_sign_in_method_configured(monkeypatch):
    monkeypatch.delenv("SCHOOLHOUSE_LDAP_URL")
    at = run_app()
    assert "No sign-in method is configured" in at.error[0].value


# --- the warehouse ------------------------------------------------------------------------------

def test_busy_warehouse_is_a_message_not_a_crash(people, tmp_path):
    """A nightly load holds DuckDB's write lock: the page says so and carries on."""
    path = os.environ["SCHOOLHOUSE_DUCKDB_PATH"]
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import duckdb, sys, time
        con = duckdb.connect({path!r})
        print("locked", flush=True)
        sys.stdin.read()
    """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(db.WarehouseBusy):
            db.query("select 1")
        at = run_app(ident(people.teacher))
        assert at.warning and "cannot be read right now" in at.warning[0].value
    finally:
        holder.communicate("", timeout=20)


def test_launch_runs_streamlit_on_the_chosen_target(monkeypatch, tmp_path):
    cmd = launch.command(["--server.port", "8765"])
    assert cmd[1:4] == ["-m", "streamlit", "run"] and cmd[4].endswith("dashboards/app.py") and cmd[-1] == "8765"
    env = launch.environment(load_settings(target="duckdb"))
    assert env["SCHOOLHOUSE_TARGET"] == "duckdb" and Path(env["SCHOOLHOUSE_DUCKDB_PATH"]).is_absolute()
    assert str(ROOT) in env["PYTHONPATH"].split(os.pathsep)
    monkeypatch.setenv("SCHOOLHOUSE_DUCKDB_PATH", str(tmp_path / "missing.duckdb"))
    assert launch.run_dashboard(load_settings(target="duckdb"), []) == 1


# --- PostgreSQL -----------------------------------------------------------------------------------

def test_postgres_same_access_and_pages(people, pg_env, monkeypatch):
    t, admin = people.teacher, people.admin
    expected = {role: data.attendance_summary(viewer_of(p).staff_id, Filters()).to_dict("records")
                for role, p in (("teacher", t), ("admin", admin))}
    for key, value in pg_env.items():
        monkeypatch.setenv(key, value)
    st.cache_data.clear()
    assert db.describe_target().startswith("PostgreSQL")
    got = db.query("select staff_id, student_id from marts.access_viewer_students")
    assert got.groupby("staff_id")["student_id"].apply(set).to_dict() == people.sets
    for role, p in (("teacher", t), ("admin", admin)):
        v = viewer_of(p)
        assert data.attendance_summary(v.staff_id, Filters()).to_dict("records")[0] == pytest.approx(expected[role][0], nan_ok=True)
        at = run_app(ident(p))
        for page in PAGES:
            if page == "data_health" and v.scope != "district":
                continue
            at.switch_page(f"views/{page}.py").run()
            assert not at.exception, (role, page, [e.message for e in at.exception])
    at = run_app(ident(t), page="student", query={"student": people.foreign_student.student_id})
    assert at.error and people.foreign_student.last_name not in page_text(at)
