"""Vendor exports end to end: a dirty generated district (with last year's sections, a terminated
teacher and a withdrawn student still on rosters) through the nightly job, every file of every
vendor checked against the spec (written out here, independently of the dbt YAML), on DuckDB and
PostgreSQL; the shrink guard; SFTP pushes, including one interrupted midway."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
import yaml

from exports.push import export_vendor
from generator import generate
from schoolhouse.cli import main
from schoolhouse.dbt_runner import target_dir
from schoolhouse.nightly import run_nightly
from schoolhouse.settings import load_settings
from schoolhouse.warehouse import Warehouse
from tests import vendor_conformance

VENDORS = ("sds-v2.1", "sds-v1", "stmath", "oneroster-1.1", "clever")
EMAIL_DOMAIN = "example-district.org"
STUDENT_DOMAIN = "students.example-district.org"

# -- the vendors' published formats, written out by hand --------------------------------

SDS_ROLES = {"student", "teacher", "principal", "administrator", "staff", "teacherAssistant", "advisor", "nurse",
             "officeStaff", "itAdmin", "paraprofessional", "specialServices", "substitute", "coach", "proctor",
             "faculty", "assistant", "instructor", "chair", "professor", "lecturer", "researcher", "adjunct",
             "affiliate", "occupationalTherapist", "physicalTherapist", "speechTherapist", "visionTherapist",
             "alumni", "other"}
SDS_ORG_TYPES = {"school", "district", "department", "region", "state", "local", "national", "program", "campus",
                 "college", "university", "ministryOfEducation", "localAuthority", "division", "province",
                 "municipality", "adultEducation", "researchCenter", "departmentOfEducation", "academicTrust"}
SDS_GRADES = {"IT", "PR", "PK", "TK", "KG", *(f"{i:02d}" for i in range(1, 13)), "PS", "PS1", "PS2", "PS3", "PS4",
              "undergraduate", "graduate", "postgraduate", "alumni", "adultEducation", "UG", "Other"}
OR_GRADES = {"IT", "PR", "PK", "TK", "KG", *(f"{i:02d}" for i in range(1, 14)), "PS", "UG", "Other"}
RACES = ["americanIndianOrAlaskaNative", "asian", "blackOrAfricanAmerican", "nativeHawaiianOrOtherPacificIslander",
         "white", "demographicRaceTwoOrMoreRaces"]
# Clever's grade values as its API and SDK spell them (another district tool's tests map exactly these).
CLEVER_GRADES = {"InfantToddler", "Preschool", "PreKindergarten", "TransitionalKindergarten", "Kindergarten",
                 *(str(i) for i in range(1, 14)), "PostGraduate", "Ungraded", "Other"}
BOOL = {"true", "false"}


def cols(spec: str) -> tuple[list[str], set[str]]:
    """'a*, b, c*' → (columns in order, required columns)."""
    names = [c.strip() for c in spec.split(",")]
    return [n.rstrip("*") for n in names], {n.rstrip("*") for n in names if n.endswith("*")}


SPEC: dict[str, dict[str, tuple[list[str], set[str]]]] = {
    "sds-v2.1": {
        "orgs.csv": cols("sourcedId*, name*, type*, parentSourcedId"),
        "users.csv": cols("sourcedId*, username*, givenName*, familyName*, password, activeDirectoryMatchId, email, phone, sms"),
        "roles.csv": cols("userSourcedId*, orgSourcedId*, role*, sessionSourcedId, grade, isPrimary, roleStartDate, roleEndDate"),
        "classes.csv": cols("sourcedId*, orgSourcedId*, title*, sessionSourcedIds, courseSourcedId"),
        "enrollments.csv": cols("classSourcedId*, userSourcedId*, role*"),
        "academicSessions.csv": cols("sourcedId*, title*, type*, schoolYear*, startDate*, endDate*"),
        "courses.csv": cols("sourcedId*, orgSourcedId*, title*, code, schoolYearSourcedId, subject, grade"),
        "demographics.csv": cols("userSourcedId*, sex, birthDate, birthCity, birthState, birthCountry, ethnicityCodes, raceCodes"),
        "userFlags.csv": cols("userSourcedId*, flag*"),
    },
    "sds-v1": {
        "School.csv": cols("SIS ID*, Name*, School Number, School NCES_ID, State ID, Grade Low, Grade High, Principal SIS ID, "
                           "Principal Name, Principal Secondary Email, Address, City, State, Country, Zip, Phone, Zone"),
        "Section.csv": cols("SIS ID*, School SIS ID*, Section Name*, Section Number, Term SIS ID, Term Name, Term StartDate, "
                            "Term EndDate, Course SIS ID, Course Name, Course Number, Course Description, Course Subject, Periods, Status"),
        "Student.csv": cols("SIS ID*, School SIS ID*, First Name, Last Name, Username*, Password, State ID, Secondary Email, "
                            "Student Number, Middle Name, Grade, Status, Birthdate, Graduation Year"),
        "Teacher.csv": cols("SIS ID*, School SIS ID*, First Name, Last Name, Username*, Password, State ID, Teacher Number, "
                            "Status, Middle Name, Secondary Email, Title, Qualification"),
        "StudentEnrollment.csv": cols("Section SIS ID*, SIS ID*"),
        "TeacherRoster.csv": cols("Section SIS ID*, SIS ID*"),
    },
    "stmath": {
        # student_password: required by ST Math (at least 6 characters), from student_password_policy.
        "students.csv": cols("iid*, district_school_id, school, district_teacher_id*, teacher_email*, teacher_last_name*, "
                             "teacher_first_name*, grade*, period, curriculum, student_id*, new_student_id, student_last_name*, "
                             "student_first_name*, student_username*, student_password*, permanent_login*, birth_date, action"),
        "teachers.csv": cols("iid*, district_school_id, school, district_teacher_id*, email*, last_name*, first_name*, "
                             "position*, access_level*"),
    },
    "oneroster-1.1": {
        "manifest.csv": cols("propertyName*, value*"),
        "orgs.csv": cols("sourcedId*, status, dateLastModified, name*, type*, identifier, parentSourcedId"),
        "users.csv": cols("sourcedId*, status, dateLastModified, enabledUser*, orgSourcedIds*, role*, username*, userIds, "
                          "givenName*, familyName*, middleName, identifier, email, sms, phone, agentSourcedIds, grades, password"),
        "courses.csv": cols("sourcedId*, status, dateLastModified, schoolYearSourcedId, title*, courseCode, grades, orgSourcedId*, "
                            "subjects, subjectCodes"),
        "classes.csv": cols("sourcedId*, status, dateLastModified, title*, grades, courseSourcedId*, classCode, classType*, "
                            "location, schoolSourcedId*, termSourcedIds*, subjects, subjectCodes, periods"),
        "enrollments.csv": cols("sourcedId*, status, dateLastModified, classSourcedId*, schoolSourcedId*, userSourcedId*, role*, "
                                "primary, beginDate, endDate"),
        "academicSessions.csv": cols("sourcedId*, status, dateLastModified, title*, type*, startDate*, endDate*, parentSourcedId, "
                                     "schoolYear*"),
        "demographics.csv": cols("sourcedId*, status, dateLastModified, birthDate, sex, " + ", ".join(RACES) +
                                 ", hispanicOrLatinoEthnicity, countryOfBirthCode, stateOfBirthAbbreviation, cityOfBirth, "
                                 "publicSchoolResidenceStatus"),
    },
    "clever": {
        "schools.csv": cols("School_id*, School_name*, School_number*, State_id, Low_grade, High_grade, Principal, "
                            "Principal_email, School_address, School_city, School_state, School_zip, School_phone"),
        "students.csv": cols("School_id*, Student_id*, Student_number, State_id, Last_name*, Middle_name, First_name*, Grade, "
                             "Gender, Graduation_year, DOB, Race, Hispanic_Latino, Home_language, Ell_status, Frl_status, "
                             "IEP_status, Student_email, Username, Password"),
        "teachers.csv": cols("School_id*, Teacher_id*, Teacher_number, State_teacher_id, Teacher_email, First_name*, "
                             "Middle_name, Last_name*, Title, Username, Password"),
        "sections.csv": cols("School_id*, Section_id*, Teacher_id*, " + ", ".join(f"Teacher_{i}_id" for i in range(2, 11)) +
                             ", Name, Section_number, Grade, Course_name, Course_number, Course_description, Period, Subject, "
                             "Term_name, Term_start, Term_end"),
        "enrollments.csv": cols("School_id*, Section_id*, Student_id*"),
        "staff.csv": cols("School_id*, Staff_id*, Staff_email, First_name, Last_name, Department, Title, Username, Password, Role"),
    },
}

ENUMS: dict[tuple[str, str], dict[str, set[str]]] = {
    ("sds-v2.1", "orgs.csv"): {"type": SDS_ORG_TYPES},
    ("sds-v2.1", "roles.csv"): {"role": SDS_ROLES, "grade": SDS_GRADES, "isPrimary": BOOL},
    ("sds-v2.1", "enrollments.csv"): {"role": {"student", "teacher"}},
    ("sds-v2.1", "academicSessions.csv"): {"type": {"schoolYear", "semester", "term", "gradingPeriod", "quarter"}},
    ("sds-v2.1", "courses.csv"): {"grade": SDS_GRADES},
    ("sds-v2.1", "demographics.csv"): {"sex": {"male", "female", "notSelected"}, "ethnicityCodes": {"hispanicOrLatinoEthnicity"},
                                       "raceCodes": set(RACES)},
    ("sds-v2.1", "userFlags.csv"): {"flag": {"iep", "freeLunch", "504", "reducedLunch", "homeless", "giftedOrTalented",
                                             "englishLanguageLearner"}},
    ("sds-v1", "Student.csv"): {"Grade": SDS_GRADES},
    ("sds-v1", "School.csv"): {"Grade Low": SDS_GRADES, "Grade High": SDS_GRADES},
    ("stmath", "students.csv"): {"grade": {"pk", "tk", "k", *(str(i) for i in range(1, 13))}, "permanent_login": BOOL},
    ("oneroster-1.1", "orgs.csv"): {"type": {"department", "school", "district", "local", "state", "national"}},
    ("oneroster-1.1", "users.csv"): {"role": {"administrator", "aide", "guardian", "parent", "proctor", "relative", "student",
                                              "teacher"}, "grades": OR_GRADES, "enabledUser": BOOL},
    ("oneroster-1.1", "enrollments.csv"): {"role": {"administrator", "proctor", "student", "teacher"}, "primary": BOOL},
    ("oneroster-1.1", "classes.csv"): {"classType": {"homeroom", "scheduled"}},
    ("oneroster-1.1", "academicSessions.csv"): {"type": {"gradingPeriod", "semester", "schoolYear", "term"}},
    ("oneroster-1.1", "demographics.csv"): {"sex": {"male", "female"}, "hispanicOrLatinoEthnicity": BOOL,
                                            **{r: BOOL for r in RACES}},
    ("clever", "students.csv"): {"Grade": CLEVER_GRADES, "Gender": {"M", "F", "X"}},
    ("clever", "schools.csv"): {"Low_grade": CLEVER_GRADES, "High_grade": CLEVER_GRADES},
}

DATES = {
    "sds-v2.1": {"roles.csv": ["roleStartDate", "roleEndDate"], "academicSessions.csv": ["startDate", "endDate"],
                 "demographics.csv": ["birthDate"]},
    "sds-v1": {"Section.csv": ["Term StartDate", "Term EndDate"], "Student.csv": ["Birthdate"]},
    "stmath": {"students.csv": ["birth_date"]},
    "oneroster-1.1": {"academicSessions.csv": ["startDate", "endDate"], "demographics.csv": ["birthDate"],
                      "enrollments.csv": ["beginDate", "endDate"]},
    "clever": {"students.csv": ["DOB"], "sections.csv": ["Term_start", "Term_end"]},
}

# (file, column) → (file, column) it must resolve to, inside the same vendor's file set
REFS = {
    "sds-v2.1": [("orgs.csv", "parentSourcedId", "orgs.csv", "sourcedId"),
                 ("roles.csv", "userSourcedId", "users.csv", "sourcedId"),
                 ("roles.csv", "orgSourcedId", "orgs.csv", "sourcedId"),
                 ("roles.csv", "sessionSourcedId", "academicSessions.csv", "sourcedId"),
                 ("classes.csv", "orgSourcedId", "orgs.csv", "sourcedId"),
                 ("classes.csv", "sessionSourcedIds", "academicSessions.csv", "sourcedId"),
                 ("classes.csv", "courseSourcedId", "courses.csv", "sourcedId"),
                 ("enrollments.csv", "classSourcedId", "classes.csv", "sourcedId"),
                 ("enrollments.csv", "userSourcedId", "users.csv", "sourcedId"),
                 ("courses.csv", "orgSourcedId", "orgs.csv", "sourcedId"),
                 ("courses.csv", "schoolYearSourcedId", "academicSessions.csv", "sourcedId"),
                 ("demographics.csv", "userSourcedId", "users.csv", "sourcedId"),
                 ("userFlags.csv", "userSourcedId", "users.csv", "sourcedId")],
    "sds-v1": [("Section.csv", "School SIS ID", "School.csv", "SIS ID"),
               ("Student.csv", "School SIS ID", "School.csv", "SIS ID"),
               ("Teacher.csv", "School SIS ID", "School.csv", "SIS ID"),
               ("StudentEnrollment.csv", "Section SIS ID", "Section.csv", "SIS ID"),
               ("StudentEnrollment.csv", "SIS ID", "Student.csv", "SIS ID"),
               ("TeacherRoster.csv", "Section SIS ID", "Section.csv", "SIS ID"),
               ("TeacherRoster.csv", "SIS ID", "Teacher.csv", "SIS ID")],
    "stmath": [("students.csv", "district_teacher_id", "teachers.csv", "district_teacher_id")],
    "oneroster-1.1": [("orgs.csv", "parentSourcedId", "orgs.csv", "sourcedId"),
                      ("users.csv", "orgSourcedIds", "orgs.csv", "sourcedId"),
                      ("courses.csv", "orgSourcedId", "orgs.csv", "sourcedId"),
                      ("courses.csv", "schoolYearSourcedId", "academicSessions.csv", "sourcedId"),
                      ("classes.csv", "courseSourcedId", "courses.csv", "sourcedId"),
                      ("classes.csv", "schoolSourcedId", "orgs.csv", "sourcedId"),
                      ("classes.csv", "termSourcedIds", "academicSessions.csv", "sourcedId"),
                      ("enrollments.csv", "classSourcedId", "classes.csv", "sourcedId"),
                      ("enrollments.csv", "schoolSourcedId", "orgs.csv", "sourcedId"),
                      ("enrollments.csv", "userSourcedId", "users.csv", "sourcedId"),
                      ("academicSessions.csv", "parentSourcedId", "academicSessions.csv", "sourcedId"),
                      ("demographics.csv", "sourcedId", "users.csv", "sourcedId")],
    "clever": [("students.csv", "School_id", "schools.csv", "School_id"),
               ("teachers.csv", "School_id", "schools.csv", "School_id"),
               ("sections.csv", "School_id", "schools.csv", "School_id"),
               *[("sections.csv", f"Teacher_{i}_id" if i > 1 else "Teacher_id", "teachers.csv", "Teacher_id") for i in range(1, 11)],
               ("enrollments.csv", "Section_id", "sections.csv", "Section_id"),
               ("enrollments.csv", "Student_id", "students.csv", "Student_id"),
               ("staff.csv", "School_id", "schools.csv", "School_id")],
}

# Columns holding a student / staff / section id, per vendor: checked against the district's truth.
STUDENT_IDS = {"sds-v2.1": [("demographics.csv", "userSourcedId")], "sds-v1": [("Student.csv", "SIS ID")],
               "stmath": [("students.csv", "student_id")], "oneroster-1.1": [("demographics.csv", "sourcedId")],
               "clever": [("students.csv", "Student_id"), ("enrollments.csv", "Student_id")]}
PEOPLE_IDS = {"sds-v2.1": [("users.csv", "sourcedId"), ("enrollments.csv", "userSourcedId")],
              "sds-v1": [("Teacher.csv", "SIS ID"), ("StudentEnrollment.csv", "SIS ID"), ("TeacherRoster.csv", "SIS ID")],
              "stmath": [("students.csv", "district_teacher_id"), ("teachers.csv", "district_teacher_id")],
              "oneroster-1.1": [("users.csv", "sourcedId"), ("enrollments.csv", "userSourcedId")],
              "clever": [("teachers.csv", "Teacher_id"), ("staff.csv", "Staff_id")] +
                        [("sections.csv", f"Teacher_{i}_id" if i > 1 else "Teacher_id") for i in range(1, 11)]}
SECTION_IDS = {"sds-v2.1": [("classes.csv", "sourcedId"), ("enrollments.csv", "classSourcedId")],
               "sds-v1": [("Section.csv", "SIS ID"), ("StudentEnrollment.csv", "Section SIS ID")],
               "stmath": [], "oneroster-1.1": [("classes.csv", "sourcedId"), ("enrollments.csv", "classSourcedId")],
               "clever": [("sections.csv", "Section_id"), ("enrollments.csv", "Section_id")]}
USERNAMES = {"sds-v2.1": ("users.csv", "username"), "sds-v1": ("Student.csv", "Username"),
             "stmath": ("students.csv", "student_username"), "oneroster-1.1": ("users.csv", "username"),
             "clever": ("students.csv", "Username")}


# -- the district, with realities injected into its files -----------------------------------------


@dataclass(frozen=True)
class District:
    folder: Path
    as_of_date: str
    last_year_section: str  # the section id dim_sections gives it
    withdrawn_on_roster: str  # a withdrawn student still listed in a current section
    terminated_on_roster: str  # an inactive teacher still listed on a current section


@dataclass(frozen=True)
class People:
    """Who is active tonight, from the warehouse's marts (test_pipeline checks those against the truth file)."""

    active_students: frozenset[str]
    inactive_students: frozenset[str]
    active_staff: frozenset[str]
    inactive_staff: frozenset[str]

    @classmethod
    def of(cls, wh: Warehouse) -> "People":
        s = wh.query("select student_id, is_active from marts.dim_students")
        t = wh.query("select staff_id, is_active from marts.dim_staff")
        return cls(frozenset(i for i, a in s if a), frozenset(i for i, a in s if not a),
                   frozenset(i for i, a in t if a), frozenset(i for i, a in t if not a))


