"""What the vendors' own references say about their roster files, written out as checks.

Each fact names where it comes from: the vendor's documentation, its SDK, or a real importer or
roster producer (read with the project's search tools; nothing copied, the facts restated). The
checks take a vendor's file set as ``{file name: bytes}`` (the OneRoster zip's members loose) and
raise AssertionError naming the file, the column, the rule and an example.

Sources:
  [M]   catalyst/moodle-enrol_oneroster @41c0cae, classes/local/v1p1/csv_client_helper.php and
        csv_client_const_helper.php: the checks a real OneRoster 1.1 CSV importer runs.
  [GM]  Great Minds' OneRoster CSV requirements (restating 1EdTech OneRoster 1.1).
  [1ED] 1EdTech OneRoster 1.1 CSV binding (manifest properties, enumerations).
  [STM] help.stmath.com, "2 file" SFTP rostering and Console Student Rostering articles.
  [KIP] kippdata/silo scripts/Ed_Tech_Integrations/ST_Math (students.csv, teachers.csv, hourly).
  [SYN] FrankieGFE/Synergy ST_MATH_ADMINS.sql (position and access_level words).
  [CLV] Clever/clever-ruby lib/clever-ruby/models (the SDK's enum validators) and Clever's
        SFTP/CSV documentation.
  [SDS] OfficeDev/O365-EDU-Tools "CSV Samples" (SDS v1 and v2.1 sample files and field docs).
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter, defaultdict

# -- OneRoster 1.1 --------------------------------------------------------------------------------

# [M] is_guid_type allows [0-9a-zA-Z._/@-] under 256 characters; [GM] allows [A-Za-z0-9._-], at most
# 100. A file both accept: the intersection.
OR_ID = re.compile(r"[A-Za-z0-9._-]{1,100}")
OR_ID_COLUMNS = {
    "orgs.csv": ("sourcedId", "parentSourcedId"),
    "users.csv": ("sourcedId", "orgSourcedIds", "agentSourcedIds"),
    "courses.csv": ("sourcedId", "schoolYearSourcedId", "orgSourcedId"),
    "classes.csv": ("sourcedId", "courseSourcedId", "schoolSourcedId", "termSourcedIds"),
    "enrollments.csv": ("sourcedId", "classSourcedId", "schoolSourcedId", "userSourcedId"),
    "academicSessions.csv": ("sourcedId", "parentSourcedId"),
    "demographics.csv": ("sourcedId",),
}
# [M] VALID_GRADE_CODES, [GM]: CEDS entry grade levels, exact case (K, 1 and Kindergarten are not).
OR_GRADES = {"IT", "PR", "PK", "TK", "KG", *(f"{g:02d}" for g in range(1, 14)), "PS", "UG", "Other"}
# [1ED] enumerations, as [M] checks them.
OR_ENUMS = {
    ("orgs.csv", "type"): {"department", "school", "district", "local", "state", "national"},
    ("users.csv", "role"): {"administrator", "aide", "guardian", "parent", "proctor", "relative", "student", "teacher"},
    ("users.csv", "enabledUser"): {"true", "false"},
    ("enrollments.csv", "role"): {"administrator", "proctor", "student", "teacher"},
    ("enrollments.csv", "primary"): {"true", "false", ""},
    ("classes.csv", "classType"): {"homeroom", "scheduled"},
    ("academicSessions.csv", "type"): {"gradingPeriod", "semester", "schoolYear", "term"},
}
OR_DATES = {"academicSessions.csv": ("startDate", "endDate"), "enrollments.csv": ("beginDate", "endDate"),
            "demographics.csv": ("birthDate",)}
OR_FILES = ("academicSessions", "classes", "courses", "demographics", "enrollments", "orgs", "users")
EMAIL = re.compile(r"[^@\s,;]+@[^@\s,;]+\.[A-Za-z]{2,}")  # [M] FILTER_VALIDATE_EMAIL, in spirit

# -- ST Math --------------------------------------------------------------------------------------

# [STM] the students.csv template (exact header), and what must never be blank.
STM_STUDENT_HEADER = ["iid", "district_school_id", "school", "district_teacher_id", "teacher_email",
                      "teacher_last_name", "teacher_first_name", "grade", "period", "curriculum", "student_id",
                      "new_student_id", "student_last_name", "student_first_name", "student_username",
                      "student_password", "permanent_login", "birth_date", "action"]
STM_STUDENT_REQUIRED = ("iid", "district_teacher_id", "teacher_email", "teacher_last_name", "teacher_first_name",
                        "grade", "student_id", "student_last_name", "student_first_name", "student_username",
                        "student_password", "permanent_login")
# [STM] grade mapping, case-insensitive: PreK -2/pk/prek, TK -1/tk, K 0/k/kg/kinder/kindergarten, 1..12.
STM_GRADES = {"-2", "pk", "prek", "prekindergarten", "-1", "tk", "transitional kindergarten", "0", "k", "kg",
              "kinder", "kindergarten", *(str(g) for g in range(1, 13))}
STM_PASSWORD_MIN = 6  # [STM] at least 6 characters, unique per student
# [KIP] teachers.csv beside students.csv; [SYN] position and access_level words.
STM_TEACHER_HEADER = ["iid", "district_school_id", "school", "district_teacher_id", "email", "last_name",
                      "first_name", "position", "access_level"]
STM_POSITIONS = {"teacher", "program_coordinator"}
STM_ACCESS = {"class_level", "school_level"}
EMAIL_LOCAL = re.compile(r"[A-Za-z0-9._-]+")  # [STM] no special characters but hyphen and underscore (and dots)


def rows_of(data: bytes) -> tuple[list[str], list[dict[str, str]]]:
    assert not data.startswith(b"\xef\xbb\xbf"), "a byte-order mark (a header check such as [M]'s then fails)"
    reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""))
    header, *rows = list(reader)
    return header, [dict(zip(header, r)) for r in rows]


def _items(value: str) -> list[str]:
    return [v.strip() for v in value.split(",")] if value else []


def _fail(what: str, bad: list) -> None:
    assert not bad, f"{what}: {len(bad)} rows, e.g. {bad[:3]}"


def check_oneroster(files: dict[str, bytes]) -> None:
    header, manifest_rows = rows_of(files["manifest.csv"])
    assert header == ["propertyName", "value"], "manifest.csv header [1ED]"
    manifest = {r["propertyName"]: r["value"] for r in manifest_rows}
    assert manifest.get("manifest.version") == "1.0" and manifest.get("oneroster.version") == "1.1", manifest
    for prop, value in manifest.items():
        if prop.startswith("file."):
            assert value in ("bulk", "delta", "absent"), f"manifest {prop}={value} [1ED]"
            assert (f"{prop[5:]}.csv" in files) == (value != "absent"), f"manifest {prop}={value} vs the zip [1ED]"
    parsed = {name: rows_of(files[f"{name}.csv"])[1] for name in OR_FILES if f"{name}.csv" in files}
    for name, rows in parsed.items():
        file = f"{name}.csv"
        ids = Counter(r["sourcedId"] for r in rows)
        _fail(f"{file}: sourcedId repeated", [i for i, n in ids.items() if n > 1])
        for col in OR_ID_COLUMNS.get(file, ()):
            _fail(f"{file}.{col}: identifiers only from [A-Za-z0-9._-], at most 100 [M][GM]",
                  [v for r in rows for v in _items(r[col]) if not OR_ID.fullmatch(v)])
        for (f, col), allowed in OR_ENUMS.items():
            if f == file:
                _fail(f"{file}.{col} outside {sorted(allowed)} [1ED][M]", [r[col] for r in rows if r[col] not in allowed])
        for col in OR_DATES.get(file, ()):
            _fail(f"{file}.{col}: YYYY-MM-DD [M]",
                  [r[col] for r in rows if r[col] and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", r[col])])
        # [GM] bulk files leave status and dateLastModified blank.
        _fail(f"{file}: status/dateLastModified set in a bulk file",
              [r["sourcedId"] for r in rows if r["status"] or r["dateLastModified"]])
    users, classes, sessions = parsed["users"], parsed["classes"], parsed["academicSessions"]
    # [M] types users.grades as one grade; classes.grades is a list; both CEDS codes.
    _fail("users.csv.grades: one CEDS grade [M]", [r["grades"] for r in users if r["grades"] and r["grades"] not in OR_GRADES])
    _fail("classes.csv.grades: CEDS grades [M]",
          [g for r in classes for g in _items(r["grades"]) if g not in OR_GRADES])
    _fail("users.csv.email: an email address [M]", [r["email"] for r in users if r["email"] and not EMAIL.fullmatch(r["email"])])
    for col in ("sourcedId", "enabledUser", "orgSourcedIds", "role", "username", "givenName", "familyName"):
        _fail(f"users.csv.{col} required [M]", [r["sourcedId"] for r in users if not r[col]])
    # [M] periods: a list of integers ("HR" and "1A" are refused).
    _fail("classes.csv.periods: integers only [M]",
          [p for r in classes for p in _items(r["periods"]) if not p.isdigit()])
    # [M] makes classCode the course's short name: two classes with one classCode merge into one course.
    codes = Counter(r["classCode"] for r in classes if r["classCode"])
    _fail("classes.csv.classCode repeated (one Moodle course for several classes) [M]",
          [c for c, n in codes.items() if n > 1])
    _fail("classes.csv.termSourcedIds required [M]", [r["sourcedId"] for r in classes if not r["termSourcedIds"]])
    for r in sessions:
        assert re.fullmatch(r"\d{4}", r["schoolYear"]), f"academicSessions.csv.schoolYear {r['schoolYear']!r} [M]"
        assert r["startDate"] <= r["endDate"], f"academicSessions.csv {r['sourcedId']} ends before it starts"
    # References resolve (as [M] looks them up).
    org_ids, user_ids = {r["sourcedId"] for r in parsed["orgs"]}, {r["sourcedId"] for r in users}
    class_ids, session_ids = {r["sourcedId"] for r in classes}, {r["sourcedId"] for r in sessions}
    schools = {r["sourcedId"] for r in parsed["orgs"] if r["type"] == "school"}
    for r in parsed["enrollments"]:
        assert r["classSourcedId"] in class_ids and r["userSourcedId"] in user_ids, r
        assert r["schoolSourcedId"] in schools, r
    for r in classes:
        assert r["schoolSourcedId"] in org_ids and set(_items(r["termSourcedIds"])) <= session_ids, r


def check_stmath(files: dict[str, bytes]) -> None:
    header, students = rows_of(files["students.csv"])
    assert header == STM_STUDENT_HEADER, f"students.csv header {header} [STM]"
    for col in STM_STUDENT_REQUIRED:
        _fail(f"students.csv.{col} required [STM]", [r["student_id"] for r in students if not r[col].strip()])
    _fail("students.csv.iid at most 8 characters [STM]", [r["iid"] for r in students if len(r["iid"]) > 8])
    _fail("students.csv.grade outside ST Math's grades [STM]",
          [r["grade"] for r in students if r["grade"].lower() not in STM_GRADES])
    for col in ("student_id", "student_username", "student_password"):
        counts = Counter(r[col] for r in students)
        _fail(f"students.csv.{col} repeated [STM]", [v for v, n in counts.items() if n > 1])
    _fail(f"students.csv.student_password shorter than {STM_PASSWORD_MIN} [STM]",
          [r["student_id"] for r in students if len(r["student_password"]) < STM_PASSWORD_MIN])
    # [STM] a teacher is one id with one district email and one name, across every row ([SYN] swapped names once).
    teachers: dict[str, set] = defaultdict(set)
    for r in students:
        teachers[r["district_teacher_id"]].add((r["teacher_email"], r["teacher_last_name"], r["teacher_first_name"]))
    _fail("students.csv: a teacher with two emails or names [STM][SYN]", [t for t, v in teachers.items() if len(v) > 1])
    emails = Counter(e for v in teachers.values() for e, _, _ in v)
    _fail("students.csv.teacher_email shared by two teachers [STM]", [e for e, n in emails.items() if n > 1])
    _fail("students.csv.teacher_email: only letters, digits, '.', '-', '_' before the @ [STM]",
          [e for e in emails if not EMAIL_LOCAL.fullmatch(e.split("@")[0])])
    header, staff = rows_of(files["teachers.csv"])
    assert header == STM_TEACHER_HEADER, f"teachers.csv header {header} [KIP]"
    listed = {r["district_teacher_id"]: (r["email"], r["last_name"], r["first_name"]) for r in staff}
    _fail("students.csv.district_teacher_id missing from teachers.csv [KIP]", sorted(set(teachers) - set(listed)))
    _fail("teachers.csv: a teacher's email or name differs from students.csv",
          [t for t, v in teachers.items() if t in listed and v != {listed[t]}])
    _fail("teachers.csv.position [SYN]", [r["position"] for r in staff if r["position"] not in STM_POSITIONS])
    _fail("teachers.csv.access_level [SYN]", [r["access_level"] for r in staff if r["access_level"] not in STM_ACCESS])
    # [KIP]'s script wrote one teacher's access_level into every row: each row must carry its own.
    _fail("teachers.csv: a teacher whose access_level is not class_level",
          [r["district_teacher_id"] for r in staff if r["position"] == "teacher" and r["access_level"] != "class_level"])


# -- Clever ---------------------------------------------------------------------------------------

# [CLV] the grade values Clever's API and SDK use (another district tool's tests map exactly these).
CLEVER_GRADES = {"InfantToddler", "Preschool", "PreKindergarten", "TransitionalKindergarten", "Kindergarten",
                 *(str(g) for g in range(1, 14)), "PostGraduate", "Ungraded", "Other"}


def check_clever(files: dict[str, bytes]) -> None:
    schools = rows_of(files["schools.csv"])[1]
    school_ids = {r["School_id"] for r in schools}
    for name, cols in (("students.csv", ("Grade",)), ("schools.csv", ("Low_grade", "High_grade")),
                       ("sections.csv", ("Grade",))):
        rows = rows_of(files[name])[1]
        _fail(f"{name}: a grade Clever does not spell so [CLV]",
              [r[c] for r in rows for c in cols if r[c] and r[c] not in CLEVER_GRADES])
    # [CLV] staff.csv: every row names a school; a staff member at several schools is a row per school.
    staff = rows_of(files["staff.csv"])[1]
    _fail("staff.csv.School_id blank [CLV]", [r["Staff_id"] for r in staff if not r["School_id"]])
    _fail("staff.csv.School_id not in schools.csv [CLV]", [r["School_id"] for r in staff if r["School_id"] not in school_ids])
    pairs = Counter((r["Staff_id"], r["School_id"]) for r in staff)
    _fail("staff.csv: a staff member twice at one school [CLV]", [p for p, n in pairs.items() if n > 1])
    for name, key in (("students.csv", "Student_id"), ("teachers.csv", "Teacher_id"), ("sections.csv", "Section_id")):
        ids = Counter(r[key] for r in rows_of(files[name])[1])
        _fail(f"{name}.{key} repeated [CLV]", [i for i, n in ids.items() if n > 1])


CHECKS = {"oneroster-1.1": check_oneroster, "stmath": check_stmath, "clever": check_clever}


def check(vendor: str, files: dict[str, bytes]) -> None:
    """The vendor's conformance checks, when we have its references written out."""
    if vendor in CHECKS:
        CHECKS[vendor](files)
