"""What Schoolhouse knows about: sources and their entities, the raw tables' columns, vendors.

The one list every other place imports: the loader (patterns, required and key columns), the
raw-table bootstrap, the settings validation, the command line's choices and the exports.
Column names are in their normalised form (see ``loaders.reader.normalise_header``): stripped,
unquoted, snake_case. Districts override file patterns in ``district.yml``; the columns are the
contract the staging models rely on.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

# The order a night loads them in: the org tree first, then the SIS, then assessments.
SOURCES = ("district", "aspen", "star", "powerschool")
SIS_SOURCES = ("aspen", "powerschool")  # the SIS the student, staff and section marts are built from (var sis_source)

# The column the loader adds to every row of a file-fed raw table: the row's record number in its
# file (the header is 1). Which file a raw table holds is one row of raw_meta.table_files.
META_COLUMNS = ("_record_number",)


@dataclass(frozen=True)
class EntitySpec:
    source: str
    entity: str  # the raw table name
    patterns: tuple[str, ...]  # fnmatch patterns, matched case-insensitively against the file name
    required: tuple[str, ...]  # a file missing one of these is refused
    keys: tuple[str, ...]  # a row with one of these empty is rejected ("missing_key")
    optional: tuple[str, ...] = ()  # known columns a file may omit; anything else is reported as extra
    # Other spellings districts use for a column (normalised) → the column it is.
    aliases: dict[str, str] = field(default_factory=dict, hash=False, compare=False)

    @property
    def known(self) -> frozenset[str]:
        return frozenset(self.required) | frozenset(self.keys) | frozenset(self.optional)

    def with_patterns(self, patterns: tuple[str, ...]) -> EntitySpec:
        return dataclasses.replace(self, patterns=tuple(patterns))


def _aspen(entity: str, stem: str, required: tuple[str, ...], keys: tuple[str, ...],
           optional: tuple[str, ...] = (), aliases: dict[str, str] | None = None) -> EntitySpec:
    return EntitySpec("aspen", entity, (f"{stem}*.txt", f"{stem}*.csv"), required, keys, optional, aliases or {})


ASPEN = (
    _aspen(
        "students", "students_export",
        ("state_id", "local_id", "enrollment_status", "full_name", "grade", "school_local_id",
         "date_of_birth", "registration_date"),
        ("local_id",),
        ("home_language", "program_assigned", "limited_english_proficiency", "sped_placement", "disability",
         "sped_level_of_need", "plan_504", "student_address", "free_reduced_lunch", "homeroom", "gender",
         "race", "hispanic_latino", "primary_phone", "primary_email", "house", "counselor", "sped_liaison",
         "ell_entry_date", "ell_transition_date"),
    ),
    _aspen(
        "educators", "educators_export",
        ("state_id", "local_id", "full_name", "staff_type", "status", "login_name", "school_local_id"),
        ("local_id",),
        ("homeroom", "email"),
    ),
    _aspen(
        "courses_sections", "courses_sections_export",
        ("course_number", "course_description", "school_local_id", "section_number", "term_local_id",
         "district_school_year"),
        ("school_local_id", "course_number", "section_number"),
        ("section_schedule", "section_room_number"),
    ),
    # Older exports have no district_school_year (Student Insights keeps fixtures of both): it is
    # then this school year.
    _aspen(
        "student_section_assignments", "student_section_assignment_export",
        ("local_id", "course_number", "school_local_id", "section_number", "term_local_id"),
        ("local_id", "course_number", "section_number"),
        ("district_school_year",),
    ),
    _aspen(
        "educator_section_assignments", "educator_section_assignment_export",
        ("local_id", "login_name", "course_number", "school_local_id", "section_number", "term_local_id"),
        ("local_id", "course_number", "section_number"),
        ("district_school_year",),
    ),
    _aspen(
        "attendance", "attendance_export",
        ("local_id", "absence", "tardy", "dismissed", "excused", "event_date", "school_local_id"),
        ("local_id", "event_date"),
        ("state_id", "reason", "comment"),
    ),
    _aspen(
        "behavior", "behavior_export",
        ("local_id", "incident_code", "event_date", "school_local_id"),
        ("local_id", "event_date"),
        ("state_id", "incident_time", "incident_location", "incident_description"),
    ),
    _aspen(
        "assessments", "assessment_export",
        ("local_id", "assessment_date", "assessment_name", "assessment_subject"),
        ("local_id",),
        ("state_id", "school_local_id", "assessment_scale_score", "assessment_performance_level",
         "assessment_growth", "assessment_test"),
        # Student Insights' own fixtures spell it both ways.
        {"assessment_perf_level": "assessment_performance_level"},
    ),
)

# STAR comes as one file per subject (SR = reading, SM = math), in the v2 or the older v1 layout.
# The layout is told by the header; both land in the subject's table and staging reads either.
STAR_LAYOUTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "v2": (("school_identifier", "student_identifier", "completed_date", "percentile_rank"),
           ("student_identifier",)),
    "v1": (("school_local_id", "student_local_id", "assessment_date", "percentile_rank"),
           ("student_local_id",)),
}
STAR_OPTIONAL = ("grade_equivalent", "total_time_in_seconds", "total_time", "scaled_score", "assessment_id")
# Columns only one layout has: a file of the other layout does not "lack" them.
STAR_LAYOUT_ONLY = {"v2": ("total_time_in_seconds",), "v1": ("total_time",)}
# Files (or members of a zip of any name) route by their own name: SR_v2.csv, SM.csv, StarReading.csv;
# a zip holding one file may also be named for it (star_reading.zip).
STAR = (
    EntitySpec("star", "reading", ("SR*.csv", "*star*reading*.csv", "*star*reading*.zip", "SR*.zip"), (), (),
               STAR_OPTIONAL),
    EntitySpec("star", "math", ("SM*.csv", "*star*math*.csv", "*star*math*.zip", "SM*.zip"), (), (), STAR_OPTIONAL),
)

DISTRICT = (
    EntitySpec("district", "orgs", ("orgs*.csv",), ("org_id", "name", "org_type", "parent_org_id"), ("org_id",),
               ("low_grade", "high_grade", "nces_id", "state_org_id", "stmath_iid", "address", "city", "state",
                "zip", "phone")),
    # Dashboard access the SIS does not express: a counselor of four schools, a special-education
    # coordinator, a regional superintendent. grantee: a staff id or login; scope: an org id (any
    # level: the org's whole subtree) or a section id; dates bound the grant (inclusive).
    EntitySpec("district", "access_grants", ("access_grants*.csv",), ("grantee", "scope"), ("grantee", "scope"),
               ("role", "start_date", "end_date", "note")),
)

FILE_SOURCES: dict[str, tuple[EntitySpec, ...]] = {"district": DISTRICT, "aspen": ASPEN, "star": STAR}


def star_layout(columns: list[str]) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """Pick the STAR layout a header belongs to: (layout, required, keys). Defaults to v2's rules."""
    for layout, (required, keys) in STAR_LAYOUTS.items():
        if keys[0] in columns:
            return layout, required, keys
    return "v2", *STAR_LAYOUTS["v2"]