def _read_aspen(path: Path, encoding: str) -> list[dict[str, str]]:
    text = path.read_bytes().decode(encoding)
    return list(csv.DictReader(io.StringIO(text), escapechar="\\"))


def _append(path: Path, rows: list[list[str]]) -> None:
    data = path.read_bytes()
    eol = b"\r\n" if b"\r\n" in data[:4096] else b"\n"
    if not data.endswith(eol):
        data += eol
    for r in rows:
        data += ",".join('"' + v + '"' for v in r).encode("utf-8") + eol
    path.write_bytes(data)


def make_district(out: Path, students: int = 300, seed: int = 5) -> District:
    """A dirty generated district plus what real feeds carry: last year's section (with an active
    student and teacher on it), a withdrawn student and a terminated teacher on a current section."""
    manifest = generate(out, students=students, seed=seed, dirty=True)
    studs = _read_aspen(out / "students_export.txt", "cp1252")
    staff = _read_aspen(out / "educators_export.txt", "cp1252")
    active = sorted({s["local_id"] for s in studs if s["enrollment_status"] == "Active"})
    withdrawn = sorted({s["local_id"] for s in studs if s["enrollment_status"].startswith("Withdr")} - set(active))[0]
    teacher = sorted(s["local_id"] for s in staff if s["status"] == "Active" and s["staff_type"] == "Teacher")[0]
    terminated = sorted(s["local_id"] for s in staff if s["status"] == "Inactive")[0]
    sections = _read_aspen(out / "courses_sections_export.txt", "utf-8")
    current = sections[0]
    last_year = dict(current, district_school_year=str(int(current["district_school_year"]) - 1))
    _append(out / "courses_sections_export.txt", [[last_year[k] for k in current]])
    key = ["course_number", "school_local_id", "section_number", "term_local_id", "district_school_year"]
    _append(out / "student_section_assignment_export.txt",
            [[active[0]] + [last_year[k] for k in key], [withdrawn] + [current[k] for k in key]])
    _append(out / "educator_section_assignment_export.txt",
            [[teacher, "someone"] + [last_year[k] for k in key], [terminated, "someone2"] + [current[k] for k in key]])
    last_year_id = "-".join(last_year[k] for k in ("school_local_id", "district_school_year", "term_local_id",
                                                   "course_number", "section_number"))
    return District(out, manifest["as_of_date"], last_year_id, withdrawn, terminated)


