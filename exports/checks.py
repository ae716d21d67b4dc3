"""Failed export checks as a district reads them: what is wrong, in how many rows of which file,
what fixes it, and up to five example keys.

dbt says ``required_columns_exports__active_students_... Got 16 results``; this module says
``16 active students have no username (exports__active_students.username): set
student_email_domain in district.yml ... e.g. 1001, 1002``. It reads dbt's own run results and
manifest (no second list of checks): a test's rule comes from its test metadata, the fix from the
``meta.fix`` of the column it tests (or of the test, or of the model), the examples from the view.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path

from schoolhouse.warehouse import Warehouse, quote_identifier

EXAMPLES = 5

RULES = {
    "not_null": "have no {column}",
    "unique": "repeat a {column} another row has",
    "accepted_values": "have a {column} outside the values the vendor accepts ({values})",
    "relationships": "have a {column} that is not in {to}",
    "export_file": "break a rule of the vendor's file format",
}
DEFAULT_FIX = "see the column's description in the model's YAML (dbt docs) for where the value comes from"


@dataclass(frozen=True)
class FailedCheck:
    test: str  # dbt's name for it
    model: str  # the view it checks
    file_name: str | None  # the vendor file, when the view is one
    vendor: str | None  # None: a shared view every vendor's files are built from
    column: str | None
    rule: str  # not_null, unique, accepted_values, relationships, export_file, or a test's own name
    rows: int
    severity: str  # error | warn
    fix: str
    examples: tuple[str, ...]
    accepted: tuple[str, ...] = ()  # accepted_values: what the vendor takes
    rows_are: str | None = None  # the model's meta.rows_are: "active students"
    relation: str = ""  # where to find the failing rows again
    key_column: str | None = None
    compiled: str = field(default="", repr=False)

    def sentence(self) -> str:
        what = self.file_name or self.model
        if self.rule == "build":
            return f"The export view {self.model} ({what}) could not be built. To fix: {self.fix}."
        where = f"{self.model}.{self.column}" if self.column else self.model
        values = ", ".join(self.accepted[:8]) + (", ..." if len(self.accepted) > 8 else "")
        rule = RULES.get(self.rule, "fail the check {test}").format(
            column=self.column or "value", values=values, to="the file it refers to", test=self.test).replace(" ()", "")
        subject = self.rows_are or f"{'row' if self.rows == 1 else 'rows'} of {what}"
        if self.rows == 1:  # "1 row of orgs.csv repeats ...", "1 active students has" reads wrong either way
            verb, _, rest = rule.partition(" ")
            rule = {"have": "has", "repeat": "repeats", "break": "breaks", "fail": "fails"}.get(verb, verb) + " " + rest
        examples = f" Examples: {', '.join(self.examples)}." if self.examples else ""
        return f"{self.rows:,} {subject} {rule} ({where}). To fix: {self.fix}.{examples}"


def failing_keys(wh: Warehouse, check: FailedCheck, limit: int) -> list[str]:
    """Keys (the view's row key, _row_key) of rows that fail ``check``, or the failing values themselves."""
    try:
        if check.rule == "not_null" and check.column and check.key_column:
            rows = wh.query(f"select {quote_identifier(check.key_column)} from {check.relation} "
                            f"where {quote_identifier(check.column)} is null order by 1 limit {limit}")
        elif check.compiled:
            rows = wh.query(f"select * from ({check.compiled}) as failing limit {limit}")
        else:
            return []
    except Exception:  # noqa: BLE001 - keys help; their absence must not hide the sentence
        return []
    return [" / ".join("" if v is None else str(v) for v in row[:3]) for row in rows]


def _row_key(meta: dict, columns: dict) -> str | None:
    """The column that names a row: meta.row_key, else the first of meta.unique_key, else the first column."""
    unique = meta.get("unique_key") or []
    return meta.get("row_key") or (unique[0] if isinstance(unique, list) and unique else None) or next(iter(columns), None)


def _meta(node: dict) -> dict:
    return {**(node.get("meta") or {}), **((node.get("config") or {}).get("meta") or {})}


@dataclass(frozen=True)
class BuildChecks:
    """What the last dbt run says about the export views: every failed or warned check, and
    whether the run's failures (errors, failed tests) were all in the export views or their tests
    (then the marts are whole, and only the vendors concerned must be refused)."""

    checks: list[FailedCheck]
    only_exports_failed: bool

    def sentences(self, *, severity: str = "error", vendor: str | None = None) -> list[str]:
        """The checks at ``severity`` (of ``vendor``'s files, when given), one plain sentence each."""
        checks = [c for c in self.checks if c.severity == severity]
        return [c.sentence() for c in (for_vendor(checks, vendor) if vendor else checks)]


def read_build(wh: Warehouse, target: Path) -> BuildChecks:
    """The last dbt run (``target``: its run_results.json and manifest.json, each read once)."""
    try:
        results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))["results"]
        nodes = json.loads((target / "manifest.json").read_text(encoding="utf-8")).get("nodes", {})
    except (OSError, ValueError, KeyError):
        return BuildChecks([], False)
    return BuildChecks(_failed_checks(wh, results, nodes), _only_exports_failed(results, nodes))


