"""The nightly job's own rules: settings from district.yml and the environment, and a night whose
dbt build fails (an error-severity test) stops before any export, keeping yesterday's files."""

from __future__ import annotations

import hashlib
import json
import re

import pytest
import yaml

from generator import generate
from schoolhouse.nightly import run_nightly
from schoolhouse.settings import load_settings


def test_settings_come_from_the_environment_without_a_file(monkeypatch, tmp_path):
    monkeypatch.setenv("SCHOOLHOUSE_EMAIL_DOMAIN", "District.ORG")
    monkeypatch.setenv("SCHOOLHOUSE_SHRINK_GUARD_MAX_DROP", "0.2")
    monkeypatch.setenv("SCHOOLHOUSE_EXPORTS", '[{"vendor": "clever", "to": "sftp://u@h:22/in"}]')
    s = load_settings(None)
    assert (s.email_domain, s.shrink_guard_max_drop, s.exports[0].vendor) == ("district.org", 0.2, "clever")
    assert s.dbt_vars()["email_domain"] == "district.org"
    # The file is overridden by the environment, and refuses secrets.
    (tmp_path / "d.yml").write_text("email_domain: other.org\nsources: {aspen: drop}\n")
    s = load_settings(tmp_path / "d.yml")
    assert s.email_domain == "district.org" and s.sources["aspen"] == str(tmp_path / "drop")
    (tmp_path / "bad.yml").write_text("sftp_password: hunter2\n")
    with pytest.raises(ValueError, match="secret"):
        load_settings(tmp_path / "bad.yml")
    monkeypatch.setenv("SCHOOLHOUSE_EMAIL_DOMAIN", "not a domain")
    with pytest.raises(ValueError, match="email_domain"):
        load_settings(None)


def test_a_failing_dbt_test_stops_the_night_before_any_export(duckdb_warehouse, tmp_path, monkeypatch):
    wh = duckdb_warehouse
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    monkeypatch.setenv("DBT_LOG_PATH", str(tmp_path / "logs"))
    district = tmp_path / "district"
    manifest = generate(district, students=60, seed=3)
    # The district's orgs.csv lists a school twice: every file still loads, but the export views'
    # unique test on orgs.csv sourcedId (error severity) fails in dbt build.
    orgs = (district / "orgs.csv").read_bytes().splitlines(keepends=True)
    school = next(line for line in orgs if b",school," in line)
    (district / "orgs.csv").write_bytes(b"".join(orgs) + school)
    # Yesterday's files, which the vendor must keep.
    out = tmp_path / "out" / "clever"
    out.mkdir(parents=True)
    (out / "students.csv").write_bytes(b"School_id,Student_id\r\nyesterday,1\r\n")
    config = tmp_path / "district.yml"
    config.write_text(yaml.safe_dump({
        "email_domain": "example-district.org", "student_email_domain": "students.example-district.org",
        "as_of_date": manifest["as_of_date"],
        "sources": {s: str(district) for s in ("district", "aspen", "star")},
        "exports": [{"vendor": "clever", "to": str(out)}, {"vendor": "sds-v2.1", "to": str(tmp_path / "out" / "sds")}],
    }))

    assert run_nightly(load_settings(config)).exit_code == 1

    assert [p.name for p in out.iterdir()] == ["students.csv"]
    assert hashlib.sha256((out / "students.csv").read_bytes()).hexdigest() == \
        hashlib.sha256(b"School_id,Student_id\r\nyesterday,1\r\n").hexdigest()
    assert not (tmp_path / "out" / "sds").exists()
    (status, exit_code, message, steps), = wh.query("select status, exit_code, message, steps from raw_meta.runs")
    steps = {s["name"]: s for s in json.loads(steps)}
    assert (status, exit_code) == ("failed", 1)
    assert [steps[f"load:{s}"]["status"] for s in ("district", "aspen", "star")] == ["ok", "ok", "ok"]
    assert steps["build"]["status"] == "failed" and "no export was sent" in message
    assert steps["export:clever"]["status"] == steps["export:sds-v2.1"]["status"] == "skipped"
    assert wh.query("select count(*) from raw_meta.exports")[0][0] == 0
    # It was the export views' unique tests that stopped the night (and nothing else failed).
    results = json.loads((tmp_path / "target" / "run_results.json").read_text())["results"]
    failed = {r["unique_id"].split(".")[2] for r in results if r["status"] in ("fail", "error")}
    assert failed and all(name.startswith(("unique_", "export_file_", "relationships_")) for name in failed), failed
    assert any("orgs" in name or "school" in name for name in failed)


