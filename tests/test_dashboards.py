"""The educator dashboards (dashboards/): sign-in, who sees which students, small-group suppression,
every page for every role, on DuckDB and PostgreSQL.

One small dirty district is generated, loaded and built once per session on DuckDB (and once on
PostgreSQL for the tests marked so); every test reads it. Pages run through Streamlit's AppTest.
LDAP sign-in runs against a real LDAP server on 127.0.0.1 (tests/ldap_server.py).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from types import SimpleNamespace

import duckdb
import numpy as np
import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboards import access, audit, auth, data, db, launch, suppression, ui
from dashboards.access import Identity, NoAccess, Viewer
from dashboards.data import Filters
from generator import generate
from schoolhouse.settings import load_settings
from tests import ldap_server
from tests.suppression_attack import Reader

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "dashboards" / "app.py"
PAGES = ["attention", "overview", "attendance", "discipline", "assessments", "student", "data_health"]
STUDENTS, SEED = 400, 11


# --- the district, built once ----------------------------------------------------------------------
#
# Two districts and a region under one state (generate --districts 2), and an access_grants.csv as a
# district would write it: a counselor serving schools in both districts, a regional role given the
# region, a grant that has expired and one not yet begun, and rows that name nobody or nothing.

def _read_export(path: Path) -> list[dict]:
    """A generated (dirty) SIS export as the loader would read it: UTF-8, else Windows-1252."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    return list(csv.DictReader(io.StringIO(text)))


