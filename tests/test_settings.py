"""One settings object for every command: which file, what overrides what, what is refused."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from schoolhouse.settings import PROJECT_DIR, SettingsError, declared_dbt_vars, load_settings


def test_the_example_file_is_a_valid_configuration():
    settings = load_settings(PROJECT_DIR / "district.example.yml")
    assert settings.target == "duckdb" and settings.exports and settings.sources
    assert settings.dbt_vars()["email_domain"] == "example-district.org"


def test_which_file_is_read(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert load_settings().config_file is None  # no file at all is fine
    (tmp_path / "district.yml").write_text("district_name: Here\n")
    assert load_settings().district_name == "Here"  # ./district.yml when present
    other = tmp_path / "other.yml"
    other.write_text("district_name: Env\n")
    monkeypatch.setenv("SCHOOLHOUSE_CONFIG", str(other))
    assert load_settings().district_name == "Env"  # SCHOOLHOUSE_CONFIG before ./district.yml
    given = tmp_path / "given.yml"
    given.write_text("district_name: Given\n")
    assert load_settings(given).district_name == "Given"  # --config before both
    monkeypatch.setenv("SCHOOLHOUSE_CONFIG", str(tmp_path / "missing.yml"))
    with pytest.raises(SettingsError, match="missing.yml does not exist"):
        load_settings()


def test_environment_overrides_the_file_and_options_override_both(tmp_path, monkeypatch):
    config = tmp_path / "d.yml"
    config.write_text(yaml.safe_dump({"target": "postgres", "max_reject_share": 0.2, "archive_dir": "arch",
                                      "sis_source": "powerschool"}))
    settings = load_settings(config)
    assert settings.archive_dir == tmp_path / "arch"  # relative to the file's folder
    assert settings.landing_dir == tmp_path / "arch" / "landing"
    assert settings.dbt_vars()["sis_source"] == "powerschool"
    monkeypatch.setenv("SCHOOLHOUSE_MAX_REJECT_SHARE", "0.3")
    assert load_settings(config).max_reject_share == 0.3
    assert load_settings(config, max_reject_share=0.4, target="duckdb").max_reject_share == 0.4
    assert load_settings(config, target="duckdb").warehouse().target == "duckdb"


def test_dbt_vars_must_be_declared_in_the_project(tmp_path):
    declared = declared_dbt_vars()
    assert {"as_of_date", "sis_source", "email_domain", "chronic_absence_threshold"} <= set(declared)
    config = tmp_path / "d.yml"
    config.write_text("dbt_vars: {max_org_depth: 5}\n")
    assert load_settings(config).dbt_vars()["max_org_depth"] == 5
    config.write_text("dbt_vars: {max_org_dept: 5}\n")
    with pytest.raises(SettingsError, match="max_org_dept"):
        load_settings(config)


@pytest.mark.parametrize("text, setting", [
    ("target: oracle\n", "target"),
    ("as_of_date: 2026-13-01\n", "as_of_date"),
    ("max_reject_share: 2\n", "max_reject_share"),
    ("sftp_attempts: -1\n", "sftp_attempts"),
    ("demo_mode: maybe\n", "demo_mode"),
    ("file_patterns: {aspen: {pupils: ['x*.csv']}}\n", "pupils"),
    ("exports: [{vendor: blackboard, to: /tmp/x}]\n", "blackboard"),
    ("sources: {aspen: 'sftp://u:pw@h/x'}\n", "password"),
    ("colour: blue\n", "unknown settings"),
])
def test_a_bad_setting_is_one_sentence_naming_it(tmp_path, text, setting):
    config = tmp_path / "d.yml"
    config.write_text(text)
    with pytest.raises(SettingsError, match=setting) as info:
        load_settings(config)
    assert "\n" not in str(info.value)


def test_secrets_come_only_from_the_environment(tmp_path, monkeypatch):
    config = tmp_path / "d.yml"
    config.write_text("ldap_bind_password: hunter2\n")
    with pytest.raises(SettingsError, match="secret"):
        load_settings(config)
    monkeypatch.setenv("SCHOOLHOUSE_LDAP_BIND_PASSWORD", "hunter2")
    settings = load_settings()
    assert settings.secret("ldap_bind_password") == "hunter2"
    assert "hunter2" not in repr(settings)
    with pytest.raises(KeyError):
        settings.secret("pgpassword")


def test_export_scopes_name_the_grades_the_marts_use(tmp_path):
    """exports[].grades are the grade levels of dim_students (the seed's), and a vendor is scoped once."""
    import csv

    from schoolhouse.settings import GRADE_LEVELS, PROJECT_DIR

    with open(PROJECT_DIR / "seeds" / "vendor_grade_codes.csv", newline="") as handle:
        assert tuple(r["grade_level"] for r in csv.DictReader(handle)) == GRADE_LEVELS
    config = tmp_path / "district.yml"
    config.write_text(yaml.safe_dump({"exports": [{"vendor": "stmath", "to": "out", "grades": [3, "KG"]}]}))
    assert load_settings(config, environ={}).dbt_vars()["vendor_scopes"] == {"stmath": {"grades": ["03", "KG"]}}
    config.write_text(yaml.safe_dump({"exports": [{"vendor": "stmath", "to": "out", "grades": ["Grade 3"]}]}))
    with pytest.raises(SettingsError, match="grades are IT, PR"):
        load_settings(config, environ={})
    config.write_text(yaml.safe_dump({"exports": [{"vendor": "clever", "to": "a", "schools": ["1001"]},
                                                  {"vendor": "clever", "to": "b"}]}))
    with pytest.raises(SettingsError, match="different schools lists"):
        load_settings(config, environ={})


def test_a_retired_setting_still_loads_with_a_warning(tmp_path):
    """dlt_dir and dlt_progress were read before the loader replaced raw tables itself: a district's
    file that still has them keeps working, and is told to drop them."""
    config = tmp_path / "d.yml"
    config.write_text("dlt_dir: /srv/schoolhouse/.dlt_pipelines\ndlt_progress: true\ndistrict_name: X\n")
    with pytest.warns(UserWarning) as caught:
        settings = load_settings(config)
    assert sorted(str(w.message).split("the setting ")[1].split(" ")[0] for w in caught) == ["dlt_dir", "dlt_progress"]
    assert all("is no longer used" in str(w.message) and "remove it" in str(w.message) for w in caught)
    assert settings.district_name == "X"
    assert settings.cache_dir == Path.cwd() / ".schoolhouse_cache"
