"""Synthetic district generator: Aspen/X2 exports, STAR zips, orgs.csv, a PowerSchool SQLite copy, truth.json.

Public API::

    generate(out_dir, students, seed, day=60, school_year=2027, dirty=False) -> manifest dict

Conflict winner rule for duplicate students_export rows (shared with the loader and marts): among the
loaded rows of one local_id prefer an active enrollment_status (anything but Inactive, Withdrawn,
Graduated or a value starting with "Withdraw", trimmed, case-insensitive); then the latest
registration_date; then the row later in the file (higher record number).
"""
from .core import GENERATOR_VERSION, KEYS, generate, is_active_status, pick_winner

__all__ = ["generate", "GENERATOR_VERSION", "KEYS", "is_active_status", "pick_winner"]