# Sensitive fields are off for every vendor unless shared (exports[].share): these two are sent some,
# the other three none, so both ways are checked against each vendor's own rules.
SHARES = {"clever": ["birth_date", "ell", "iep", "lunch", "race_ethnicity"], "sds-v2.1": ["ell", "iep", "lunch", "plan_504"]}


def write_config(path: Path, district: District, exports: dict[str, Path | str], shares: dict | None = None,
                 **extra) -> Path:
    shares = SHARES if shares is None else shares
    config = {
        "district_name": "Test District",
        "email_domain": EMAIL_DOMAIN,
        "student_email_domain": STUDENT_DOMAIN,
        "student_password_policy": "student_id",  # ST Math refuses students without a password
        "as_of_date": district.as_of_date,
        "sources": {s: str(district.folder) for s in ("district", "aspen", "star")},
        "exports": [{"vendor": v, "to": str(to), **({"share": shares[v]} if v in shares else {})}
                    for v, to in exports.items()],
        **extra,
    }
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


@pytest.fixture(scope="session")
def district(tmp_path_factory) -> District:
    return make_district(tmp_path_factory.mktemp("export_district"))


@dataclass(frozen=True)
class Night:
    root: Path
    warehouse_file: Path
    config: Path
    exports: dict[str, Path]
    exit_code: int
    target_path: Path


