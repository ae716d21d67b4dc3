"""The house rules of the Python, checked: imports flow one way, one module reads the environment,
one list of sources and vendors, library code never exits the process.

The layers (schoolhouse/__init__.py): foundation (schoolhouse.catalog, settings, warehouse, raw_meta,
sftp, dbt_runner, console) < steps (loaders, exports, dashboards, generator) < orchestration
(schoolhouse.build, schoolhouse.nightly, schoolhouse.spark) < the command line (schoolhouse.cli).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("schoolhouse", "loaders", "exports", "dashboards", "generator")
FOUNDATION = {f"schoolhouse.{m}" for m in ("catalog", "settings", "warehouse", "raw_meta", "app_store", "sftp",
                                          "dbt_runner", "console", "private_files", "journal", "generation", "notify")}
STEPS = ("loaders", "exports", "dashboards", "generator")
ORCHESTRATION = {"schoolhouse.build", "schoolhouse.nightly", "schoolhouse.replay", "schoolhouse.spark"}


def layer(module: str) -> int:
    if module in FOUNDATION or module == "schoolhouse":
        return 0
    if module.split(".")[0] in STEPS:
        return 1
    if module in ORCHESTRATION:
        return 2
    if module == "schoolhouse.cli":
        return 3
    raise AssertionError(f"{module} has no layer: add it to schoolhouse/__init__.py and to this test")


def modules() -> dict[str, Path]:
    out = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join(parts)] = path
    return out


def imports(path: Path, known: dict[str, Path]) -> set[str]:
    """The project modules a file imports, at any depth (lazy imports count too)."""
    found = set()
    package = path.parent.relative_to(ROOT).as_posix().replace("/", ".")
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*up, base] if base else up)
            names = [f"{base}.{a.name}" for a in node.names] + [base]
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name:
                found.add(name)
    return found


def test_imports_never_go_up_a_layer_and_steps_do_not_import_each_other():
    known = modules()
    wrong = []
    for module, path in known.items():
        for target in imports(path, known) - {module}:
            if module.startswith(target + "."):
                continue  # a package's own __init__
            if layer(target) > layer(module):
                wrong.append(f"{module} (layer {layer(module)}) imports {target} (layer {layer(target)})")
            elif layer(target) == layer(module) == 1 and target.split(".")[0] != module.split(".")[0]:
                wrong.append(f"{module} imports {target}: steps talk through the foundation, not to each other")
    assert not wrong, "\n".join(sorted(wrong))


def test_only_the_settings_module_reads_schoolhouse_variables():
    reads = re.compile(r"""(environ\.get|getenv|environ\[)\(?\s*f?["']SCHOOLHOUSE_""")
    offenders = [f"{path.relative_to(ROOT)}:{n}" for module, path in modules().items() if module != "schoolhouse.settings"
                 for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if reads.search(line) and not re.search(r"environ\[[^\]]+\]\s*=[^=]", line)]
    assert not offenders, f"read SCHOOLHOUSE_* through schoolhouse.settings, not here: {offenders}"


def test_library_code_never_exits_the_process():
    offenders = []
    for module, path in modules().items():
        if module in ("schoolhouse.cli", "dashboards.launch"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and ast.unparse(node.func) in ("sys.exit", "exit", "SystemExit"):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
            if isinstance(node, ast.Raise) and node.exc is not None and "SystemExit" in ast.unparse(node.exc):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders, f"raise an exception; only the command line turns it into an exit code: {offenders}"


@pytest.mark.parametrize("literal", ["sds-v2.1", "oneroster-1.1", "powerschool"])
def test_sources_and_vendors_are_listed_once(literal):
    """Vendor keys and source names are spelled in the catalog; everything else imports them."""
    allowed = {"schoolhouse.catalog"}
    quoted = re.compile(rf"""["']{re.escape(literal)}["']""")
    offenders = [f"{path.relative_to(ROOT)}" for module, path in modules().items()
                 if module not in allowed and module.split(".")[0] != "generator"
                 and quoted.search(path.read_text(encoding="utf-8"))]
    # The PowerSchool loader and the nightly's own rule ("powerschool is a database") may name it.
    if literal == "powerschool":
        offenders = [o for o in offenders if o not in ("loaders/intake.py", "loaders/powerschool.py")]
    assert not offenders, f"{literal!r} spelled outside schoolhouse/catalog.py: {offenders}"


def test_dashboards_read_marts_only_and_the_exposure_lists_exactly_what_they_read():
    import yaml

    code = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "dashboards").rglob("*.py"))
    elsewhere = sorted(set(re.findall(r"\b(?:raw_\w+|staging|intermediate|snapshots|exports)\.[a-z_]+\b", code)))
    assert not elsewhere, f"the dashboards read outside marts: {elsewhere}"
    read = set(re.findall(r"\bmarts\.([a-z_]+)", code))
    exposures = yaml.safe_load((ROOT / "models" / "exposures.yml").read_text(encoding="utf-8"))["exposures"]
    declared = {re.search(r"ref\('([a-z_]+)'\)", d).group(1)
                for e in exposures if e["name"] == "educator_dashboards" for d in e["depends_on"]}
    assert read == declared, f"read but not declared: {sorted(read - declared)}; declared, never read: {sorted(declared - read)}"


def test_no_sql_compares_with_not_in_a_subquery():
    """"x not in (select ...)" is unknown for every x once the subquery holds a null (a blank row in
    a crosswalk a district edits), so it silently matches nothing; and PostgreSQL runs it as a
    hashed subplan only while the subquery fits in work_mem, past that as a scan per row (a state's
    export checks did not end). "not exists" or an anti-join says what is meant on every engine."""
    pattern = re.compile(r"not\s+in\s*\(\s*select", re.IGNORECASE)
    found = [f"{path.relative_to(ROOT)}:{text[:m.start()].count(chr(10)) + 1}"
             for folder in ("models", "macros", "snapshots", "tests/dbt")
             for path in (ROOT / folder).rglob("*.sql") if (ROOT / folder).exists()
             for text in [path.read_text(encoding="utf-8")]
             for m in pattern.finditer(_without_comments(text))]
    assert not found, f"not in (select ...) in {found}"


def _without_comments(sql: str) -> str:
    """The SQL with its -- and Jinja {# #} comments blanked (their newlines kept, so lines still count)."""
    blank = lambda m: re.sub(r"[^\n]", " ", m.group(0))  # noqa: E731
    return re.sub(r"--[^\n]*", blank, re.sub(r"\{#.*?#\}", blank, sql, flags=re.DOTALL))