def raw_file_columns(spec: EntitySpec) -> list[str]:
    """Every column a file-fed raw table has, whatever tonight's file held (the record number last)."""
    columns = set(spec.known)
    if spec.source == "star":
        columns |= {c for required, keys in STAR_LAYOUTS.values() for c in (*required, *keys)}
    return [*sorted(columns), *META_COLUMNS]


# PowerSchool, as read from its database (schema ps on Oracle): the only columns ever copied, each
# with the type it lands as whatever the database reports (Oracle's NUMBER(10,0) arrives as a
# float without this). No password, SSN or other column outside these lists is read at all.
# Kinds: int, date (a DATE with a time keeps its day), text.
POWERSCHOOL_TABLES: dict[str, dict[str, str]] = {
    "students": {"id": "int", "dcid": "int", "student_number": "text", "state_studentnumber": "text",
                 "first_name": "text", "middle_name": "text", "last_name": "text", "dob": "date", "gender": "text",
                 "grade_level": "int", "schoolid": "int", "enroll_status": "int", "entrydate": "date",
                 "exitdate": "date", "fedethnicity": "int", "lunchstatus": "text"},
    "schools": {"id": "int", "school_number": "int", "name": "text", "low_grade": "int", "high_grade": "int"},
    "users": {"dcid": "int", "homeschoolid": "int", "teachernumber": "text", "first_name": "text",
              "middle_name": "text", "last_name": "text", "email_addr": "text", "teacherloginid": "text"},
    "schoolstaff": {"id": "int", "dcid": "int", "users_dcid": "int", "schoolid": "int", "status": "int"},
    "courses": {"course_number": "text", "course_name": "text"},
    "sections": {"id": "int", "course_number": "text", "section_number": "text", "schoolid": "int", "termid": "int",
                 "teacher": "int", "expression": "text", "room": "text"},
    "sectionteacher": {"id": "int", "sectionid": "int", "teacherid": "int", "roleid": "int", "start_date": "date",
                       "end_date": "date"},
    "terms": {"id": "int", "name": "text", "abbreviation": "text", "firstday": "date", "lastday": "date",
              "yearid": "int", "schoolid": "int"},
    "cc": {"id": "int", "studentid": "int", "sectionid": "int", "schoolid": "int", "termid": "int",
           "dateenrolled": "date", "dateleft": "date"},
    "studentrace": {"studentid": "int", "racecd": "text"},
}
# English-learner, special-education and 504 status live in a district's own extension tables
# (S_<state>_STU_X, U_ tables); the settings name them (powerschool_programs) and the loader copies
# those columns alone, keyed by the student's dcid, into this table.
POWERSCHOOL_PROGRAMS: dict[str, str] = {"studentsdcid": "int", "ell_code": "text", "sped_code": "text",
                                        "plan_504_code": "text"}