@pytest.fixture(scope="session")
def night(tmp_path_factory, district) -> Night:
    """One real nightly run into DuckDB: load district/aspen/star, dbt build, all five exports."""
    root = tmp_path_factory.mktemp("night")
    exports = {v: root / "out" / v for v in VENDORS}
    config = write_config(root / "district.yml", district, exports)
    with pytest.MonkeyPatch.context() as mp:
        env = session_env(root)
        for k, v in env.items():
            mp.setenv(k, v)
        mp.setenv("SCHOOLHOUSE_TARGET", "duckdb")
        code = run_nightly(load_settings(config)).exit_code
    return Night(root, Path(env["SCHOOLHOUSE_DUCKDB_PATH"]), config, exports, code, Path(env["DBT_TARGET_PATH"]))


def session_env(root: Path) -> dict[str, str]:
    return {
        "SCHOOLHOUSE_ARCHIVE_DIR": str(root / "archive"), "SCHOOLHOUSE_CACHE_DIR": str(root / "cache"),
        "SCHOOLHOUSE_LANDING_DIR": str(root / "landing"), "SCHOOLHOUSE_DUCKDB_PATH": str(root / "warehouse.duckdb"),
        # Our own dbt target folder: other dbt runs in the project folder never swap the manifest under us.
        "DBT_TARGET_PATH": str(root / "target"), "DBT_LOG_PATH": str(root / "logs"),
    }


@pytest.fixture
def night_copy(night, tmp_path, monkeypatch) -> Warehouse:
    """A private copy of the night's warehouse (tests may damage it)."""
    shutil.copy(night.warehouse_file, tmp_path / "warehouse.duckdb")
    wal = night.warehouse_file.with_name(night.warehouse_file.name + ".wal")
    if wal.exists():  # changes not yet checkpointed into the file
        shutil.copy(wal, tmp_path / "warehouse.duckdb.wal")
    for k, v in session_env(tmp_path).items():
        monkeypatch.setenv(k, v)
    monkeypatch.setenv("DBT_TARGET_PATH", str(night.target_path))  # the night's manifest, read only
    monkeypatch.setenv("SCHOOLHOUSE_TARGET", "duckdb")
    monkeypatch.setenv("SCHOOLHOUSE_AS_OF_DATE", "")
    return load_settings().warehouse()


# -- reading and checking a file set ---------------------------------------------------------------


def read_set(folder: Path) -> dict[str, bytes]:
    files = {}
    for p in sorted(folder.iterdir()):
        if p.suffix == ".zip":
            with zipfile.ZipFile(p) as zf:
                files.update({n: zf.read(n) for n in zf.namelist()})
        elif not p.name.startswith("."):
            files[p.name] = p.read_bytes()
    return files


def parse(data: bytes) -> tuple[list[str], list[dict[str, str]]]:
    assert not data.startswith(b"\xef\xbb\xbf"), "a BOM"
    text = data.decode("utf-8")
    reader = csv.reader(io.StringIO(text, newline=""))
    rows = list(reader)
    header = rows[0]
    for r in rows[1:]:
        assert len(r) == len(header)
        assert not any("\n" in v or "\r" in v for v in r), r
    return header, [dict(zip(header, r)) for r in rows[1:]]


def check_vendor_files(vendor: str, files: dict[str, bytes], district: District,
                       who: People) -> dict[str, list[dict[str, str]]]:
    """Everything the spec and the brief say about one vendor's file set; returns the parsed rows."""
    spec = SPEC[vendor]
    assert sorted(files) == sorted(spec), f"{vendor}: files {sorted(files)}"
    parsed = {}
    for name, (columns, required) in spec.items():
        header, rows = parse(files[name])
        assert header == columns, f"{vendor} {name} header"
        # userFlags.csv is optional in SDS v2.1 and has no rows when no flag is shared.
        assert rows or (vendor, name) == ("sds-v2.1", "userFlags.csv"), f"{vendor} {name} is empty"
        for r in rows:
            for c in required:
                assert r[c].strip(), f"{vendor} {name}: required {c} empty in {r}"
        for c, allowed in ENUMS.get((vendor, name), {}).items():
            bad = {r[c] for r in rows if r[c]} - allowed
            assert not bad, f"{vendor} {name}.{c}: {bad}"
        for c in DATES.get(vendor, {}).get(name, []):
            for r in rows:
                if r[c]:
                    assert len(r[c]) == 10 and r[c][4] == r[c][7] == "-" and r[c].replace("-", "").isdigit(), (c, r[c])
        parsed[name] = rows
    for src, col, dst, dst_col in REFS[vendor]:
        targets = {r[dst_col] for r in parsed[dst]}
        missing = {r[col] for r in parsed[src] if r[col]} - targets
        assert not missing, f"{vendor}: {src}.{col} → {dst}.{dst_col} unresolved: {sorted(missing)[:5]}"
    students = {r[c] for f, c in STUDENT_IDS[vendor] for r in parsed[f]}
    people = {r[c] for f, c in PEOPLE_IDS[vendor] for r in parsed[f] if r[c]}
    sections = {r[c] for f, c in SECTION_IDS[vendor] for r in parsed[f]}
    assert students and students <= who.active_students, f"{vendor}: not active: {students - who.active_students}"
    assert not people & (who.inactive_students | who.inactive_staff), f"{vendor}: inactive people"
    assert people <= who.active_students | who.active_staff
    assert {district.withdrawn_on_roster} <= who.inactive_students and {district.terminated_on_roster} <= who.inactive_staff
    assert district.withdrawn_on_roster not in students | people
    assert district.terminated_on_roster not in people
    assert district.last_year_section not in sections
    assert all(s.split("-")[1] == district.as_of_date[:4] or int(s.split("-")[1]) == int(district.as_of_date[:4]) + 1
               for s in sections if s.count("-") >= 4), f"{vendor}: a section of another year"
    f, c = USERNAMES[vendor]
    domain = STUDENT_DOMAIN if vendor in ("sds-v1", "stmath", "clever") else None
    for r in parsed[f]:
        if r[c]:
            assert "@" in r[c]
            if domain:
                assert r[c].endswith("@" + domain), r[c]
    return parsed


# -- tests -----------------------------------------------------------------------------------------