def _write_grants(folder: Path) -> dict:
    orgs = {r["org_id"]: r for r in _read_export(folder / "orgs.csv")}
    staff = [r for r in _read_export(folder / "educators_export.txt")
             if r["status"] == "Active" and r["local_id"] not in ("", "NULL")]
    ids = [r["local_id"] for r in staff]
    staff = [r for r in staff if ids.count(r["local_id"]) == 1]  # the dirty file repeats some people
    schools = sorted(o for o, r in orgs.items() if r["org_type"] == "school")
    region = next(o for o, r in orgs.items() if r["org_type"] == "region")

    def first(kind: str, school: str | None = None) -> dict:
        return next(r for r in staff if r["staff_type"] == kind and (school is None or r["school_local_id"] == school))

    home = schools[0]
    counselor = first("Counselor", home)
    regional = first("Nurse")  # no student access by role: the grant is all they have
    teacher = next(r for r in staff if r["staff_type"] == "Teacher" and r["school_local_id"] != home)
    others = [s for s in schools if s != home]
    rows = [
        # grantee, scope, role, start, end, note
        (counselor["local_id"], others[0], "counselor", "2026-08-15", "", "a second school"),
        (counselor["local_id"], others[1], "counselor", "", "2099-06-30", "a third school, with an end date"),
        (regional["login_name"].upper(), region, "regional nurse", "", "", "by login, any case"),
        (teacher["local_id"], home, "summer school", "2025-06-01", "2025-08-31", "expired"),
        (teacher["local_id"], others[0], "mentor", "2099-01-01", "", "not yet"),
        ("no.such.login", home, "counselor", "", "", "names nobody"),
        (counselor["local_id"], "X999", "counselor", "", "", "names no org or section"),
        (counselor["local_id"], home, "counselor", "someday", "", "a date that is not one"),
    ]
    with open(folder / "access_grants.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["grantee", "scope", "role", "start_date", "end_date", "note"])
        w.writerows(rows)
    return {"counselor": counselor["local_id"], "regional": regional["local_id"], "expired": teacher["local_id"],
            "home": home, "others": others, "region": region}


@pytest.fixture(scope="session")
def district_files(tmp_path_factory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("dash_district")
    manifest = generate(out, students=STUDENTS, seed=SEED, day=60, school_year=2027, dirty=True, districts=2)
    return out, manifest["as_of_date"]


@pytest.fixture(scope="session")
def grants(district_files) -> dict:
    return _write_grants(district_files[0])


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
    """Load and build in a child process: dbt-duckdb keeps the DuckDB file open in the process
    that ran them, and the dashboards open it read-only (as they do beside a nightly load)."""
    env = {**os.environ, **env, "SCHOOLHOUSE_AS_OF_DATE": as_of,
           "SCHOOLHOUSE_ARCHIVE_DIR": str(work / "archive"), "SCHOOLHOUSE_CACHE_DIR": str(work / "cache"),
           "SCHOOLHOUSE_LANDING_DIR": str(work / "landing"),
           "DBT_TARGET_PATH": str(work / "target"), "DBT_LOG_PATH": str(work / "logs")}
    done = subprocess.run([sys.executable, "-c", BUILD, str(folder)], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


@pytest.fixture(scope="session")
def duck(district_files, grants, tmp_path_factory) -> dict[str, str]:
    work = tmp_path_factory.mktemp("dash_duck")
    env = {"SCHOOLHOUSE_TARGET": "duckdb", "SCHOOLHOUSE_DUCKDB_PATH": str(work / "warehouse.duckdb"),
           "SCHOOLHOUSE_CACHE_DIR": str(work / "cache")}
    _build(*district_files, work, env)
    return env


@pytest.fixture(scope="session")
def pg_env(district_files, grants, pg, tmp_path_factory) -> dict[str, str]:
    work = tmp_path_factory.mktemp("dash_pg")
    name = f"dash_{os.getpid()}"
    pg.createdb(name)
    env = {"SCHOOLHOUSE_TARGET": "postgres", "SCHOOLHOUSE_CACHE_DIR": str(work / "cache"), **pg.env(name)}
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
    # The test directory on 127.0.0.1 speaks plain LDAP; a district's must not (test below).
    monkeypatch.setenv("SCHOOLHOUSE_LDAP_INSECURE_PLAINTEXT", "1")
    monkeypatch.delenv("SCHOOLHOUSE_DEMO_MODE", raising=False)
    st.cache_data.clear()
    yield
    st.cache_data.clear()


def sql(query: str, params: list | None = None) -> pd.DataFrame:
    with duckdb.connect(os.environ["SCHOOLHOUSE_DUCKDB_PATH"], read_only=True) as con:
        return con.execute(query, params or []).df()


def _parents(folder: Path) -> dict[str, str]:
    return {r["org_id"]: r["parent_org_id"] for r in _read_export(folder / "orgs.csv")}


def _schools_under(parents: dict[str, str], org: str) -> set[str]:
    """The orgs at or below ``org`` (walking orgs.csv here, not through the access marts)."""
    def chain(o):
        while o:
            yield o
            o = parents.get(o)
    return {o for o in parents if org in chain(o)}


@pytest.fixture(scope="session")
def people(duck, district_files, grants) -> SimpleNamespace:
    """Staff to sign in as, and the students each must see, worked out from the district's files and
    the built dimensions (orgs.csv, dim_students, fct_section_enrollments), not from the access marts."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SCHOOLHOUSE_DUCKDB_PATH", duck["SCHOOLHOUSE_DUCKDB_PATH"])
        staff = sql("select * from marts.access_viewers")
        allowed = sql("select staff_id, student_id from marts.access_viewer_students")
        students = sql("select m.*, s.first_name, s.last_name from marts.metrics_students m "
                       "join marts.dim_students s using (student_id)")
        active = sql("select student_id, school_id from marts.dim_students where is_active")
        enr = sql("select section_id, staff_id, student_id, role from marts.fct_section_enrollments where is_current")
    sets = allowed.groupby("staff_id")["student_id"].apply(set).to_dict()
    parents = _parents(district_files[0])

    def of_orgs(*orgs: str) -> set[str]:
        schools = set().union(*(_schools_under(parents, o) for o in orgs))
        return set(active[active.school_id.isin(schools)].student_id)

    def of_sections(staff_id: str) -> set[str]:
        sections = set(enr[(enr.role == "teacher") & (enr.staff_id == staff_id)].section_id)
        return set(enr[(enr.role == "student") & enr.section_id.isin(sections)].student_id) & set(active.student_id)

    def one(where) -> pd.Series:
        rows = staff[where(staff)].sort_values("staff_id")
        assert len(rows), "the generated district lacks a staff member the tests need"
        return rows.iloc[0]

    def by_id(staff_id: str) -> pd.Series:
        return staff[staff.staff_id == staff_id].iloc[0]

    districts = sorted(o for o, p in parents.items() if p == "MA")
    district_of = {d: _schools_under(parents, d) for d in districts}
    home_district = next(d for d in districts if grants["home"] in district_of[d])
    other_district = next(d for d in districts if d != home_district)
    admins = staff[(staff.effective_scope == "district") & staff.can_see_data_health]
    admin_of = {d: admins[admins.school_id.isin(district_of[d])].sort_values("staff_id").iloc[0] for d in districts}

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
    principal = one(lambda s: (s.effective_scope == "school") & (s.staff_role == "principal"))
    counselor, regional, expired = by_id(grants["counselor"]), by_id(grants["regional"]), by_id(grants["expired"])
    expected = {
        "teacher": of_sections(a.staff_id),
        "principal": of_orgs(principal.school_id),
        "counselor": of_orgs(grants["home"], *grants["others"]),
        "regional": of_orgs(grants["region"]),
        "expired": of_sections(expired.staff_id),
        "admin": of_orgs(home_district),
        "other_admin": of_orgs(other_district),
    }
    return SimpleNamespace(
        staff=staff, sets=sets, students=students, expected=expected, of_sections=of_sections,
        teacher=a, other_teacher=b, foreign_student=foreign, principal=principal,
        counselor=counselor, regional=regional, expired=expired,
        admin=admin_of[home_district], other_admin=admin_of[other_district],
        nurse=one(lambda s: (s.staff_role == "nurse") & s.is_active & (s.effective_scope == "none")),
    )


ROLES = ["teacher", "principal", "counselor", "regional", "expired", "admin", "other_admin"]


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
    if page and page != "attention":
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
    """Each kind of viewer sees exactly the students the org tree, their sections and their grants
    give them: the district administrators of two districts under one state see disjoint sets."""
    for role in ROLES:
        person = getattr(people, role)
        assert people.sets.get(person.staff_id, set()) == people.expected[role], role
        assert people.expected[role], role
    assert not people.expected["admin"] & people.expected["other_admin"]
    assert people.expected["regional"] < people.expected["admin"]
    # The counselor's grants cross the district line; the expired and future grants open nothing.
    assert people.expected["counselor"] & people.expected["other_admin"]
    assert people.expired.effective_scope == "sections"
    assert people.counselor.effective_scope == "custom" and people.regional.effective_scope == "region"
    assert people.regional.scope_text == "the students of North Region"
    for _, t in people.staff[people.staff.effective_scope == "sections"].iterrows():
        assert people.sets.get(t.staff_id, set()) == people.of_sections(t.staff_id), t.login_name
    nobody = people.staff[people.staff.effective_scope == "none"].staff_id
    assert not any(people.sets.get(s) for s in nobody)
    inactive = people.staff[~people.staff.is_active.astype(bool)]
    assert (inactive.effective_scope == "none").all()


def test_access_grants_are_validated_and_explained(people):
    grants = sql("select note, status, staff_id from marts.access_grants").set_index("note")
    assert grants.status.to_dict() == {
        "a second school": "active", "a third school, with an end date": "active",
        "by login, any case": "active", "expired": "expired", "not yet": "not_yet",
        "names nobody": "unknown_grantee", "names no org or section": "unknown_scope",
        "a date that is not one": "bad_date"}
    assert grants.loc["by login, any case", "staff_id"] == people.regional.staff_id
    # The rows that name nobody or nothing, or carry no date, are on the data-health page with why.
    excluded = sql("select reason, detail, record_key from marts.dq_excluded_rows where entity = 'access_grants'")
    assert set(excluded.reason) == {"unknown_grantee", "unknown_scope", "bad_date"}
    assert "no staff member has this id or login" in set(excluded.detail)
    # Nothing of size viewers × students is stored: the pairs are a view.
    kinds = sql("select table_name, table_type from information_schema.tables where table_schema = 'marts' "
                "and table_name like 'access_viewer_%'").set_index("table_name").table_type.to_dict()
    assert kinds["access_viewer_students"] == "VIEW" and kinds["access_viewer_schools"] == "VIEW"
    assert kinds["access_viewer_sizes"] == "VIEW"
    _assert_sizes_count_the_pairs(sql)


def _assert_sizes_count_the_pairs(query) -> None:
    """access_viewer_sizes (counted per scope, never forming the pairs) is, for every viewer, the
    number of rows access_viewer_students lists for them; a viewer whose scopes reach nobody has 0."""
    sizes = query("select staff_id, students from marts.access_viewer_sizes").set_index("staff_id").students
    pairs = query("select staff_id, count(*) as n from marts.access_viewer_students group by staff_id").set_index("staff_id").n
    scoped = set(query("select distinct staff_id from marts.access_viewer_scopes").staff_id)
    assert set(sizes.index) == scoped and sizes.index.is_unique
    assert {k: int(v) for k, v in sizes.items() if v} == {k: int(v) for k, v in pairs.items()}
    assert len(pairs) > 10 and (pairs > 1).any() and (sizes == 0).any() == (len(scoped) > len(pairs))


def test_a_warehouse_from_before_becomes_views_on_the_next_build(people, duck, tmp_path):
    """Warehouses built before issue 11 hold access_viewer_students as a table with an index (which
    DuckDB cannot rename): the next build replaces it with the view."""
    path = duck["SCHOOLHOUSE_DUCKDB_PATH"]
    with duckdb.connect(path) as con:
        con.execute("create or replace table marts.avs_old as select * from marts.access_viewer_students")
        con.execute("drop view marts.access_viewer_students")
        con.execute("alter table marts.avs_old rename to access_viewer_students")
        con.execute("create index access_viewer_students_idx on marts.access_viewer_students (staff_id, student_id)")
    env = {**os.environ, **duck, "DBT_TARGET_PATH": str(tmp_path / "target"), "DBT_LOG_PATH": str(tmp_path / "logs")}
    code = ("import sys; from schoolhouse.dbt_runner import run_dbt; from schoolhouse.settings import load_settings; "
            "sys.exit(0 if run_dbt(load_settings(), 'run', '--select', 'access_viewer_students', '--quiet') else 1)")
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    kinds = sql("select table_type from information_schema.tables where table_schema = 'marts' "
                "and table_name = 'access_viewer_students'")
    assert kinds.table_type.tolist() == ["VIEW"]
    got = sql("select staff_id, student_id from marts.access_viewer_students")
    assert got.groupby("staff_id")["student_id"].apply(set).to_dict() == people.sets


@pytest.mark.parametrize("role", ROLES)
def test_each_viewer_sees_exactly_their_students_in_every_page_filter_url_and_download(people, role):
    """Through the data layer (every list with every filter the sidebar offers) and the app (every
    page, and the profile URL for a student inside and outside the set)."""
    person, expected = getattr(people, role), people.expected[role]
    v = viewer_of(person)
    assert set(data.student_search(v.staff_id, "", Filters(), 10**6)["student_id"]) == expected
    total = data.enrollment_total(v.staff_id, Filters())
    assert total == len(expected) if len(expected) >= 10 else math.isnan(total)
    options = data.filter_options(v.staff_id)
    filters = [Filters(school_id=s) for s, _ in options["schools"]] + [Filters(grade_level=g) for g in options["grades"]]
    for f in [Filters(), *filters]:
        for frame in (data.students_with_absences(v.staff_id, f, 0), data.students_with_incidents(v.staff_id, f),
                      data.student_search(v.staff_id, "", f, 10**6)):
            assert set(frame["student_id"]) <= expected, (role, f)
    # Students the viewer's schools never served (one who moved here from another of the viewer's
    # schools may be opened: test_students_who_left_stay_visible_to_the_schools_that_served_them).
    served = set(sql("select student_id from marts.fct_school_enrollments where school_id in "
                     "(select school_id from marts.access_viewer_schools where staff_id = ?)", [v.staff_id]).student_id)
    outsiders = sorted(set(people.students.student_id) - expected - served)
    if outsiders:  # the counselor's grants reach every school of this small district
        at = run_app(ident(person), page="student", query={"student": outsiders[0]})
        assert at.error and "No student with id" in at.error[0].value
    insider = sorted(expected)[0]
    at = run_app(ident(person), page="student", query={"student": insider})
    assert not at.error and at.header
    at = run_app(ident(person))
    assert v.display_name in page_text(at)
    for page in PAGES:
        if page == "data_health" and not v.can_see_data_health:
            with pytest.raises(ValueError):  # not even registered for them
                at.switch_page(f"views/{page}.py")
            continue
        at.switch_page(f"views/{page}.py").run()
        assert not at.exception, (role, page, [e.message for e in at.exception])
        assert at.title, (role, page)
        # Every table on the page is what its CSV download holds (ui.table writes the shown frame).
        for e in at.dataframe:
            if "student id" in e.value.columns:
                assert set(e.value["student id"].dropna()) - {"(not yours)"} <= expected, (role, page)


def test_resolve_maps_logins_and_refuses_the_rest(people):
    t = people.teacher
    assert access.resolve(Identity("ldap", login=t.login_name.upper())).staff_id == t.staff_id
    assert access.resolve(Identity("oidc", email=f"  {t.email.upper()} ")).staff_id == t.staff_id
    assert isinstance(access.resolve(Identity("ldap", login="nobody", email="nobody@nowhere.org")), NoAccess)
    assert isinstance(access.resolve(Identity("ldap", login="", email="")), NoAccess)
    nurse = access.resolve(ident(people.nurse))
    assert isinstance(nurse, NoAccess) and "no student access" in nurse.reason


# --- every page, every role -----------------------------------------------------------------------

def test_student_profile_shows_an_allowed_student(people):
    t = people.teacher
    sid = sorted(people.sets[t.staff_id])[0]
    s = people.students[people.students.student_id == sid].iloc[0]
    at = run_app(ident(t), page="student", query={"student": sid})
    assert s.last_name in at.header[0].value
    assert not at.error


def test_a_list_opens_the_profile_in_the_same_session_and_the_log_records_it(people):
    """Selecting a row of a student list opens that profile in this session (no new tab, no second
    sign-in); the opening and each download go to the access log, which only district administrators
    read, with the student's id only for those who may see that student."""
    admin = people.admin
    at = run_app(ident(admin), page="attendance")
    listed = data.students_with_absences(viewer_of(admin).staff_id, Filters())
    assert len(listed), "the test district should have students with 4+ absences"
    at.session_state["pick_students_4plus_absences"] = {"selection": {"rows": [0], "columns": []}}
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    first = listed.iloc[0]
    assert at.header and first.last_name in at.header[0].value  # the profile, still signed in
    at.get("download_button")[0].click().run()
    log = data.access_log.__wrapped__(viewer_of(admin).staff_id)
    mine = log[log.who == viewer_of(admin).display_name]
    assert {"profile_opened", "download"} <= set(mine.event)
    assert first.student_id in set(mine[mine.event == "profile_opened"].student_id)
    # The other district's administrator sees that it happened, not which student.
    other = data.access_log.__wrapped__(viewer_of(people.other_admin).staff_id)
    theirs = other[(other.who == viewer_of(admin).display_name) & (other.event == "profile_opened")]
    assert len(theirs) and set(theirs.student_id) == {"(not yours)"}
    with pytest.raises(PermissionError):
        data.access_log.__wrapped__(viewer_of(people.teacher).staff_id)
    at = run_app(ident(admin), page="data_health")
    assert "Access log" in [h.value for h in at.subheader]


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
    m = people.students[people.students.student_id.isin(people.expected["admin"])]
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
    kinds = by_subgroup.attrs["hidden"]
    for i, row in by_subgroup.iterrows():
        n = sizes[row.subgroup]
        if n < 10:
            assert math.isnan(row.students) and kinds[(i, "students")] == suppression.PRIMARY, row.subgroup
        else:  # shown, or hidden so that a small one cannot be worked out
            assert row.students == n or kinds[(i, "students")] == suppression.SECONDARY, row.subgroup
    # Tables (and so their CSV downloads) show "<10" or "*", never the number.
    at = run_app(ident(people.admin), page="overview")
    shown = table_with(at, "subgroup")
    for sg, n in sizes.items():
        value = shown.loc[shown.subgroup == sg, "students"].iloc[0]
        assert value == "<10" if n < 10 else value in (f"{n:,}", "*")
    # The chart leaves hidden bars out and says which, so a missing bar does not read as no students.
    notes = [str(c.value) for c in at.caption if str(c.value).startswith("Not in the chart, hidden:")]
    small = [ui.value_label(sg) for sg, n in sizes.items() if n < 10]
    assert small and any(all(label in note for label in small) for note in notes), notes


def test_large_viewers_protected_counts_are_prepared_and_read_back(people, monkeypatch):
    """The nightly's dashboards step (warm_lattices) stores every viewer group's lattices; pages then
    read them instead of choosing the hidden cells again, and hide exactly the same cells."""
    import shutil

    from dashboards import lattice

    admin = viewer_of(people.admin).staff_id
    with monkeypatch.context() as here:
        here.setattr(data, "_lattice_dir", lambda: None)  # computed here, nothing stored
        fresh = {"students": data._compute_student_lattice(admin), "Reading": data._compute_star_lattice(admin, "Reading")}
    store = Path(os.environ["SCHOOLHOUSE_CACHE_DIR"]) / "lattices"
    shutil.rmtree(store, ignore_errors=True)
    scopes = sql("select staff_id, scope_type, scope_id from marts.access_viewer_scopes order by all")
    seen = sql("select distinct staff_id from marts.access_viewer_students")["staff_id"]
    groups = {tuple(map(tuple, g[["scope_type", "scope_id"]].values)) for s, g in scopes.groupby("staff_id") if s in set(seen)}
    assert data.warm_lattices(min_students=1) == len(groups) > 3
    assert 0 < len(list(store.glob("*.npz"))) <= 3 * len(groups)  # identical numbers share a file

    def refuse(*args, **kwargs):
        raise AssertionError("a page chose hidden cells the nightly had prepared")

    monkeypatch.setattr(lattice, "build", refuse)
    st.cache_data.clear()
    served = {"students": data.student_lattice(admin), "Reading": data.star_lattice(admin, "Reading")}
    for name, lat in served.items():
        assert lat.categories == fresh[name].categories
        for m in lat.values:
            assert (lat.values[m] == fresh[name].values[m]).all() and (lat.kinds[m] == fresh[name].kinds[m]).all(), (name, m)
    for page in ("overview", "attendance", "assessments"):
        at = run_app(ident(people.admin), page=page)
        assert not at.exception, page


# --- nothing hidden can be worked out --------------------------------------------------------------

DIMS = ("school", "grade", "subgroup")


def _page_numbers(staff_id: str, f: Filters) -> dict:
    """Every aggregate the overview, attendance, discipline and assessments pages show for a view."""
    since = data.school_year_start()
    out = {"enrollment": data.enrollment_view(staff_id, f), "attendance": data.attendance_view(staff_id, f),
           "discipline": data.discipline_summary(staff_id, f, since),
           "discipline_month": data.discipline_monthly(staff_id, f, since)}
    for dim in data.DISCIPLINE_DIMENSIONS:
        out[f"discipline_{dim}"] = data.discipline_by(staff_id, f, dim, since)
    for subject in ("Reading", "Math"):
        out[f"star_{subject}"] = data.star_view(staff_id, f, subject)
    return out


def _numbers(staff_id: str, filters: list[Filters]) -> list[tuple[Filters, dict, dict]]:
    """(filter, what the pages show, the true numbers behind them, row for row) for each filter."""
    st.cache_data.clear()
    shown = [_page_numbers(staff_id, f) for f in filters]
    st.cache_data.clear()
    with suppression.disabled():
        truth = [_page_numbers(staff_id, f) for f in filters]
    st.cache_data.clear()
    return list(zip(filters, shown, truth))


def _read_count(reader: Reader, frame: pd.DataFrame, truth: pd.DataFrame, column: str, cells_of, what: str,
                rate: tuple[str, str] | None = None) -> None:
    """Each row's ``column`` as a shown sum of its cells or a hidden one; a shown rate of it (to the
    0.1% the page prints) times its shown denominator as a rounded equation."""
    kinds = frame.attrs.get("hidden", {})
    for i in range(len(frame)):
        cells = cells_of(frame.iloc[i])
        if (i, column) in kinds:
            reader.hides(f"{what} row {i} {column}", cells, kinds[(i, column)], float(truth[column].iloc[i]))
        elif not pd.isna(frame[column].iloc[i]):
            reader.shown(cells, float(frame[column].iloc[i]))
        if rate and (i, rate[0]) not in kinds and not pd.isna(frame[rate[0]].iloc[i]) \
                and not pd.isna(frame[rate[1]].iloc[i]):
            den = float(frame[rate[1]].iloc[i])
            reader.shown(cells, round(float(frame[rate[0]].iloc[i]), 3) * den, give=0.0005 * den + 1e-9)


def _readers(views: list[tuple[Filters, dict, dict]]) -> dict[str, Reader]:
    """One reader per measure of the students (school × grade × subgroup cells) over all the given
    views: one view is a filter's overview and attendance pages; several, what a viewer who flips
    through the filters has seen."""
    readers = {m: Reader() for m in ("students", "ell", "iep", "free_reduced", "chronically_absent")}
    first = views[0][1]["enrollment"]
    cube = [(s, g, sg) for s in first["school"]["school"] for g in first["grade"]["grade"]
            for sg in first["subgroup"]["subgroup"]]
    for f, shown, truth in views:
        school = data.school_names().get(f.school_id) if f.school_id else None
        inside = [c for c in cube if (school in (None, c[0])) and (f.grade_level in (None, c[1]))
                  and (f.subgroup in (None, c[2]))]
        for page, frame, measure, rate in (
                ("enrollment", "total", "students", None), ("attendance", "summary", "students", None),
                ("attendance", "summary", "chronically_absent", ("chronic_absence_rate", "students"))):
            _read_count(readers[measure], shown[page][frame], truth[page][frame], measure,
                        lambda row, m=measure: [(m, *c) for c in inside], f"{f} {page} {frame}", rate=rate)
        for pos, dim in enumerate(DIMS):
            def cells_of(row, measure, dim=dim, pos=pos):
                return [(measure, *c) for c in inside if c[pos] == row[dim]]
            for page, measures in (("enrollment", ("students", "ell", "iep", "free_reduced")),
                                   ("attendance", ("students", "chronically_absent"))):
                frame, true_frame = shown[page][dim], truth[page][dim]
                for m in measures:
                    rate = ("chronic_absence_rate", "students") if m == "chronically_absent" else None
                    _read_count(readers[m], frame, true_frame, m, lambda row, m=m: cells_of(row, m),
                                f"{f} {page} by {dim}", rate=rate)
                    # A category the table leaves out has none of the filter's students: a shown 0
                    # (the school without a 9th grade), of every count of them.
                    for category in {c[pos] for c in inside} - set(frame[dim]):
                        readers[m].shown(cells_of({dim: category}, m), 0.0)
    return readers


def _discipline_reader(shown: dict, truth: dict, f: Filters) -> Reader:
    """Incidents as cells of location × time of day × weekday × code × month."""
    dims = list(data.DISCIPLINE_DIMENSIONS)
    values = [list(shown[f"discipline_{d}"][d]) for d in dims] + [list(shown["discipline_month"]["month"])]
    cube = [()]
    for vals in values:
        cube = [(*c, v) for c in cube for v in vals]
    reader = Reader()
    reader.shown(cube, float(shown["discipline"]["incidents"].iloc[0]))
    for pos, dim in enumerate([*dims, "month"]):
        name = "discipline_month" if dim == "month" else f"discipline_{dim}"
        _read_count(reader, shown[name], truth[name], "incidents",
                    lambda row, pos=pos, dim=dim: [c for c in cube if c[pos] == row[dim]], f"{f} incidents by {dim}")
    return reader


def _star_readers(views: list[tuple[Filters, dict, dict]], subject: str) -> Reader:
    """STAR students as cells of school × grade × subgroup × band over the given views."""
    reader = Reader()
    first = views[0][1]
    schools = list(first["enrollment"]["school"]["school"])
    subgroups = list(first["enrollment"]["subgroup"]["subgroup"])
    for f, shown, truth in views:
        bands, dist = shown[f"star_{subject}"]["bands"], shown[f"star_{subject}"]["distribution"]
        true = truth[f"star_{subject}"]
        school = data.school_names().get(f.school_id) if f.school_id else None
        keys = [(s, sg) for s in schools for sg in subgroups
                if school in (None, s) and f.subgroup in (None, sg)]
        band_names = sorted(set(bands["band"]) | set(data.BANDS))

        def cells(grade, band=None):
            return [(s, grade, sg, b) for s, sg in keys for b in ([band] if band else band_names)]
        _read_count(reader, bands, true["bands"], "grade_students", lambda row: cells(row["grade"]), f"{f} STAR grade")
        _read_count(reader, dist, true["distribution"], "students", lambda row: cells(row["grade"]),
                    f"{f} STAR distribution")
        _read_count(reader, bands, true["bands"], "students", lambda row: cells(row["grade"], row["band"]),
                    f"{f} STAR bands", rate=("share", "grade_students"))
    return reader


_SEEN: dict[str, list] = {}


def _views(staff_id: str) -> list[tuple[Filters, dict, dict]]:
    """Every filter the sidebar offers this viewer, one at a time, with what the pages show (kept
    for the session: the within-page and across-filter tests read the same numbers)."""
    if staff_id not in _SEEN:
        options = data.filter_options(staff_id)
        filters = [Filters()] + [Filters(school_id=s) for s, _ in options["schools"]] \
            + [Filters(grade_level=g) for g in options["grades"]] + [Filters(subgroup=g) for g in options["subgroups"]]
        _SEEN[staff_id] = _numbers(staff_id, filters)
    return _SEEN[staff_id]


ATTACKED = ["teacher", "principal", "counselor", "regional", "admin"]


@pytest.mark.parametrize("role", ATTACKED)
def test_no_hidden_number_can_be_worked_out(people, role):
    """For every page and every filter the sidebar offers this role, a reader who knows how the pages
    add up (sums, differences, rate × denominator, the bounds of "<10" and "*") cannot pin a hidden
    number, and the hidden numbers are really hidden (the page would have shown something else).

    The counts of students (overview, attendance, STAR) are read with every filter's pages side by
    side, as from several CSV downloads: the grade table of all schools minus that of one school is
    that of the others. (A reader of fewer pages has fewer equations, so cannot pin more.) The
    incident tables, whose total is shown exactly, are read page by page."""
    views = _views(viewer_of(getattr(people, role)).staff_id)
    hidden = 0
    for f, shown, truth in views:
        reader = _discipline_reader(shown, truth, f)
        hidden += len(reader.hidden)
        assert reader.recovered() == [], (role, f, "incidents")
    readers = {**_readers(views), **{s: _star_readers(views, s) for s in ("Reading", "Math")}}
    for measure, reader in readers.items():
        hidden += len(reader.hidden)
        assert reader.recovered() == [], (role, measure)
    assert hidden, "the test district should have small groups for every role"


@pytest.mark.parametrize("role", ATTACKED)
def test_no_cell_of_a_viewers_tables_can_be_worked_out_under_every_combination_of_filters(people, role):
    """The sidebar's filters combine (a school, a grade and a subgroup at once), so a reader may hold
    every cell of the viewer's tables and every margin: school × grade × subgroup for the overview
    and attendance, × benchmark band for STAR. None of their hidden counts may be pinned. (The
    counselor's STAR Reading table is one where only hiding an empty group's 0 protects a count.)"""
    from tests.suppression_attack import lattice_reader

    staff_id = viewer_of(getattr(people, role)).staff_id
    st.cache_data.clear()
    tables = {"students": data.student_lattice(staff_id),
              **{s: data.star_lattice(staff_id, s) for s in ("Reading", "Math")}}
    hidden = 0
    for name, lat in tables.items():
        for measure, kinds in lat.kinds.items():
            hidden += int((kinds != "").sum())
            assert lattice_reader(lat, measure).recovered() == [], (role, name, measure)
    assert hidden, "the test district should have small groups for every role"


@pytest.mark.parametrize("role", ["counselor", "admin"])
def test_a_viewers_tables_repaired_for_the_next_night_still_give_no_cell_away(people, role, tmp_path):
    """The nightly repairs each viewer's tables from the night before (dashboards.lattice_store,
    family). Tonight's numbers: a few of last night's groups gain or lose students, English learners
    and chronically absent students, some across 10. On the viewer's real tables (a counselor's
    sparse one, the district's), the repaired lattice hides every count of 1 to 9 and every small
    group, and no reader of every filter combination can work out a hidden count."""
    from dashboards import lattice_store
    from tests.suppression_attack import lattice_reader

    staff_id = viewer_of(getattr(people, role)).staff_id
    args = data._student_lattice_input(staff_id)
    lattice_store.build(tmp_path, **args)
    inner = args["inner"].copy()
    rng = np.random.default_rng(11)
    for i in rng.choice(len(inner), size=max(2, len(inner) // 10), replace=False):
        inner.loc[i, "students"] = max(1.0, inner.loc[i, "students"] + float(rng.choice([-3, -1, 2, 5])))
        for m in ("ell", "chronically_absent"):
            moved = inner.loc[i, m] + float(rng.choice([-2, -1, 1, 3]))
            inner.loc[i, m] = float(min(inner.loc[i, "students"], max(0.0, moved)))
    repaired = lattice_store.build(tmp_path, **{**args, "inner": inner})
    assert repaired.repairs == 1, "tonight's lattice was chosen afresh, not repaired"
    for measure in ("students", "ell", "chronically_absent"):
        values, kinds = repaired.values[measure], repaired.kinds[measure]
        assert (kinds[(values > 0) & (values < 10)] != "").all(), measure
        assert lattice_reader(repaired, measure).recovered() == [], (role, measure)


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
def ldap_cert(tmp_path_factory) -> tuple[Path, Path]:
    return ldap_server.self_signed(tmp_path_factory.mktemp("ldap_tls"))


@pytest.fixture(scope="session")
def ldap(people, ldap_cert):
    users = [ldap_server.LdapUser(people.teacher.login_name, people.teacher.email, "teach-pass"),
             ldap_server.LdapUser("p.directory", people.principal.email, "princ-pass"),
             ldap_server.LdapUser("ghost", "ghost@elsewhere.org", "ghost-pass")]
    server = ldap_server.start(users, tls=ldap_cert)
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
    assert at.title[0].value == "Needs attention"
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
    login = login.replace("TEACHER", people.teacher.login_name)
    at = sign_in(login, password)
    assert at.error and not at.metric
    assert "identity" not in at.session_state
    log = audit.recent()
    assert ((log.event == "sign_in_failed") & (log.login == login)).any()


def test_ldap_user_without_staff_record_sees_nothing(ldap, monkeypatch):
    monkeypatch.setenv("SCHOOLHOUSE_LDAP_URL", ldap.url)
    monkeypatch.setenv("SCHOOLHOUSE_LDAP_BASE_DN", ldap.base_dn)
    at = sign_in("ghost", "ghost-pass")
    assert at.warning and "not a staff member" in at.warning[0].value
    assert not at.metric


def test_ldap_without_tls_is_refused_unless_allowed(monkeypatch):
    """ldap:// without StartTLS would send every password in clear text: no sign-in is attempted."""
    monkeypatch.delenv("SCHOOLHOUSE_LDAP_INSECURE_PLAINTEXT")
    config = auth.LdapConfig.from_settings(load_settings())
    assert config.plaintext and not config.insecure_plaintext
    with pytest.raises(auth.LoginFailed, match="clear text"):
        auth.ldap_login("someone", "pw", config)
    monkeypatch.setenv("SCHOOLHOUSE_LDAP_START_TLS", "1")
    assert not auth.LdapConfig.from_settings(load_settings()).plaintext
    monkeypatch.setenv("SCHOOLHOUSE_LDAP_URL", "ldaps://directory.example.org")
    monkeypatch.delenv("SCHOOLHOUSE_LDAP_START_TLS")
    assert not auth.LdapConfig.from_settings(load_settings()).plaintext


def test_ldaps_sign_in_verifies_the_directory_certificate(people, ldap, ldap_cert, monkeypatch):
    """ldaps:// against the test directory's own certificate: signed in when ldap_ca_file names the CA
    that signed it; refused before any password is sent when it does not."""
    monkeypatch.setenv("SCHOOLHOUSE_LDAP_URL", ldap.ldaps_url)
    monkeypatch.setenv("SCHOOLHOUSE_LDAP_BASE_DN", ldap.base_dn)
    monkeypatch.delenv("SCHOOLHOUSE_LDAP_INSECURE_PLAINTEXT")
    monkeypatch.setenv("SCHOOLHOUSE_LDAP_CA_FILE", str(ldap_cert[0]))
    at = sign_in(people.teacher.login_name, "teach-pass")
    assert not at.error and viewer_of(people.teacher).display_name in page_text(at)
    monkeypatch.delenv("SCHOOLHOUSE_LDAP_CA_FILE")
    at = sign_in(people.teacher.login_name, "teach-pass")
    assert at.error and "certificate could not be verified" in at.error[0].value and not at.metric


def test_sign_in_pauses_after_repeated_failures(ldap, monkeypatch):
    monkeypatch.setenv("SCHOOLHOUSE_LDAP_URL", ldap.url)
    monkeypatch.setenv("SCHOOLHOUSE_LDAP_BASE_DN", ldap.base_dn)
    monkeypatch.setenv("SCHOOLHOUSE_LOGIN_MAX_FAILURES", "2")
    for _ in range(2):
        assert sign_in("Ghost", "wrong").error
    at = sign_in("ghost", "ghost-pass")  # the right password, too late
    assert "Too many failed sign-ins" in at.error[0].value and "identity" not in at.session_state
    log = audit.recent()
    assert ((log.event == "sign_in_throttled") & (log.login == "ghost")).any()


def test_failed_sign_ins_are_counted_per_login_and_per_address():
    from schoolhouse import app_store

    now = app_store.now()
    rows = [{"event_at": now, "event": audit.SIGN_IN_FAILED, "login": f"Spray{i}", "client": "10.9.8.7"} for i in range(3)]
    rows.append({"event_at": now - dt.timedelta(hours=2), "event": audit.SIGN_IN_FAILED,
                 "login": "spray0", "client": "10.9.8.7"})  # outside a 15-minute window
    app_store.append(db.warehouse(), "access_log", rows)
    assert audit.recent_failures(15, client="10.9.8.7") == 3
    assert audit.recent_failures(15, login="SPRAY0") == 1 and audit.recent_failures(180, login="spray0") == 2


def test_an_idle_session_signs_out(people):
    at = run_app(ident(people.teacher), state={"_last_seen": time.time() - 31 * 60})
    assert at.info and "Signed out after 30 minutes" in at.info[0].value
    assert at.title[0].value == "Schoolhouse" and not at.metric and "identity" not in at.session_state
    at = run_app(ident(people.teacher), state={"_last_seen": time.time() - 60})
    assert at.metric  # a minute away is not idle


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
    assert not at.exception and at.title[0].value == "Needs attention"
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
    assert at.title[0].value == "Needs attention" and accounts[3]["name"] in page_text(at)
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
    # Educators get the viewer toolbar; password-free demo accounts are for this machine only.
    assert "--client.toolbarMode" in cmd and cmd[cmd.index("--client.toolbarMode") + 1] == "viewer"
    assert "--server.address" not in cmd
    demo = launch.command([], demo_mode=True)
    assert demo[demo.index("--server.address") + 1] == "127.0.0.1"
    mine = launch.command(["--server.address", "0.0.0.0"], demo_mode=True)
    assert mine.count("--server.address") == 1 and mine[-1] == "0.0.0.0"
    env = launch.environment(load_settings(target="duckdb"))
    assert env["SCHOOLHOUSE_TARGET"] == "duckdb" and Path(env["SCHOOLHOUSE_DUCKDB_PATH"]).is_absolute()
    assert str(ROOT) in env["PYTHONPATH"].split(os.pathsep)
    monkeypatch.setenv("SCHOOLHOUSE_DUCKDB_PATH", str(tmp_path / "missing.duckdb"))
    assert launch.run_dashboard(load_settings(target="duckdb"), []) == 1


# --- what educators need: who needs attention, classes, tardies, incidents, years, notes ----------

def _texts(at: AppTest) -> str:
    return page_text(at) + "\n".join(str(t.value) for t in at.text)


@pytest.mark.parametrize("role", ["teacher", "principal", "admin"])
def test_needs_attention_is_home_and_lists_exactly_the_flagged_students_with_why(people, role):
    person = getattr(people, role)
    v = viewer_of(person)
    flagged = sql("select * from marts.metrics_student_attention where is_needing_attention")
    truth = set(flagged.student_id) & people.expected[role]
    roster = data.attention_roster(v.staff_id, Filters())
    assert set(roster.student_id) == truth and len(roster) == len(truth)
    assert roster["why"].notna().all() and (roster["reasons"] >= 1).all()
    # The most urgent first: reasons never increase down the list.
    assert list(roster["reasons"]) == sorted(roster["reasons"], reverse=True)
    for r in roster.itertuples():
        if r.absences_last_45_days >= 4:
            n = int(r.absences_last_45_days)
            assert f"{n} absences in 45 days" in r.why
        if r.star_band_rank == 1:
            assert "Urgent Intervention" in r.why
    at = run_app(ident(person))
    assert at.title[0].value == "Needs attention"
    shown = table_with(at, "why")
    assert set(shown["student id"]) == truth
    if role == "teacher":
        # A teacher picks one class: the list is that section's students.
        sections = data.viewer_sections(v.staff_id)
        assert sections and at.selectbox(key="attention_section").options[1:] == [name for _, name in sections]
        section_id = sections[0][0]
        members = set(sql("select student_id from marts.fct_section_enrollments where section_id = ? and role = 'student' "
                          "and is_current", [section_id]).student_id)
        at.selectbox(key="attention_section").set_value(section_id).run()
        assert not at.exception
        assert set(table_with(at, "why")["student id"]) == truth & members if truth & members else \
            "No student needs attention" in page_text(at)
        at.toggle(key="attention_everyone").set_value(True).run()
        assert set(table_with(at, "why")["student id"]) == members & people.expected[role]


def test_tardies_sit_beside_absences(people):
    v = viewer_of(people.admin)
    m = people.students[people.students.student_id.isin(people.expected["admin"])]
    summary = data.attendance_summary(v.staff_id, Filters())
    assert summary["tardy_rate"].iloc[0] == pytest.approx(m.tardy_days.sum() / m.enrolled_days.sum())
    at = run_app(ident(people.admin), page="attendance")
    text = page_text(at)
    assert "Tardy rate" in text and "tardies, 45 days" in text
    listed = set(sql("select student_id from marts.metrics_student_attention where tardies_last_45_days >= 5").student_id)
    if listed & people.expected["admin"]:
        assert set(table_with(at, "tardies, 45 days")["student id"]) == listed & people.expected["admin"]


def test_absences_tardies_and_incidents_by_homeroom_section_and_teacher(people):
    v = viewer_of(people.principal)
    expected = people.expected["principal"]
    with suppression.disabled():
        homerooms = data.groups_by.__wrapped__(v.staff_id, Filters(), "homeroom")
        teachers = data.groups_by.__wrapped__(v.staff_id, Filters(), "teacher")
    assert homerooms["students"].sum() == len(expected), "homerooms split the principal's students"
    truth = sql("select homeroom, count(*) as n from marts.dim_students where is_active and student_id in "
                f"({', '.join('?' * len(expected))}) group by homeroom", sorted(expected))
    assert sorted(homerooms["students"].astype(int)) == sorted(truth["n"])
    t = viewer_of(people.teacher)
    with suppression.disabled():
        own = data.groups_by.__wrapped__(t.staff_id, Filters(), "teacher")
    row = own[own["teacher"].str.startswith(str(people.teacher.last_name))]
    assert int(row["students"].iloc[0]) == len(people.expected["teacher"])
    # Shown: a group of fewer than 10 students says nothing; homeroom counts cannot be worked out.
    shown = data.groups_by(v.staff_id, Filters(), "homeroom")
    for i, n in enumerate(homerooms["students"]):
        if n < 10:
            assert shown[["students", "attendance_rate", "tardy_rate", "incidents"]].iloc[i].isna().all()
    hidden = shown["students"].isna().sum()
    assert hidden != 1 or len(shown) == 1, "one hidden homeroom count is the school's total minus the others"
    assert len(teachers) > 1
    at = run_app(ident(people.principal), page="discipline")
    assert not at.exception and "Recent incidents" in [h.value for h in at.subheader]


def test_recent_incidents_feed(people):
    v = viewer_of(people.admin)
    feed = data.recent_incidents(v.staff_id, Filters())
    since = data.as_of_date() - dt.timedelta(days=30)
    truth = sql("select student_id, event_date from marts.fct_discipline_incidents where event_date > ?", [since])
    truth = truth[truth.student_id.isin(people.expected["admin"])]
    assert len(feed) == len(truth) and set(feed.student_id) == set(truth.student_id)
    assert all(pd.Timestamp(d).date() > since for d in feed["date"])
    assert list(feed["date"]) == sorted(feed["date"], reverse=True)


def test_state_tests_sit_beside_star(people):
    v = viewer_of(people.admin)
    latest = sql("""select student_id, performance_level from (
                        select *, row_number() over (partition by student_id order by test_date desc, result_id) as k
                        from marts.fct_assessment_results where source_system = 'aspen' and subject = 'ELA') where k = 1""")
    latest = latest[latest.student_id.isin(people.expected["admin"])]
    with suppression.disabled():
        levels = data.state_tests.__wrapped__(v.staff_id, Filters(), "ELA")["levels"]
    assert levels["students"].sum() == len(latest)
    assert dict(levels.groupby("level")["students"].sum()) == dict(latest.groupby("performance_level").size())
    # The engine's medians per grade are pandas' medians of each student's latest test.
    scored = sql("""select m.grade_level as grade, r.student_id, r.scale_score, r.growth from (
                        select *, row_number() over (partition by student_id order by test_date desc, result_id) as k
                        from marts.fct_assessment_results where source_system = 'aspen' and subject = 'ELA') as r
                    join marts.metrics_students as m using (student_id) where r.k = 1""")
    scored = scored[scored.student_id.isin(people.expected["admin"])]
    with suppression.disabled():
        scores = data.state_tests.__wrapped__(v.staff_id, Filters(), "ELA")["scores"].set_index("grade")
    assert set(scores.index) == set(scored.grade) and len(scores) > 1
    for grade, group in scored.groupby("grade"):
        assert scores.loc[grade, "students"] == len(group)
        for shown, column in (("median_scale_score", "scale_score"), ("median_growth", "growth")):
            expected = pd.to_numeric(group[column]).astype(float).median()
            assert scores.loc[grade, shown] == pytest.approx(expected, nan_ok=True), (grade, shown)
    shown = data.state_tests(v.staff_id, Filters(), "ELA")["levels"]
    for grade, group in shown.groupby("grade"):
        if group["grade_students"].notna().all():  # a shown total: one hidden level would be it minus the rest
            assert group["students"].isna().sum() != 1, f"grade {grade}: one hidden level can be worked out"
    at = run_app(ident(people.admin), page="assessments")
    assert "State test, ELA" in [h.value for h in at.subheader]


def test_students_who_left_stay_visible_to_the_schools_that_served_them(people):
    left = sql("""select s.student_id, s.last_name, e.school_id, e.entry_date, e.exit_date
                  from marts.dim_students s join marts.fct_school_enrollments e using (student_id)
                  where not s.is_active order by s.student_id""")
    assert len(left), "the test district should have students who left"
    sid = left.student_id.iloc[0]
    stints = left[left.student_id == sid]
    served_by = [r for r in ("admin", "other_admin", "principal", "counselor")
                 if set(stints.school_id) & set(sql("select school_id from marts.access_viewer_schools where staff_id = ?",
                                                    [viewer_of(getattr(people, r)).staff_id]).school_id)]
    assert served_by, "some role should serve the school the student left"
    for role in ("teacher", "admin", "other_admin", "principal", "counselor"):
        v = viewer_of(getattr(people, role))
        access_kind = data.student_access(v.staff_id, sid)
        profile = data.student_profile(v.staff_id, sid)
        if role not in served_by:
            assert access_kind is None and profile is None, role
            continue
        assert access_kind == "served", role
        schools = set(sql("select school_id from marts.access_viewer_schools where staff_id = ?", [v.staff_id]).school_id)
        assert set(profile["enrollments"]["school_id"]) <= schools
        windows = stints[stints.school_id.isin(schools)]
        for frame, column in ((profile["incidents"], "event_date"), (profile["assessments"], "test_date"),
                              (profile["attendance_events"], "event_date")):
            for d in frame[column]:
                assert any(pd.Timestamp(w.entry_date) <= pd.Timestamp(d) and
                           (pd.isna(w.exit_date) or pd.Timestamp(d) <= pd.Timestamp(w.exit_date))
                           for w in windows.itertuples()), (role, column, d)
        found = data.student_search(v.staff_id, stints.last_name.iloc[0], Filters(), include_left=True)
        assert sid in set(found.student_id)
        assert sid not in set(data.student_search(v.staff_id, stints.last_name.iloc[0], Filters()).student_id)
    at = run_app(ident(getattr(people, served_by[0])), page="student", query={"student": sid})
    assert not at.error and "Not one of your students now" in at.warning[0].value


def test_the_profile_covers_every_year(people):
    t = viewer_of(people.teacher)
    sid = sorted(people.expected["teacher"])[0]
    profile = data.student_profile(t.staff_id, sid)
    years = profile["years"]
    assert data.school_year_label(data.today()["school_year"]) in set(years["school year"])
    events = sql("select * from marts.fct_attendance_events where student_id = ?", [sid])
    assert years["absences"].sum() == events.is_absent.sum() and years["tardies"].sum() == events.is_tardy.sum()
    tests = sql("select count(*) as n from marts.fct_assessment_results where student_id = ?", [sid]).n.iloc[0]
    assert len(profile["assessments"]) == tests
    enrolled_years = {data.school_year_of(pd.Timestamp(d).date())
                      for d in sql("select entry_date from marts.fct_school_enrollments where student_id = ?", [sid]).entry_date}
    assert {data.school_year_label(y) for y in enrolled_years} <= set(years["school year"])


def test_notes_are_read_by_everyone_who_may_see_the_student_and_changed_only_by_their_author(people):
    from dashboards import notes

    t = viewer_of(people.teacher)
    sid = sorted(people.expected["teacher"])[1]
    readers = [r for r in ROLES if r != "expired" and sid in people.expected[r]]
    strangers = [r for r in ROLES if sid not in people.expected[r] and
                 data.student_access(viewer_of(getattr(people, r)).staff_id, sid) is None]
    assert len(readers) >= 2 and strangers
    body = "Met with family; **not bold** <b>not html</b>\n=1+1 stays text"
    note_id = notes.write(t.staff_id, sid, data.as_of_date(), "Family contact", body)
    for role in readers:
        got = notes.for_student(viewer_of(getattr(people, role)).staff_id, sid)
        mine = got[got.note_id == note_id]
        assert len(mine) == 1 and mine.body.iloc[0] == body.strip() and mine.author.iloc[0].endswith(str(people.teacher.last_name))
        assert bool(mine.is_mine.iloc[0]) == (role == "teacher")
    for role in strangers:
        stranger = viewer_of(getattr(people, role)).staff_id
        assert notes.for_student(stranger, sid) is None
        with pytest.raises(notes.NoteRefused):
            notes.write(stranger, sid, data.as_of_date(), "Meeting", "not mine to write")
        assert notes.history(stranger, note_id) is None
    other = viewer_of(getattr(people, next(r for r in readers if r != "teacher"))).staff_id
    with pytest.raises(notes.NoteRefused, match="Only the educator who wrote"):
        notes.edit(other, note_id, 1, data.as_of_date(), "Meeting", "rewritten by someone else")
    with pytest.raises(notes.NoteRefused, match="Only the educator who wrote"):
        notes.delete(other, note_id, 1)
    for bad in (dict(kind="Gossip"), dict(body="   "), dict(note_date=notes.latest_date() + dt.timedelta(days=2)),
                dict(body="x" * (notes.MAX_LENGTH + 1))):
        args = {"note_date": data.as_of_date(), "kind": "Meeting", "body": "fine", **bad}
        with pytest.raises(notes.NoteRefused):
            notes.write(t.staff_id, sid, **args)
    notes.edit(t.staff_id, note_id, 1, data.as_of_date(), "Meeting", "Met with family (edited)")
    with pytest.raises(notes.NoteRefused, match="changed since you opened it"):
        notes.edit(t.staff_id, note_id, 1, data.as_of_date(), "Meeting", "a stale second window")
    edited = notes.for_student(other, sid)
    assert edited[edited.note_id == note_id].body.iloc[0] == "Met with family (edited)"
    assert bool(edited[edited.note_id == note_id].is_edited.iloc[0])

    # On the profile: the note is plain text for every reader, and the author can write through the page.
    at = run_app(ident(getattr(people, next(r for r in readers if r != "teacher"))), page="student", query={"student": sid})
    assert "Met with family (edited)" in _texts(at)
    at = run_app(ident(people.teacher), page="student", query={"student": sid})
    at.text_area[0].input("Written through the page: **as typed**")  # in a form: sent by its button
    next(b for b in at.button if b.label == "Save note").click().run()
    assert not at.exception and at.success and "Note saved." in at.success[0].value
    assert "Written through the page: **as typed**" in [t.value for t in at.text]
    notes.delete(t.staff_id, note_id, 2)
    assert note_id not in set(notes.for_student(t.staff_id, sid).note_id)
    history = notes.history(other, note_id)
    assert list(history.revision) == [1, 2, 3] and list(history.is_deleted) == [0, 0, 1]
    assert set(history.staff_id) == {t.staff_id}
    log = audit.recent()
    assert {"note_written", "note_edited", "note_deleted"} <= set(log[log.staff_id == t.staff_id].event)


def test_labels_are_words_not_column_names(people):
    at = run_app(ident(people.admin), page="overview")
    assert at.title[0].value == "Enrollment"
    for page in ("overview", "attendance", "assessments", "attention"):
        at.switch_page(f"views/{page}.py").run()
        columns = {c for e in at.dataframe for c in e.value.columns}
        assert not {c for c in columns if "_" in c or c in ("p25", "p75", "ell", "iep", "free reduced")}, (page, columns)
        text = page_text(at)
        assert "not_eligible" not in text and "4plus" not in text
        for b in at.get("download_button"):
            assert " (1 rows)" not in b.proto.label


@pytest.mark.parametrize("subject", ["Reading", "Math"])
def test_star_growth_is_each_students_latest_test_of_each_window_worked_out_by_hand(people, subject, tmp_path,
                                                                                   monkeypatch):
    """The growth table's numbers (the engine computes them) against the same rule applied here to
    the viewer's STAR rows: latest test per student, grade and window; median percentile; median
    change of the students tested in the window before."""
    admin = viewer_of(people.admin)
    since = data.school_year_start()
    # The district is 60 days into its year (fall only): a copy of its warehouse gets winter and
    # spring tests for some students, two of them in winter for some, so every rule is exercised.
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(os.environ["SCHOOLHOUSE_DUCKDB_PATH"], copy)
    monkeypatch.setenv("SCHOOLHOUSE_DUCKDB_PATH", str(copy))
    st.cache_data.clear()
    later = [("w1", since.replace(year=since.year + 1, month=1, day=12), "(percentile * 7) % 99 + 1", 5),
             ("w2", since.replace(year=since.year + 1, month=2, day=23), "(percentile * 3) % 99 + 1", 3),
             ("s1", since.replace(year=since.year + 1, month=4, day=20), "(percentile * 5 + 11) % 99 + 1", 2)]
    with duckdb.connect(str(copy)) as con:
        for tag, day, percentile, every in later:
            con.execute(f"insert into marts.fct_assessment_results select * replace (result_id || '-{tag}' as result_id, "
                        f"? as test_date, {percentile} as percentile) from marts.fct_assessment_results "
                        f"where source_system = 'star' and subject = ? and percentile is not null "
                        f"and hash(student_id) % {every} = 0 "
                        f"qualify row_number() over (partition by student_id order by test_date desc, result_id) = 1",
                        [day, subject])
    tests = sql("select r.student_id, m.grade_level as grade, r.test_date, r.percentile "
                "from marts.fct_assessment_results as r inner join marts.metrics_students as m on m.student_id = r.student_id "
                "where r.source_system = 'star' and r.subject = ? and r.test_date >= ? and r.percentile is not null "
                "and m.grade_level is not null", [subject, since])
    tests = tests[tests.student_id.isin(people.expected["admin"])]
    window = {**dict.fromkeys((7, 8, 9, 10, 11), "fall"), **dict.fromkeys((12, 1, 2), "winter")}
    by_key: dict[tuple, list] = {}
    for row in tests.itertuples():
        day = pd.Timestamp(row.test_date)
        by_key.setdefault((row.student_id, row.grade, window.get(day.month, "spring")), []).append((day, float(row.percentile)))
    last_day = {k: max(d for d, _ in v) for k, v in by_key.items()}
    # Two different percentiles on a student's last day of a window would leave "latest" undecided.
    assert all(len({p for d, p in v if d == last_day[k]}) == 1 for k, v in by_key.items())
    latest = {k: next(p for d, p in v if d == last_day[k]) for k, v in by_key.items()}
    scores, changes = {}, {}
    for (student, grade, w), p in latest.items():
        scores.setdefault((grade, w), []).append(p)
        before = {"winter": "fall", "spring": "winter"}.get(w)
        if before and (student, grade, before) in latest:
            changes.setdefault((grade, w), []).append(p - latest[(student, grade, before)])
    assert len(scores) >= 4 and changes  # the district has a year of windows, or this checks nothing

    got = data.star_growth_numbers(admin.staff_id, Filters(), subject, since)
    windows = [w for w in data.WINDOWS if any(k[1] == w for k in scores)]
    grades = sorted({g for g, _ in scores}, key=data.grade_key)
    assert list(zip(got.grade, got.window)) == [(g, w) for g in grades for w in windows]
    for row in got.itertuples():
        mine, moved = scores.get((row.grade, row.window), []), changes.get((row.grade, row.window), [])
        assert row.students == len(mine) and row.matched_students == len(moved), (row.grade, row.window)
        assert row.median_percentile == pytest.approx(pd.Series(mine, dtype=float).median(), nan_ok=True)
        assert row.median_change == pytest.approx(pd.Series(moved, dtype=float).median(), nan_ok=True)


# --- PostgreSQL -----------------------------------------------------------------------------------

def test_postgres_same_access_and_pages(people, pg_env, monkeypatch):
    t, admin = people.teacher, people.admin
    expected = {role: data.attendance_summary(viewer_of(p).staff_id, Filters()).to_dict("records")
                for role, p in (("teacher", t), ("admin", admin))}
    lattice_duck = data.student_lattice(viewer_of(admin).staff_id)
    since = data.school_year_start()
    growth_duck = data.star_growth_numbers(viewer_of(admin).staff_id, Filters(), "Reading", since)
    with suppression.disabled():
        state_duck = data.state_tests.__wrapped__(viewer_of(admin).staff_id, Filters(), "Math")
    for key, value in pg_env.items():
        monkeypatch.setenv(key, value)
    st.cache_data.clear()
    assert db.describe_target().startswith("PostgreSQL")
    got = db.query("select staff_id, student_id from marts.access_viewer_students")
    assert got.groupby("staff_id")["student_id"].apply(set).to_dict() == people.sets
    _assert_sizes_count_the_pairs(db.query)
    lattice_pg = data.student_lattice(viewer_of(admin).staff_id)
    pd.testing.assert_frame_equal(data.star_growth_numbers(viewer_of(admin).staff_id, Filters(), "Reading", since),
                                  growth_duck)
    with suppression.disabled():
        state_pg = data.state_tests.__wrapped__(viewer_of(admin).staff_id, Filters(), "Math")
    for part in ("levels", "scores"):
        pd.testing.assert_frame_equal(state_pg[part], state_duck[part], check_dtype=False)
    assert lattice_pg.categories == lattice_duck.categories
    for m in lattice_duck.values:
        assert (lattice_pg.values[m] == lattice_duck.values[m]).all() and (lattice_pg.kinds[m] == lattice_duck.kinds[m]).all(), m
    for role, p in (("teacher", t), ("admin", admin)):
        v = viewer_of(p)
        assert data.attendance_summary(v.staff_id, Filters()).to_dict("records")[0] == pytest.approx(expected[role][0], nan_ok=True)
        at = run_app(ident(p))
        for page in PAGES:
            if page == "data_health" and not v.can_see_data_health:
                continue
            at.switch_page(f"views/{page}.py").run()
            assert not at.exception, (role, page, [e.message for e in at.exception])
    at = run_app(ident(t), page="student", query={"student": people.foreign_student.student_id})
    assert at.error and people.foreign_student.last_name not in page_text(at)
    # Every role's students are the same as on DuckDB, and the whole suppression lattice agrees.
    for role in ROLES:
        staff_id = viewer_of(getattr(people, role)).staff_id
        assert set(data.student_search(staff_id, "", Filters(), 10**6)["student_id"]) == people.expected[role], role
    # The access log lives in schema app of the same database.
    sid = sorted(people.expected["teacher"])[0]
    run_app(ident(t), page="student", query={"student": sid})
    log = audit.recent()
    assert ((log.event == "profile_opened") & (log.student_id == sid) & (log.staff_id == t.staff_id)).any()
    assert db.table_exists("app", "access_log")
