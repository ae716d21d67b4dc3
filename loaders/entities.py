"""What each source sends: file patterns, required columns and key columns per entity.

Column names are in their normalised form (see ``loaders.reader.normalise_header``): stripped,
unquoted, snake_case. Districts override file patterns in ``district.yml``; the columns are the
contract our staging models rely on, so they live here beside the reader.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EntitySpec:
    source: str
    entity: str  # the raw table name
    patterns: tuple[str, ...]  # fnmatch patterns, matched case-insensitively against the file name
    required: tuple[str, ...]  # a file missing one of these is refused
    keys: tuple[str, ...]  # a row with one of these empty is rejected ("missing_key")
    optional: tuple[str, ...] = ()  # known columns a file may omit; anything else is reported as extra

    @property
    def known(self) -> frozenset[str]:
        return frozenset(self.required) | frozenset(self.keys) | frozenset(self.optional)


def _aspen(entity: str, stem: str, required: tuple[str, ...], keys: tuple[str, ...],
           optional: tuple[str, ...] = ()) -> EntitySpec:
    return EntitySpec("aspen", entity, (f"{stem}*.txt", f"{stem}*.csv"), required, keys, optional)


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
    _aspen(
        "student_section_assignments", "student_section_assignment_export",
        ("local_id", "course_number", "school_local_id", "section_number", "term_local_id",
         "district_school_year"),
        ("local_id", "course_number", "section_number"),
    ),
    _aspen(
        "educator_section_assignments", "educator_section_assignment_export",
        ("local_id", "login_name", "course_number", "school_local_id", "section_number", "term_local_id",
         "district_school_year"),
        ("local_id", "course_number", "section_number"),
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
STAR = (
    EntitySpec("star", "reading", ("SR*.csv", "*star_reading*.zip", "SR*.zip"), (), (), STAR_OPTIONAL),
    EntitySpec("star", "math", ("SM*.csv", "*star_math*.zip", "SM*.zip"), (), (), STAR_OPTIONAL),
)

DISTRICT = (
    EntitySpec("district", "orgs", ("orgs*.csv",), ("org_id", "name", "org_type", "parent_org_id"), ("org_id",),
               ("low_grade", "high_grade", "nces_id", "state_org_id", "stmath_iid", "address", "city", "state",
                "zip", "phone")),
)

FILE_SOURCES: dict[str, tuple[EntitySpec, ...]] = {"aspen": ASPEN, "star": STAR, "district": DISTRICT}


def star_layout(columns: list[str]) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """Pick the STAR layout a header belongs to: (layout, required, keys). Defaults to v2's rules."""
    for layout, (required, keys) in STAR_LAYOUTS.items():
        if keys[0] in columns:
            return layout, required, keys
    return "v2", *STAR_LAYOUTS["v2"]


# PowerSchool's core tables as read from its database (shared/specs/sis-inputs.md). Types vary by
# server, so staging casts every column; these lists let an empty table of the right shape exist
# before the first load.
POWERSCHOOL_TABLES: dict[str, tuple[str, ...]] = {
    "students": ("id", "dcid", "student_number", "state_studentnumber", "first_name", "middle_name", "last_name",
                 "dob", "gender", "grade_level", "schoolid", "enroll_status", "entrydate", "exitdate", "home_room",
                 "ethnicity", "fedethnicity"),
    "schools": ("school_number", "name", "low_grade", "high_grade"),
    "teachers": ("id", "teachernumber", "first_name", "last_name", "email_addr", "schoolid", "status"),
    "users": ("id", "teachernumber", "first_name", "last_name", "email_addr", "schoolid", "status"),
    "courses": ("course_number", "course_name"),
    "sections": ("id", "course_number", "section_number", "schoolid", "termid", "teacher", "expression", "period"),
    "terms": ("id", "name", "firstday", "lastday", "yearid", "schoolid"),
    "cc": ("studentid", "sectionid", "termid", "dateenrolled", "dateleft"),
}