def test_nightly_writes_every_vendor_file_set_exactly_to_spec(night, district, monkeypatch):
    assert night.exit_code == 0
    monkeypatch.setenv("SCHOOLHOUSE_DUCKDB_PATH", str(night.warehouse_file))
    wh = load_settings(target="duckdb").warehouse()
    who = People.of(wh)
    for vendor in VENDORS:
        parsed = check_vendor_files(vendor, read_set(night.exports[vendor]), district, who)
        vendor_conformance.check(vendor, read_set(night.exports[vendor]))  # the vendors' own references
        if vendor == "sds-v2.1":
            # Every active student and staff member is a user; usernames at the right domain.
            users = {r["sourcedId"]: r for r in parsed["users.csv"]}
            assert who.active_students - set(users) == set()
            assert who.active_staff - set(users) == set()
            assert all(users[s]["username"].endswith("@" + EMAIL_DOMAIN) for s in who.active_staff)
            assert {r["flag"] for r in parsed["userFlags.csv"]} <= {"iep", "504", "freeLunch", "reducedLunch",
                                                                    "englishLanguageLearner"}
        if vendor == "oneroster-1.1":
            manifest = {r["propertyName"]: r["value"] for r in parsed["manifest.csv"]}
            assert manifest["manifest.version"] == "1.0" and manifest["oneroster.version"] == "1.1"
            for name in ("academicSessions", "classes", "courses", "demographics", "enrollments", "orgs", "users"):
                assert manifest[f"file.{name}"] == "bulk"
            for name in ("categories", "classResources", "courseResources", "lineItems", "resources", "results"):
                assert manifest[f"file.{name}"] == "absent"
            assert all(r[c] == "" for f in parsed if f != "manifest.csv" for r in parsed[f]
                       for c in ("status", "dateLastModified"))
        if vendor == "stmath":
            iids = {r["iid"] for r in parsed["students.csv"]}
            assert iids and all(len(i) <= 8 for i in iids)
            # The district's policy (student_id): no invented passwords, and what ST Math requires.
            assert all(r["student_password"] == r["student_id"] for r in parsed["students.csv"])
    # Sensitive fields only where shared, and every file set valid either way (checked above).
    sets = {v: read_set(night.exports[v]) for v in VENDORS}
    off = {"sds-v1": {"Student.csv": ["Birthdate"]}, "stmath": {"students.csv": ["birth_date"]},
           "oneroster-1.1": {"demographics.csv": ["birthDate", "hispanicOrLatinoEthnicity", *RACES]},
           "sds-v2.1": {"demographics.csv": ["birthDate", "ethnicityCodes", "raceCodes"]}}
    for vendor, files in off.items():
        for name, columns in files.items():
            rows = parse(sets[vendor][name])[1]
            assert rows and all(r[c] == "" for r in rows for c in columns), (vendor, name)
    clever = parse(sets["clever"]["students.csv"])[1]
    assert all(r["IEP_status"] in ("Y", "N") and r["Ell_status"] in ("Y", "N") for r in clever)
    assert sum(r["DOB"] != "" for r in clever) > len(clever) * 0.9 and any(r["Race"] for r in clever)
    flags = {r["flag"] for r in parse(sets["sds-v2.1"]["userFlags.csv"])[1]}
    assert {"iep", "504", "englishLanguageLearner"} <= flags
    carried = dict(wh.query("select vendor, max(sensitive_fields) from raw_meta.exports group by vendor"))
    assert carried == {v: ",".join(sorted(SHARES.get(v, []))) for v in VENDORS}
    # The run and every push are on record.
    runs = wh.query("select status, exit_code, steps from raw_meta.runs")
    pushes = wh.query("select vendor, status, forced, count(*) from raw_meta.exports group by 1, 2, 3 order by 1")
    assert [(r[0], r[1]) for r in runs] == [("success", 0)]
    steps = {s["name"]: s for s in json.loads(runs[0][2])}
    assert [n for n in steps] == ["load:district", "load:aspen", "load:star", "build", *(f"export:{v}" for v in VENDORS),
                                  "dashboards"]
    assert all(s["status"] == "ok" and s["seconds"] >= 0 for s in steps.values())
    assert steps["load:aspen"]["counts"]["files_loaded"] >= 5
    assert {(v, s, f) for v, s, f, _ in pushes} == {(v, "pushed", False) for v in VENDORS}


def test_exports_on_postgresql_match_duckdb_byte_for_byte(postgres_warehouse, district, tmp_path, monkeypatch, night):
    """The whole nightly on a fresh PostgreSQL warehouse (the session's night ran it on DuckDB), with
    no sensitive field shared with any vendor: every file set still passes its vendor's checks."""
    warehouse = postgres_warehouse
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    monkeypatch.setenv("DBT_LOG_PATH", str(tmp_path / "logs"))
    exports = {v: tmp_path / "out" / v for v in VENDORS}
    config = write_config(tmp_path / "district.yml", district, exports, shares={})
    assert run_nightly(load_settings(config)).exit_code == 0
    who = People.of(warehouse)
    for vendor in VENDORS:
        check_vendor_files(vendor, read_set(exports[vendor]), district, who)
        vendor_conformance.check(vendor, read_set(exports[vendor]))
        if vendor not in SHARES:
            # Same rows on both engines: the files are byte-identical to the DuckDB night's.
            assert read_set(exports[vendor]) == read_set(night.exports[vendor]), vendor
    clever = parse(read_set(exports["clever"])["students.csv"])[1]
    assert clever and all(r[c] == "" for r in clever for c in ("DOB", "Race", "Hispanic_Latino", "Ell_status",
                                                                 "Frl_status", "IEP_status"))
    assert parse(read_set(exports["sds-v2.1"])["userFlags.csv"])[1] == []  # the header alone
    assert warehouse.query("select distinct sensitive_fields from raw_meta.exports") == [("",)]
    assert warehouse.query("select status from raw_meta.runs") == [("success",)]
    _assert_the_export_check_names_ids_not_active_or_current(warehouse, tmp_path / "target")


def test_the_export_check_names_ids_that_are_not_active_or_current(night_copy, night):
    _assert_the_export_check_names_ids_not_active_or_current(night_copy, night.target_path)


def _assert_the_export_check_names_ids_not_active_or_current(wh: Warehouse, target_path: Path) -> None:
    """The export_file check's ids (macros/export_tests.sql, active_current), as dbt compiled it for
    tonight: a Clever enrollment of a student or section that is not active or current, and a
    section with an unknown third teacher, are each named with their id; the rows as built pass.
    On PostgreSQL too, where it once read the ids with "not in (select ...)": per row once a
    state's ids outgrow work_mem. The check runs on a copy of the view with the bad rows added."""
    import re

    results = json.loads((target_path / "run_results.json").read_text())["results"]
    compiled = {r["unique_id"].split(".")[2].rsplit("_", 1)[0].removeprefix("export_file_"): r["compiled_code"]
                for r in results if r["unique_id"].startswith("test.schoolhouse.export_file_clever__")}

    def problems(view: str, *damage: str) -> list[tuple]:
        copy = f"exports.damaged_{view}"
        wh.execute_many([(f"drop table if exists {copy}", ()), (f"create table {copy} as select * from exports.{view}", ()),
                         *((d.format(copy=copy), ()) for d in damage)])
        return sorted(wh.query(re.sub(rf'("[^"]+"\.)?"exports"\."{view}"', copy, compiled[view])))

    assert problems("clever__enrollments") == problems("clever__sections") == []
    [(school, section, student)] = wh.query('select "School_id", "Section_id", "Student_id" from exports.clever__enrollments '
                                            'order by "Student_id", "Section_id" limit 1')
    assert problems("clever__enrollments", 'insert into {copy} ("School_id", "Section_id", "Student_id") values '
                    f"('{school}', 'no-such-section', '{student}'), ('{school}', '{section}', 'no-such-student')") == [
        ("active_current", "Section_id is not an active/current section", "no-such-section"),
        ("active_current", "Student_id is not an active/current student", "no-such-student")]
    assert problems("clever__sections", 'update {copy} set "Teacher_3_id" = \'no-such-teacher\' '
                    'where "Section_id" = (select min("Section_id") from {copy})') == [
        ("active_current", "Teacher_3_id is not an active/current staff", "no-such-teacher")]