def _failed_checks(wh: Warehouse, results: list[dict], nodes: dict) -> list[FailedCheck]:
    # A vendor view's column without a fix of its own takes the fix of the shared column it comes from.
    shared_fixes = {name.lower(): _meta(col)["fix"] for n in nodes.values() if n.get("resource_type") == "model"
                    and "shared" in (n.get("fqn") or []) for name, col in (n.get("columns") or {}).items()
                    if _meta(col).get("fix")}
    out = []
    for result in results:
        node = nodes.get(result["unique_id"]) or {}
        if node.get("resource_type") == "model" and result.get("status") == "error" and "exports" in node.get("fqn", []):
            meta = _meta(node)
            out.append(FailedCheck(
                test=node["name"], model=node["name"], file_name=meta.get("file_name"), vendor=meta.get("vendor"),
                column=None, rule="build", rows=0, severity="error", examples=(),
                fix=f"the view could not be built ({(result.get('message') or '').splitlines()[0][:300]})"))
            continue
        if result.get("status") not in ("fail", "warn"):
            continue
        model = nodes.get(node.get("attached_node") or "") or {}
        if node.get("resource_type") != "test" or "exports" not in (model.get("fqn") or []):
            continue
        rule = (node.get("test_metadata") or {}).get("name") or node.get("name", "")
        per_column = [((node.get("column_name") or "").strip('"') or None, rule, int(result.get("failures") or 0))]
        if rule == "required_columns":
            per_column = _required_columns_failing(wh, result.get("compiled_code") or "") or per_column
        for column, column_rule, rows in per_column:
            check = _check(node, model, result, column, column_rule, rows, shared_fixes)
            out.append(replace(check, examples=tuple(failing_keys(wh, check, EXAMPLES))))
    return sorted(out, key=lambda c: (c.severity != "error", c.vendor or "", c.file_name or c.model, c.column or ""))


def _check(node: dict, model: dict, result: dict, column: str | None, rule: str, rows: int,
           shared_fixes: dict[str, str]) -> FailedCheck:
    meta = _meta(model)
    kwargs = (node.get("test_metadata") or {}).get("kwargs") or {}
    columns = {name.strip('"'): col for name, col in (model.get("columns") or {}).items()}
    col_meta = _meta(columns.get(column, {})) if column else {}
    fix = (col_meta.get("fix") or _meta(node).get("fix") or meta.get("fix")
           or shared_fixes.get((column or "").lower()) or DEFAULT_FIX)
    return FailedCheck(
        test=node.get("name", result["unique_id"]), model=model.get("name", "?"), file_name=meta.get("file_name"),
        vendor=meta.get("vendor"), column=column, rule=rule, rows_are=meta.get("rows_are"),
        rows=rows, severity="warn" if result["status"] == "warn" else "error",
        fix=fix.rstrip("."), examples=(), accepted=tuple(str(v) for v in kwargs.get("values") or ()),
        relation=f"{quote_identifier(model.get('schema', ''))}.{quote_identifier(model.get('alias') or model.get('name', ''))}",
        key_column=_row_key(meta, columns), compiled=result.get("compiled_code") or "")


def _required_columns_failing(wh: Warehouse, compiled: str) -> list[tuple[str, str, int]]:
    """A failed required_columns test (macros/generic_tests.sql) as dbt's not_null per column would
    have said it: (column, 'not_null', rows with it null). Empty when the view cannot be read again."""
    if not compiled:
        return []
    try:
        rows = wh.query(f"select column_name, count(*) from ({compiled}) as failing group by column_name order by 1")
    except Exception:  # noqa: BLE001 - then the test is said as one check, by its name
        return []
    return [(str(name), "not_null", int(n)) for name, n in rows]


def _only_exports_failed(results: list[dict], nodes: dict) -> bool:
    failed = [r for r in results if r.get("status") in ("error", "fail")]
    for r in failed:
        node = nodes.get(r["unique_id"]) or {}
        owner = nodes.get(node.get("attached_node") or "") if node.get("resource_type") == "test" else node
        if "exports" not in ((owner or {}).get("fqn") or []):
            return False
    return bool(failed)


def for_vendor(checks: list[FailedCheck], vendor: str) -> list[FailedCheck]:
    """The checks that concern ``vendor``'s files: its own views, and the shared views they are built from."""
    return [c for c in checks if c.vendor in (None, vendor)]