def test_a_failed_export_check_is_said_in_a_plain_sentence(duckdb_warehouse, tmp_path, monkeypatch):
    """The issue's example: no student_email_domain, so students have no username. The command says
    what is wrong, how many, what fixes it and which students, not a dbt test name."""
    from click.testing import CliRunner

    from schoolhouse.cli import main

    district = tmp_path / "district"
    manifest = generate(district, students=60, seed=3)
    # Three students have no email in the SIS; with no student_email_domain they get no username.
    students = district / "students_export.txt"
    header, *rows = students.read_bytes().split(b"\r\n")
    at = header.split(b",").index(b'"primary_email"')
    for i in (3, 9, 17):
        fields = rows[i].split(b'","')
        fields[at] = b""
        rows[i] = b'","'.join(fields)
    students.write_bytes(b"\r\n".join([header, *rows]))
    config = tmp_path / "district.yml"
    config.write_text(yaml.safe_dump({
        "email_domain": "example-district.org", "as_of_date": manifest["as_of_date"],
        "sources": {s: str(district) for s in ("district", "aspen", "star")},
        "exports": [{"vendor": "clever", "to": str(tmp_path / "out")}],
    }))
    monkeypatch.setenv("SCHOOLHOUSE_CONFIG", str(config))
    for source in ("district", "aspen", "star"):
        CliRunner().invoke(main, ["load", source])
    result = CliRunner().invoke(main, ["build"])
    assert result.exit_code == 1
    said = " ".join(result.output.split())
    # dbt's own count for the test (one row per empty required value), and the sentence's
    dbt_count = re.search(r"required_columns_exports__active_students_\S*.*?Got (\d+) results", said).group(1)
    sentence = re.search(r"(\d+) active students have no username \(exports__active_students\.username\)\. "
                         r"To fix: set student_email_domain in district\.yml[^.]*\. Examples: ([^.]*)\.", said)
    assert sentence, said[-3000:]
    assert sentence.group(1) == dbt_count == "3"
    examples = sentence.group(2).split(", ")
    assert 1 <= len(examples) <= 5 and all(e.isdigit() for e in examples), examples
    # Only export checks failed, so the marts are tonight's and published.
    assert "The marts are built and published" in said
    wh = duckdb_warehouse
    assert wh.query("select count(*) from exports.exports__active_students where username is null")[0][0] == 3

    # The export command refuses Clever, saying why, and keeps a sync log naming the three students.
    pushed = CliRunner().invoke(main, ["export", "clever", "--to", str(tmp_path / "out")])
    assert pushed.exit_code == 1 and "Refused to push clever" in " ".join(pushed.output.split())
    assert not (tmp_path / "out").exists()
    missing = {r[0] for r in wh.query("select student_id from exports.exports__active_students where username is null")}
    logged = wh.query("select row_key, field, rule, severity from marts.dq_export_issues")
    assert {r[0] for r in logged} == missing and {r[1:] for r in logged} == {("username", "not_null", "error")}
    assert wh.query("select distinct status from raw_meta.exports") == [("refused",)]

    # The nightly does the same within the night: build warned, Clever refused, the night failed.
    run = run_nightly(load_settings(config))
    steps = {s.name: s for s in run.steps}
    assert (run.status, steps["build"].status, steps["export:clever"].status) == ("failed", "warning", "failed")
    assert "3 active students have no username" in steps["export:clever"].message

    # The data-health page shows each destination's last status and its sync log.
    from dashboards import data

    admin = wh.query("select staff_id from marts.access_viewers where can_see_data_health order by staff_id limit 1")[0][0]
    last, log = data.health_last_pushes.__wrapped__(admin)
    assert list(last.status) == ["refused"] and list(last.vendor) == ["clever"]
    assert set(log.row_key) <= missing | {"(not yours)"} and set(log.rule) == {"not_null"}

    # The one test of a view's required columns counts each column apart, as not_null per column did:
    # with a student id emptied too, two columns fail, each with its own count.
    from exports.checks import _required_columns_failing
    from schoolhouse.dbt_runner import target_dir

    results = json.loads((target_dir(load_settings(config)) / "run_results.json").read_text())["results"]
    [compiled] = [r["compiled_code"] for r in results if r["unique_id"].startswith("test.schoolhouse.required_columns_exports__active_students")]
    wh.execute_many([("update exports.exports__active_students set student_id = null where student_id in "
                      "(select min(student_id) from exports.exports__active_students where username is not null)", ())])
    nulls = {c: wh.query(f"select count(*) from exports.exports__active_students where {c} is null")[0][0]
             for c in ("student_id", "username")}
    assert nulls == {"student_id": 1, "username": 3}
    assert _required_columns_failing(wh, compiled) == [(c, "not_null", n) for c, n in sorted(nulls.items())]


def test_unit_tests_run_again_only_when_what_they_test_changed(tmp_path):
    """The nightly skips dbt's unit tests when their fingerprint matches the last whole build that
    passed them: the fingerprint must move with the code, the seeds, the engine and the district's
    vars, and must not move with tonight's date (or every night would run them, or none would)."""
    import shutil
    from dataclasses import replace

    from schoolhouse.build import unit_tests_fingerprint

    settings = load_settings()
    for part in ("dbt_project.yml", "models", "macros", "seeds", "snapshots", "tests/dbt"):
        source = settings.project_dir / part
        (shutil.copytree if source.is_dir() else shutil.copyfile)(source, tmp_path / part)
    copy = replace(settings, project_dir=tmp_path)
    tonight = {"as_of_date": "2026-11-02", "snapshot_at": "2026-11-02 02:00:00", "email_domain": "d.org"}
    first = unit_tests_fingerprint(copy, tonight)
    assert first == unit_tests_fingerprint(settings, tonight), "the copy is the project"
    assert unit_tests_fingerprint(copy, {**tonight, "as_of_date": "2026-11-03", "snapshot_at": "2026-11-03 02:00:00"}) == first
    assert unit_tests_fingerprint(copy, {**tonight, "email_domain": "other.org"}) != first
    assert unit_tests_fingerprint(replace(copy, target="postgres"), tonight) != first
    seed = next((tmp_path / "seeds").rglob("*.csv"))
    seed.write_text(seed.read_text() + "\n")
    edited_seed = unit_tests_fingerprint(copy, tonight)
    model = next((tmp_path / "models").rglob("*.sql"))
    model.write_text(model.read_text() + "\n-- edited\n")
    assert len({first, edited_seed, unit_tests_fingerprint(copy, tonight)}) == 3
