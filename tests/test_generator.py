"""Tests of the synthetic district generator (loaders/generator): determinism, layouts, truth.json, day-to-day changes."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import sqlite3
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import pytest

from generator import generate, is_active_status, pick_winner
from generator.core import (ASM_COLS, ATT_COLS, BEH_COLS, COURSE_COLS, EDUCATOR_COLS, ESA_COLS, ORG_COLS, SSA_COLS,
                                    STAR_V2_COLS, STUDENT_COLS)

ASPEN = {
    "students_export.txt": STUDENT_COLS, "educators_export.txt": EDUCATOR_COLS, "courses_sections_export.txt": COURSE_COLS,
    "student_section_assignment_export.txt": SSA_COLS, "educator_section_assignment_export.txt": ESA_COLS,
    "attendance_export.txt": ATT_COLS, "behavior_export.txt": BEH_COLS, "assessment_export.txt": ASM_COLS,
}
ALL_FILES = set(ASPEN) | {"star_reading.zip", "star_math.zip", "orgs.csv", "powerschool.sqlite", "district_manifest.json", "truth.json"}


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("clean")
    generate(out, students=300, seed=5, day=60)
    return out


@pytest.fixture(scope="module")
def dirty(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dirty")
    generate(out, students=600, seed=5, day=60, dirty=True)
    return out


def _digests(d: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(d.iterdir())}


def _records(data: bytes, encoding: str) -> list[list[str]]:
    """Parse like the loader: MySQL backslash escapes understood, one list per CSV record."""
    return list(csv.reader(io.StringIO(data.decode(encoding), newline=""), escapechar="\\"))


def _file_bytes(d: Path, key: str) -> bytes:
    if ":" in key:
        zname, member = key.split(":")
        with zipfile.ZipFile(d / zname) as z:
            return z.read(member)
    return (d / key).read_bytes()


def _norm(h: str) -> str:
    return h.strip().strip("'").strip()


def test_deterministic(tmp_path):
    for dirty_mode in (False, True):
        a, b = tmp_path / f"a{dirty_mode}", tmp_path / f"b{dirty_mode}"
        ma = generate(a, students=300, seed=9, day=45, dirty=dirty_mode)
        mb = generate(b, students=300, seed=9, day=45, dirty=dirty_mode)
        assert ma == mb
        assert _digests(a) == _digests(b)
    assert _digests(tmp_path / "aFalse") != _digests(tmp_path / "aTrue")


def test_every_file_with_exact_headers(clean):
    assert {p.name for p in clean.iterdir()} == ALL_FILES
    for name, cols in ASPEN.items():
        raw = (clean / name).read_bytes()
        assert raw.startswith(b'"') and b"\r\n" in raw and raw.endswith(b"\r\n")
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))
        assert tuple(rows[0]) == cols, name
        assert all(len(r) == len(cols) for r in rows[1:]), name
        assert len(rows) > 1, name
        assert all(line.startswith('"') for line in raw.decode("utf-8").split("\r\n") if line), name
    with zipfile.ZipFile(clean / "star_reading.zip") as z:
        assert z.namelist() == ["SR_v2.csv"]
        assert tuple(next(csv.reader(io.StringIO(z.read("SR_v2.csv").decode())))) == STAR_V2_COLS
    with zipfile.ZipFile(clean / "star_math.zip") as z:
        assert z.namelist() == ["SM_v2.csv"]
    with open(clean / "orgs.csv", newline="", encoding="utf-8") as f:
        assert tuple(next(csv.reader(f))) == ORG_COLS


def test_clean_values(clean):
    truth = json.loads((clean / "truth.json").read_text())
    assert all(not f["rejected"] for f in truth["files"].values())
    with open(clean / "students_export.txt", newline="", encoding="utf-8") as f:
        students = list(csv.DictReader(f))
    grades = {r["grade"] for r in students}
    assert grades <= {"PK", "KF"} | {f"{g:02d}" for g in range(1, 13)}
    assert {"PK", "KF", "01", "09", "12"} <= grades
    assert all(r["full_name"].count(",") == 1 for r in students)
    assert all(r["primary_email"].endswith("@students.example-district.org") for r in students)
    assert {r["free_reduced_lunch"] for r in students} <= {"Free Lunch", "Reduced Lunch", "Not Eligible"}
    ids = [r["local_id"] for r in students]
    assert len(ids) == len(set(ids)) == truth["students"]["distinct_ids"]
    for r in students:  # date of birth consistent with grade
        g = -1 if r["grade"] == "PK" else 0 if r["grade"] == "KF" else int(r["grade"])
        age = 2026 - date.fromisoformat(r["date_of_birth"]).year
        assert g + 3 <= age <= g + 7
    with zipfile.ZipFile(clean / "star_reading.zip") as z:
        star = list(csv.DictReader(io.StringIO(z.read("SR_v2.csv").decode())))
    assert star and all(1 <= int(r["PercentileRank"]) <= 99 for r in star)
    assert set(r["StudentIdentifier"] for r in star) <= set(ids)


def test_org_hierarchy_and_school_ids(clean, tmp_path):
    big = tmp_path / "big"
    generate(big, students=15000, seed=3, day=1)
    for d in (clean, big):
        with open(d / "orgs.csv", newline="", encoding="utf-8") as f:
            orgs = list(csv.DictReader(f))
        by_id = {o["org_id"]: o for o in orgs}
        assert len(by_id) == len(orgs)
        types = [o["org_type"] for o in orgs]
        assert types.count("state") == 1 and types.count("district") == 1 and types.count("department") >= 2
        for o in orgs:
            if o["org_type"] != "state":
                assert o["parent_org_id"] in by_id
            if o["org_type"] == "school":
                assert len(o["stmath_iid"]) <= 8 and len(o["nces_id"]) == 12
                assert by_id[o["parent_org_id"]]["org_type"] in ("district", "region")
        schools = {o["org_id"] for o in orgs if o["org_type"] == "school"}
        for name in ("students_export.txt", "courses_sections_export.txt", "attendance_export.txt"):
            with open(d / name, newline="", encoding="utf-8") as f:
                assert {r["school_local_id"] for r in csv.DictReader(f)} <= schools
    assert "region" in types  # the 15,000-student district has > 20 schools
    spans = {(o["low_grade"], o["high_grade"]) for o in orgs if o["org_type"] == "school"}
    assert spans == {("PK", "05"), ("06", "08"), ("09", "12")}


def test_several_districts_under_one_state(clean, tmp_path):
    """--districts N: the schools shared out over N districts under the state, each with its own
    central and special-education offices and staff, the first with a region; one district is the
    default and its files do not change."""
    out = tmp_path / "three"
    manifest = generate(out, students=1500, seed=5, day=60, districts=3)
    with open(out / "orgs.csv", newline="", encoding="utf-8") as f:
        orgs = {o["org_id"]: o for o in csv.DictReader(f)}

    def district_of(org: str) -> str:
        while orgs[org]["org_type"] != "district":
            org = orgs[org]["parent_org_id"]
        return org

    districts = [o for o in orgs.values() if o["org_type"] == "district"]
    assert len(districts) == 3 and {d["parent_org_id"] for d in districts} == {"MA"}
    assert [d["org_id"] for d in manifest["districts"]] == sorted(d["org_id"] for d in districts)
    schools = [o for o in orgs.values() if o["org_type"] == "school"]
    assert {district_of(s["org_id"]) for s in schools} == {d["org_id"] for d in districts}
    region = next(o for o in orgs.values() if o["org_type"] == "region")
    assert region["parent_org_id"] == manifest["districts"][0]["org_id"]
    offices = {o["org_id"]: district_of(o["org_id"]) for o in orgs.values() if o["org_type"] == "department"}
    assert set(offices.values()) == {d["org_id"] for d in districts} and len(offices) == 6
    with open(out / "educators_export.txt", newline="", encoding="utf-8") as f:
        staff_orgs = {r["school_local_id"] for r in csv.DictReader(f)}
    assert {d["central_office"] for d in manifest["districts"]} <= staff_orgs
    one = tmp_path / "one"
    generate(one, students=300, seed=5, day=60, districts=1)
    assert {k: v for k, v in _digests(one).items() if k != "district_manifest.json"} == \
        {k: v for k, v in _digests(clean).items() if k != "district_manifest.json"}


def test_dirty_truth_matches_files(dirty):
    truth = json.loads((dirty / "truth.json").read_text(encoding="utf-8"))
    assert truth["files"]["students_export.txt"]["encoding"] == "cp1252"
    assert truth["files"]["behavior_export.txt"]["encoding"] == "utf-8-sig"
    assert "star_math.zip:SM_v1.csv" in truth["files"]
    parsed = {}
    for key, ft in truth["files"].items():
        data = _file_bytes(dirty, key)
        if ft["encoding"] == "utf-8-sig":
            assert data.startswith(b"\xef\xbb\xbf")
        recs = _records(data, ft["encoding"])
        header = [_norm(h) for h in recs[0]]
        assert len(recs) - 1 == ft["data_records"], key
        rejected = {r["record"]: r["reason"] for r in ft["rejected"]}
        assert [r["record"] for r in ft["rejected"]] == sorted(rejected)
        assert ft["loaded_records"] == ft["data_records"] - len(rejected)
        keys = [header.index(k) for k in truth["keys"][key]]
        loaded = []
        for n, rec in enumerate(recs[1:], start=2):
            bad_count = len(rec) != len(header)
            missing = not bad_count and any(rec[i].strip() in ("", "NULL") for i in keys)
            expect = "field_count" if bad_count else "missing_key" if missing else None
            assert rejected.get(n) == expect, (key, n, rec)
            if expect is None:
                loaded.append((n, dict(zip(header, rec))))
        if key != "orgs.csv":
            assert {"field_count", "missing_key"} <= set(rejected.values()), key
        parsed[key] = loaded
    # single-quoted headers, whitespace headers, shuffled attendance columns, email column
    raw_asm = (dirty / "assessment_export.txt").read_bytes()
    assert raw_asm.startswith(b"'state_id'")
    assert b'" event_date"' in (dirty / "behavior_export.txt").read_bytes()
    assert [_norm(h) for h in _records((dirty / "attendance_export.txt").read_bytes(), "utf-8")[0]] != list(ATT_COLS)
    assert b'"email"' in (dirty / "educators_export.txt").read_bytes()
    raw_students = (dirty / "students_export.txt").read_bytes()
    assert b"\x92" in raw_students or b"\xe9" in raw_students  # Windows-1252 bytes
    assert b"NULL" in raw_students and b"Not Eligibile" in raw_students
    assert b'\\"' in (dirty / "behavior_export.txt").read_bytes() + (dirty / "attendance_export.txt").read_bytes()
    assert b"\\\n" in (dirty / "behavior_export.txt").read_bytes() + (dirty / "attendance_export.txt").read_bytes()

    # students: distinct ids, active ids, conflicts by the shared winner rule
    def d(s: str):
        try:
            m, dd, y = s.split("/")
            return date(int(y), int(m), int(dd))
        except ValueError:
            return None
    by_id: dict[str, list] = {}
    for n, r in parsed["students_export.txt"]:
        by_id.setdefault(r["local_id"].strip(), []).append((n, r["enrollment_status"], d(r["registration_date"]), r))
    ts = truth["students"]
    assert ts["distinct_ids"] == len(by_id)
    winners = {lid: rows[pick_winner([x[:3] for x in rows])] for lid, rows in by_id.items()}
    assert ts["active_ids"] == sum(is_active_status(w[1]) for w in winners.values())
    conflicts = {lid for lid, rows in by_id.items() if len(rows) > 1}
    assert set(ts["conflicts"]) == conflicts and conflicts
    for lid, c in ts["conflicts"].items():
        w = winners[lid]
        assert (c["winner_record"], c["enrollment_status"], c["grade"], c["school_local_id"]) == (w[0], w[1], w[3]["grade"], w[3]["school_local_id"])
    assert ts["bad_birth_dates"] and all(d(winners[i][3]["date_of_birth"]) is None for i in ts["bad_birth_dates"])
    assert ts["names"] and len(ts["names"]) <= 200
    for lid, nm in ts["names"].items():
        full = winners[lid][3]["full_name"]
        expect = f"{nm['last_name']}, {nm['first_name']}" + (f" {nm['middle_name']}" if nm["middle_name"] else "")
        assert full == expect
    statuses = {w[1] for w in winners.values()}
    assert any(s.startswith("Withdrawal-") for s in statuses) or "Withdrawn" in statuses
    raw_grades = {r["grade"] for _, r in parsed["students_export.txt"]}
    assert {"K", "KF"} <= raw_grades and any(len(g) == 1 and g.isdigit() for g in raw_grades)

    # attendance counts
    first = date.fromisoformat(json.loads((dirty / "district_manifest.json").read_text())["first_school_day"])
    as_of = date.fromisoformat(truth["as_of_date"])
    rows = parsed["attendance_export.txt"]
    at = truth["attendance"]
    assert at["rows_loaded"] == len(rows) == truth["files"]["attendance_export.txt"]["loaded_records"]
    unknown = bad = 0
    events = set()
    for _, r in rows:
        lid = r["local_id"].strip()
        if lid not in by_id:
            unknown += 1
            continue
        dt = d(r["event_date"])
        if dt is None or dt > as_of or dt < date(first.year - 1, first.month, first.day):
            bad += 1
            continue
        events.add((lid, dt))
    assert (at["unknown_student_rows"], at["bad_date_rows"], at["events"]) == (unknown, bad, len(events))
    assert unknown and bad and len(events) < len(rows) - unknown - bad  # duplicates present
    assert {r["absence"] for _, r in rows} >= {"0", "1", "true", "false"}

    # STAR
    star_rows = parsed["star_reading.zip:SR_v2.csv"] + parsed["star_math.zip:SM_v1.csv"]
    valid = sum(1 for _, r in star_rows if r["PercentileRank"].isdigit() and 1 <= int(r["PercentileRank"]) <= 99)
    assert truth["star"] == {"invalid_percentile_rows": len(star_rows) - valid, "valid_results": valid}
    assert truth["star"]["invalid_percentile_rows"] > 0


def _read(d: Path, name: str) -> list[dict]:
    with open(d / name, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_consecutive_days(tmp_path):
    a, b = tmp_path / "d70", tmp_path / "d71"
    ma = generate(a, students=2000, seed=21, day=70)
    mb = generate(b, students=2000, seed=21, day=71)
    assert mb["school_days"][:-1] == ma["school_days"]
    new_day = mb["as_of_date"]
    att_a = {tuple(r.values()) for r in _read(a, "attendance_export.txt")}
    att_b = [tuple(r.values()) for r in _read(b, "attendance_export.txt")]
    on_new = [r for r in att_b if r[8] == new_day]
    assert on_new and not any(r[8] == new_day for r in att_a)
    old_b = {r for r in att_b if r[8] != new_day}
    # the same history except a few corrections and deletions upstream
    assert 0 < len(att_a ^ old_b) < 0.02 * len(att_a)
    stu_a = {r["local_id"]: r for r in _read(a, "students_export.txt")}
    stu_b = {r["local_id"]: r for r in _read(b, "students_export.txt")}
    changed = set(stu_a) ^ set(stu_b) | {k for k in stu_a.keys() & stu_b.keys() if stu_a[k] != stu_b[k]}
    assert changed and len(changed) < 40
    ssa_a = {tuple(r.values()) for r in _read(a, "student_section_assignment_export.txt")}
    ssa_b = {tuple(r.values()) for r in _read(b, "student_section_assignment_export.txt")}
    assert ssa_a != ssa_b and len(ssa_a ^ ssa_b) < 0.02 * len(ssa_a)
    assert (a / "courses_sections_export.txt").read_bytes() == (b / "courses_sections_export.txt").read_bytes()


def test_powerschool_is_the_same_district(clean):
    con = sqlite3.connect(clean / "powerschool.sqlite")
    ps = {r[0]: r for r in con.execute("select student_number, schoolid, enroll_status, grade_level from students")}
    aspen = _read(clean, "students_export.txt")
    for r in aspen:
        num, school, status, grade = ps[r["local_id"]]
        assert str(school) == r["school_local_id"]
        assert (status == 0) == (r["enrollment_status"] == "Active")
    assert {r[0] for r in con.execute("select distinct enroll_status from students")} <= {0, 2, 3, -1}
    assert con.execute("select count(*) from cc where sectionid < 0").fetchone()[0] >= 0
    assert con.execute("select count(*) from sections s left join teachers t on t.id = s.teacher where t.id is null").fetchone()[0] == 0
    for t in ("schools", "teachers", "users", "courses", "sections", "terms", "cc"):
        assert con.execute(f"select count(*) from {t}").fetchone()[0] > 0, t


def test_chronic_absence_share(tmp_path):
    m = generate(tmp_path, students=2000, seed=4, day=90)
    days = m["school_days"]
    absences: dict[str, int] = {}
    for r in _read(tmp_path, "attendance_export.txt"):
        if r["absence"] == "1":
            absences[r["local_id"]] = absences.get(r["local_id"], 0) + 1
    con = sqlite3.connect(tmp_path / "powerschool.sqlite")
    n = chronic = 0
    for sn, entry, exitd in con.execute("select student_number, entrydate, exitdate from students where enroll_status = 0"):
        enrolled = sum(1 for x in days if entry <= x < exitd)
        if enrolled >= 10:
            n += 1
            chronic += absences.get(sn, 0) >= 0.1 * enrolled
    assert 0.10 <= chronic / n <= 0.20


def test_memory_stays_flat(tmp_path):
    # VmHWM, not ru_maxrss: Linux keeps ru_maxrss across exec, so a child forked from a large
    # pytest process would report the parent's peak; VmHWM belongs to the child's own address space.
    code = ("import sys; from generator import generate; "
            "generate(sys.argv[1], students=20000, seed=2, day=120); "
            "print([l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')][0])")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[1])
    peak_mb = int(out.stdout.strip()) / 1024
    assert peak_mb < 250, peak_mb


def test_day_out_of_range(tmp_path):
    with pytest.raises(ValueError):
        generate(tmp_path, students=100, seed=1, day=181)
    with pytest.raises(ValueError):
        generate(tmp_path, students=100, seed=1, day=0)