def test_load_build_export_by_hand_writes_the_nightly_files_byte_for_byte(night, district, tmp_path, monkeypatch):
    """One configuration for every command: the README's order (load each source, build, export a
    vendor), all reading the same district.yml, gives exactly the files the nightly wrote (two vendors
    whose files need the settings' email domains: usernames and the ST Math roster)."""
    for k, v in session_env(tmp_path).items():
        monkeypatch.setenv(k, v)
    monkeypatch.setenv("SCHOOLHOUSE_TARGET", "duckdb")
    by_hand = {v: tmp_path / "by_hand" / v for v in ("sds-v2.1", "stmath")}
    config = write_config(tmp_path / "district.yml", district, by_hand)
    monkeypatch.setenv("SCHOOLHOUSE_CONFIG", str(config))

    def cli(*args: str) -> None:
        result = CliRunner().invoke(main, list(args))
        assert result.exit_code == 0, f"schoolhouse {' '.join(args)}: {result.output}"

    for source in ("district", "aspen", "star"):
        cli("load", source)  # the location comes from the settings' sources
    cli("build")
    for vendor, folder in by_hand.items():
        cli("export", vendor, "--to", str(folder))
    for vendor in by_hand:
        assert read_set(by_hand[vendor]) == read_set(night.exports[vendor]), vendor


def push(settings, vendor: str, destination: str, **kwargs):
    """One push of the views as the night built them (its manifest)."""
    return export_vendor(settings, vendor, destination, target_dir(settings) / "manifest.json", **kwargs)