POWERSCHOOL_PROGRAM_FIELDS = ("ell_code", "sped_code", "plan_504_code")


def powerschool_raw_tables() -> dict[str, dict[str, str]]:
    """Every raw_powerschool table and its typed columns (its load is one row of raw_meta.table_files)."""
    return {**POWERSCHOOL_TABLES, "student_programs": POWERSCHOOL_PROGRAMS}


# Fields about a child that no vendor receives unless the district switches them on for that vendor
# (exports[].share in district.yml): each vendor's files stay valid without them.
SENSITIVE_FIELDS = ("birth_date", "race_ethnicity", "iep", "plan_504", "lunch", "ell", "address")


@dataclass(frozen=True)
class Vendor:
    """A vendor file set: its command-line key, its dbt folder (and tag) and its credential suffix."""

    key: str  # sds-v2.1: what district.yml and the command line say
    folder: str  # sds_v21: models/exports/<folder>/, and the dbt tag of those views
    label: str

    @property
    def env_suffix(self) -> str:
        """SDS_V21: the suffix of the vendor's own SFTP credentials (SCHOOLHOUSE_SFTP_PASSWORD_SDS_V21)."""
        return self.folder.upper()

    @property
    def dbt_selection(self) -> str:
        """The dbt selection that builds and tests this vendor's views (and what they share)."""
        return f"tag:exports_shared tag:{self.folder}"


VENDORS: dict[str, Vendor] = {v.key: v for v in (
    Vendor("sds-v2.1", "sds_v21", "Microsoft School Data Sync v2.1"),
    Vendor("sds-v1", "sds_v1", "Microsoft School Data Sync v1"),
    Vendor("stmath", "stmath", "ST Math"),
    Vendor("oneroster-1.1", "oneroster_11", "OneRoster 1.1"),
    Vendor("clever", "clever", "Clever"),
)}