def _shas(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


def test_shrink_guard_refuses_a_shrunken_export_and_force_passes(night_copy, night, district, capsys):
    wh, dest = night_copy, night.exports["sds-v2.1"]
    copy = dest.parent / "sds-guard"
    shutil.copytree(dest, copy)
    settings = load_settings(night.config)
    # Baseline push to this destination, then a broken night: 20% of the students vanish.
    assert push(settings, "sds-v2.1", str(copy)).ok
    before = _shas(copy)
    n_before = wh.query("select count(*) from exports.sds_v21__users")[0][0]
    # A broken night: 20% of the students vanish from the marts. The CLI rebuilds the export views
    # and tables from them, then refuses, naming the file and both counts, and exits non-zero.
    wh.query("delete from marts.dim_students where student_id in ("
             " select student_id from marts.dim_students where is_active order by student_id limit "
             " (select cast(count(*) * 0.2 as integer) from marts.dim_students where is_active))")
    result = CliRunner().invoke(main, ["export", "sds-v2.1", "--to", str(copy), "--config", str(night.config)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    n_after = wh.query("select count(*) from exports.sds_v21__users")[0][0]
    assert n_after < n_before * 0.9
    err = " ".join((result.output + capsys.readouterr().err).split())
    # The refusal says what changed, from the files the last push kept: only removals.
    assert f"users.csv fell from {n_before:,} to {n_after:,} rows ({(n_before - n_after) / n_before:.0%}: 0 added, " \
           f"0 changed, {n_before - n_after:,} removed)" in err, err[-1500:]
    assert _shas(copy) == before  # nothing at all was written
    # The preview says the same per file, and writes nothing either (nor records anything).
    pushes = wh.query("select count(*) from raw_meta.exports")[0][0]
    preview = CliRunner().invoke(main, ["export", "sds-v2.1", "--to", str(copy), "--dry-run", "--config", str(night.config)])
    said = " ".join(preview.output.split())
    assert preview.exit_code == 0, said
    assert f"users.csv: {n_after:,} rows, 0 added, 0 changed, {n_before - n_after:,} removed" in said
    assert "orgs.csv: " in said and "Nothing was written." in said
    assert _shas(copy) == before and wh.query("select count(*) from raw_meta.exports")[0][0] == pushes

    result = push(settings, "sds-v2.1", str(copy))
    assert result.status == "refused"
    assert f"users.csv fell from {n_before:,} to {n_after:,} rows" in result.message and "\n" not in result.message
    assert _shas(copy) == before

    forced = push(settings, "sds-v2.1", str(copy), force=True)
    assert forced.ok and "--force" in forced.message
    assert _shas(copy) != before
    assert len(parse((copy / "users.csv").read_bytes())[1]) == n_after
    rows = wh.query("select status, forced, count(*), max(previous_rows) from raw_meta.exports "
                    "where destination = ? and file_name = 'users.csv' group by 1, 2 order by 1, 2", (str(copy),))
    assert rows == [("pushed", False, 1, None), ("pushed", True, 1, n_before), ("refused", False, 2, n_before)]
    # The forced push is the new baseline: the same export now passes without --force, and since
    # nothing changed (an hourly run), nothing is sent and it says so.
    pushed_files = {p.name: p.stat().st_mtime_ns for p in copy.iterdir()}
    again = push(settings, "sds-v2.1", str(copy))
    assert again.status == "unchanged" and "nothing was sent" in again.message, again.message
    assert {p.name: p.stat().st_mtime_ns for p in copy.iterdir()} == pushed_files


def test_sftp_push_end_to_end_and_an_interrupted_upload_keeps_the_previous_files(
        night_copy, night, district, sftp_server, sftp_auth, monkeypatch):
    wh = night_copy
    monkeypatch.setenv("SCHOOLHOUSE_SFTP_PASSWORD_CLEVER", sftp_server.password)
    monkeypatch.setenv("SCHOOLHOUSE_KNOWN_HOSTS", str(sftp_auth.known_hosts))
    monkeypatch.setenv("SCHOOLHOUSE_SFTP_ATTEMPTS", "2")
    monkeypatch.setenv("SCHOOLHOUSE_SFTP_BACKOFF_SECONDS", "0")
    (sftp_server.root / "clever").mkdir()
    url = sftp_server.url("/clever")
    settings = load_settings(night.config)

    first = push(settings, "clever", url)
    assert first.ok, first.message
    remote = sftp_server.root / "clever"
    check_vendor_files("clever", read_set(remote), district, People.of(wh))
    assert read_set(remote) == read_set(night.exports["clever"])
    before = _shas(remote)

    # Tonight a student's name changes, so the files change. The link dies mid-upload of students.csv,
    # on every attempt: nothing is renamed, so the vendor keeps last night's complete set.
    wh.query("update exports.exports__active_students set last_name = 'Changed' where student_id = ?",
             (sorted(People.of(wh).active_students)[0],))
    sftp_server.drop_next_transfer_after(2048, times=10, direction="write", name_pattern=".students.csv.part-*")
    failed = push(settings, "clever", url)
    assert failed.status == "failed" and "students.csv" in failed.message
    assert _shas(remote) == before
    assert not [p for p in remote.iterdir() if p.name.startswith(".")]  # no temporaries left behind
    assert wh.query("select count(*) from raw_meta.exports where status = 'failed' and vendor = 'clever'")[0][0] == 6

    # The link is back: the new set arrives whole; the guard holds for SFTP as for a folder.
    sftp_server.clear_faults()
    assert push(settings, "clever", url).ok
    assert _shas(remote) != before and b"Changed" in (remote / "students.csv").read_bytes()
    wh.query("delete from exports.exports__active_students where school_id = (select min(school_id) from marts.dim_students)")
    refused = push(settings, "clever", url)
    assert refused.status == "refused" and "students.csv fell from" in refused.message


def test_a_vendor_scoped_to_some_schools_and_grades_gets_only_them_with_every_reference_resolved(
        night_copy, night, district, tmp_path, sftp_server, sftp_auth, monkeypatch):
    """ST Math licensed for grades 3 and 4 at one school, pushed to a real SFTP server, and Clever
    for that school only: each gets exactly its students, every file of the set still resolves every
    reference, and the push leaves its status row and its sync log."""
    wh = night_copy
    monkeypatch.setenv("SCHOOLHOUSE_SFTP_PASSWORD_STMATH", sftp_server.password)
    monkeypatch.setenv("SCHOOLHOUSE_KNOWN_HOSTS", str(sftp_auth.known_hosts))
    (sftp_server.root / "stmath").mkdir()
    (school, in_scope), = wh.query(
        "select school_id, count(*) from marts.dim_students where is_active and grade_level in ('03', '04') "
        "group by 1 order by 2 desc, 1 limit 1")
    out = {"stmath": sftp_server.url("/stmath"), "clever": tmp_path / "scoped" / "clever"}
    config = write_config(tmp_path / "scoped.yml", district, out)
    settings = yaml.safe_load(config.read_text())
    for e in settings["exports"]:
        e["schools"] = [school]
        if e["vendor"] == "stmath":
            e["grades"] = ["03", 4]  # YAML's 4 is the grade 04
    config.write_text(yaml.safe_dump(settings))
    who = People.of(wh)
    for vendor in out:
        result = CliRunner().invoke(main, ["export", vendor, "--to", str(out[vendor]), "--config", str(config)])
        assert result.exit_code == 0, result.output
    pushed = read_set(sftp_server.root / "stmath")
    assert sorted(pushed) == ["students.csv", "teachers.csv"]  # both rosters
    vendor_conformance.check("stmath", pushed)
    stmath = check_vendor_files("stmath", pushed, district, who)["students.csv"]
    (status, files), = wh.query("select status, count(*) from raw_meta.exports where vendor = 'stmath' "
                                "and destination like 'sftp://%' group by 1")
    assert (status, files) == ("pushed", 2)
    log = next((tmp_path / "archive" / "pushed" / "stmath").glob("*.sync_log.csv")).read_text().splitlines()
    assert log[0] == "push_id,status,file,row_key,field,rule,severity,detail" and log[1:] == []  # nothing wrong
    assert len(stmath) == in_scope and {r["grade"] for r in stmath} == {"3", "4"}
    assert {r["district_school_id"] for r in stmath} == {school}
    # Its teachers are the teachers of those students' sections, nobody else.
    teachers = {r[0] for r in wh.query(
        "select distinct t.person_id from exports.exports__current_enrollments t join exports.exports__current_enrollments s "
        "on s.section_id = t.section_id join marts.dim_students d on d.student_id = s.person_id "
        "where t.role <> 'student' and s.role = 'student' and d.school_id = ? and d.grade_level in ('03', '04') "
        "and d.is_active", (school,))}
    assert {r["district_teacher_id"] for r in stmath} <= teachers
    clever = check_vendor_files("clever", read_set(out["clever"]), district, who)
    assert {r["School_id"] for r in clever["schools.csv"]} == {school}
    assert {r["School_id"] for f in ("students.csv", "sections.csv", "teachers.csv") for r in clever[f]} == {school}
    assert len(clever["students.csv"]) == wh.query(
        "select count(*) from exports.exports__active_students where school_id = ?", (school,))[0][0]


# -- the file writer and the change counts, against Python's own csv module --------------------

def _python_csv(header: tuple[str, ...], rows: list[list[str]]) -> bytes:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def _text_table(rows: list[list[str]], columns: int):
    import pyarrow as pa

    return pa.table({f"c{i}": pa.array([r[i] for r in rows], pa.large_string()) for i in range(columns)})


def test_the_arrow_csv_writer_writes_exactly_what_python_csv_writes():
    """exports.files.csv_bytes builds the vendors' files with Arrow's string kernels; the rules it
    must follow are csv.writer's (QUOTE_MINIMAL): quotes only around a comma, a quote or a line
    break, a quote doubled, a lone empty field quoted so the record is not a blank line."""
    import random

    from exports.files import csv_bytes

    rng = random.Random(20261204)
    pieces = ["a", "Z", " ", ",", '"', "'", "é", "ß", "😀", "\t", "\r", "\n", "0", ";", "\\", "O'Brien", '""']
    for _ in range(400):
        columns = rng.choice([1, 1, 2, 3, 6])
        rows = [["".join(rng.choice(pieces) for _ in range(rng.choice([0, 0, 1, 2, 4]))) for _ in range(columns)]
                for _ in range(rng.randint(0, 25))]
        header = tuple(rng.choice(["sourcedId", 'a "quoted", header', "Student_id"]) for _ in range(columns))
        assert csv_bytes(header, _text_table(rows, columns)) == _python_csv(header, rows), rows


def test_change_counts_by_id_and_by_whole_row():
    from exports.changes import compare
    from exports.files import ExportFile, RenderedFile

    def counts(old: list[list[str]] | None, new: list[list[str]]) -> tuple:
        header = tuple(f"h{i}" for i in range(len(new[0]) if new else len(old[0])))
        now = RenderedFile(ExportFile("m", "s", "r", "users.csv", header), _python_csv(header, new), len(new))
        c = compare(None if old is None else _python_csv(header, old), now)
        return c.rows, c.added, c.changed, c.removed, c.compared

    old = [["1", "Ana", "a,b"], ["2", "Bo", 'x"y'], ["3", "Cy", ""]]
    new = [["1", "Ana", "a,b"], ["2", "Bo", "changed"], ["4", "Di", ""]]
    assert counts(None, new) == (3, 3, 0, 0, False)
    assert counts(old, new) == (3, 1, 1, 1, True)  # ids unique: 4 added, 2 changed, 3 removed
    assert counts(old, old) == (3, 0, 0, 0, True)
    # An enrollment list: the first column repeats, so whole rows (a changed row is one removed, one added).
    old = [["s1", "c1"], ["s1", "c2"], ["s2", "c1"]]
    new = [["s1", "c1"], ["s1", "c3"], ["s2", "c1"], ["s2", "c1"]]
    assert counts(old, new) == (4, 1, 0, 1, True)
    assert counts(old, []) == (0, 0, 0, 3, True)
    assert counts([], old) == (3, 3, 0, 0, True)


def test_change_counts_match_counting_the_rows_in_python(tmp_path):
    """exports.changes counts by hashes of rows inside DuckDB: tonight's taken as the file is rendered
    or parsed from its bytes, the last push's read from beside its kept file or parsed from it. Every
    way, the counts must be what comparing the rows themselves gives, by id and by whole row."""
    import random

    from exports.changes import HASHES_SUFFIX, compare, keep, kept_folder
    from exports.files import ExportFile, RenderedFile, row_hashes

    rng = random.Random(20261205)
    values = ["", "x", "a,b", 'q"q', "O'Brien", "ß", " ", "1"]
    for case in range(200):
        width, keyed = rng.choice([1, 2, 3]), rng.random() < 0.5
        new_width = rng.choice([width, width, width + 1])

        def rows(w: int) -> list[list[str]]:
            firsts = rng.sample(range(12), rng.randint(0, 8)) if keyed else [rng.randint(0, 2) for _ in range(rng.randint(0, 8))]
            return sorted([str(k)] + [rng.choice(values) for _ in range(w - 1)] for k in firsts)

        old, new = rows(width), rows(new_width)
        header_old, header_new = tuple(f"h{i}" for i in range(width)), tuple(f"h{i}" for i in range(new_width))
        now = RenderedFile(ExportFile("m", "s", "r", "f.csv", header_new), _python_csv(header_new, new), len(new))
        kept = tmp_path / f"{case}.csv"
        kept.write_bytes(_python_csv(header_old, old))
        by_id = all(len({r[0] for r in f}) == len(f) for f in (old, new))
        if by_id:
            olds, news = {r[0]: r for r in old}, {r[0]: r for r in new}
            same = width == new_width
            expected = (len(news.keys() - olds.keys()),
                        sum(1 for k in news.keys() & olds.keys() if not same or news[k] != olds[k]),
                        len(olds.keys() - news.keys()))
        else:
            olds, news = {tuple(r) for r in old}, {tuple(r) for r in new}
            expected = (len(news - olds), 0, len(olds - news))
        rendered = RenderedFile(now.spec, now.data, now.rows, row_hashes=row_hashes(_text_table(new, new_width)))
        pushed = RenderedFile(ExportFile("m", "s", "r", "f.csv", header_old), kept.read_bytes(), len(old),
                              row_hashes=row_hashes(_text_table(old, width)))
        keep(tmp_path / "archive", "v", f"place {case}", [pushed])
        with_hashes = kept_folder(tmp_path / "archive", "v", f"place {case}") / "f.csv"
        assert with_hashes.with_name("f.csv" + HASHES_SUFFIX).exists()
        for previous, tonight in ((kept, now), (kept.read_bytes(), now), (kept, rendered), (with_hashes, rendered),
                                  (with_hashes, now)):
            c = compare(previous, tonight)
            assert (c.added, c.changed, c.removed) == expected, (old, new, previous, tonight.row_hashes is None)


def test_a_file_the_same_as_the_last_push_is_known_by_its_kept_sha256(tmp_path, monkeypatch):
    """A kept push carries each file's sha256: tonight's file with the same bytes counts no change
    without the kept file being read back (a state's is ~400 MB), and a file of the same length with
    other bytes is still counted row by row."""
    from exports import changes
    from exports.files import ExportFile, RenderedFile, row_hashes

    header = ("id", "name")
    old = [["1", "Ana"], ["2", "Bo"]]
    spec = ExportFile("m", "s", "r", "f.csv", header)
    pushed = RenderedFile(spec, _python_csv(header, old), 2, row_hashes=row_hashes(_text_table(old, 2)))
    changes.keep(tmp_path, "v", "place", [pushed])
    kept = changes.kept_folder(tmp_path, "v", "place") / "f.csv"
    assert (kept.parent / ("f.csv" + changes.SHA256_SUFFIX)).read_text().strip() == pushed.sha256

    def no_reading(*args, **kwargs):
        raise AssertionError("the kept file was read back")

    same = RenderedFile(spec, _python_csv(header, old), 2)
    with monkeypatch.context() as m:
        m.setattr(changes, "open", no_reading, raising=False)
        m.setattr(changes, "read_text_csv", no_reading)
        c = changes.compare(kept, same)
    assert (c.added, c.changed, c.removed, c.compared) == (0, 0, 0, True)
    other = [["1", "Ana"], ["2", "Cy"]]  # as long, one name changed
    assert len(_python_csv(header, other)) == len(same.data)
    c = changes.compare(kept, RenderedFile(spec, _python_csv(header, other), 2))
    assert (c.added, c.changed, c.removed) == (0, 1, 0)


def test_the_writer_reads_only_the_values_of_sliced_and_chunked_columns():
    """csv_bytes and the line-break check skip a column whose bytes hold nothing to quote; the bytes
    they look at must be the column's own values, not the rest of a buffer it was sliced from."""
    import pyarrow as pa

    from exports.files import _holds_any, csv_bytes

    whole = pa.array(['a,"b"', "plain", "x\ny", "z"], pa.large_string())
    assert _holds_any(pa.chunked_array([whole]), b",")
    assert not _holds_any(pa.chunked_array([whole.slice(1, 1), whole.slice(3, 1)]), b'",\r\n')
    assert _holds_any(pa.chunked_array([whole.slice(2, 1)]), b"\n")
    assert _holds_any(pa.chunked_array([pa.array(["a", "b,c"])]), b",")  # string, not large_string
    rows = [["plain", "x\ny"], ["z", 'a,"b"']]
    table = pa.table({"c0": pa.chunked_array([whole.slice(1, 1), whole.slice(3, 1)]),
                      "c1": pa.chunked_array([whole.slice(2, 1), whole.slice(0, 1)])})
    assert csv_bytes(("h0", "h1"), table) == _python_csv(("h0", "h1"), rows)


def test_a_line_break_in_an_export_value_refuses_the_file_naming_line_and_column(tmp_path):
    import duckdb

    from exports.files import ExportError, ExportFile, render
    from schoolhouse.warehouse import Warehouse

    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema exports")
        con.execute("""create view exports.users as select * from (values ('1', 'Ana'), ('2', 'Bo'),
                       ('3', 'Cy' || chr(13) || chr(10) || 'Dee')) as t(id, name)""")
    spec = ExportFile("m", "exports", "users", "users.csv", ("id", "name"))
    with pytest.raises(ExportError, match=r"users.csv line 4 has a line break in name"):
        render(Warehouse("duckdb", path), spec)
    with duckdb.connect(str(path)) as con:
        con.execute("create or replace view exports.users as select * from (values ('1', 'Ana, \"A\"')) as t(id, name)")
    assert render(Warehouse("duckdb", path), spec).data == b'id,name\r\n1,"Ana, ""A"""\r\n'


def test_a_file_lists_its_rows_in_the_order_python_sorts_their_text():
    """A file's rows are sorted by their values column by column, in code point order (what Python
    gives for lists of str), whatever engine sorts them: the same rows always make the same file.
    Ties on the first columns, empty values, prefixes, upper before lower case, and characters of
    two, three and four UTF-8 bytes, where a collation or a signed byte would order otherwise."""
    import random

    from exports.files import csv_bytes, sorted_rows

    rng = random.Random(20261206)
    values = ["", " ", "a", "a ", "ab", "B", "b", "é", "e\u0301", "ß", "z", "Z", "中", "\uffff", "😀", "10", "9",
              "-1", "O'Brien", 'q"q', "a,b", "~"]
    for case in range(100):
        width = rng.choice([1, 2, 3])
        rows = [[rng.choice(values) for _ in range(width)] for _ in range(rng.randint(0, 40))]
        header = tuple(f"h{i}" for i in range(width))
        table = sorted_rows(_text_table(rows, width))
        assert csv_bytes(header, table) == _python_csv(header, sorted(rows)), rows
