"""The ``schoolhouse`` command line: generate, load, build, export, nightly, dashboard.

Every command builds one Settings (``--config`` or SCHOOLHOUSE_CONFIG or ./district.yml, then
SCHOOLHOUSE_<SETTING>, then this command's own options) and exits 0 only when it did what it
says; otherwise one plain sentence names the file, the row or the rule. Library code raises;
only this module turns outcomes into exit codes.
"""

from __future__ import annotations

import functools
import logging
import sys
from pathlib import Path

import click
from rich.table import Table

from schoolhouse import private_files
from schoolhouse.catalog import SOURCES, VENDORS
from schoolhouse.console import console
from schoolhouse.generation import generation
from schoolhouse.settings import Settings, SettingsError, load_settings
from schoolhouse.warehouse import TARGETS


def _fail(message: str, code: int = 1) -> None:
    console.print(message, markup=False, style="red", soft_wrap=True)
    sys.exit(code)


def with_settings(fn):
    """Add --config to a command and hand it the one Settings object (a bad setting exits 2)."""

    @click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
                  help="district.yml (else SCHOOLHOUSE_CONFIG, else ./district.yml); SCHOOLHOUSE_<SETTING> overrides it.")
    @click.pass_context
    @functools.wraps(fn)
    def command(ctx: click.Context, config_file: Path | None, **kwargs):
        given = ctx.obj or {}
        overrides = {**given.get("overrides", {}), **kwargs.pop("_overrides", {})}
        try:
            settings = load_settings(config_file or given.get("config_file"), **overrides)
        except SettingsError as exc:
            _fail(str(exc), 2)
        # Close what an earlier version, or a run under another umask, left readable to others.
        private_files.tighten(private_files.student_data_paths(settings))
        return fn(settings, **kwargs)

    return command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--target", type=click.Choice(TARGETS), default=None,
              help="Warehouse engine: duckdb (default) or postgres (setting target, env SCHOOLHOUSE_TARGET).")
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="district.yml for every command (else SCHOOLHOUSE_CONFIG, else ./district.yml).")
@click.pass_context
def main(ctx: click.Context, target: str | None, config_file: Path | None) -> None:
    """Schoolhouse: a K-12 student data warehouse."""
    # Student data: whatever this run and the processes it starts create is owner-only.
    private_files.owner_only()
    # paramiko logs a dropped connection at ERROR even when our retry then succeeds.
    logging.getLogger("paramiko").setLevel(logging.CRITICAL)
    ctx.obj = {"config_file": config_file, "overrides": {"target": target}}


@main.command()
@click.option("--students", type=click.IntRange(1, 2_000_000), required=True, help="How many students.")
@click.option("--seed", type=int, required=True, help="Random seed: the same arguments give identical files.")
@click.option("--day", type=click.IntRange(1, 200), default=60, show_default=True, help="School day the district is as of.")
@click.option("--school-year", type=int, default=2027, show_default=True, help="Year the school year ends (2027 = 2026-27).")
@click.option("--dirty", is_flag=True, help="Inject the realities of real SIS exports and write truth.json.")
@click.option("--districts", type=click.IntRange(1, 9), default=1, show_default=True,
              help="Share the schools out over this many districts under one state (the first with a region).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True)
def generate(students: int, seed: int, day: int, school_year: int, dirty: bool, districts: int, out: Path) -> None:
    """Write a synthetic district: Aspen/X2 exports, STAR, orgs.csv and a PowerSchool database."""
    from generator import generate as run

    out.mkdir(parents=True, exist_ok=True)
    manifest = run(out, students=students, seed=seed, day=day, school_year=school_year, dirty=dirty, districts=districts)
    console.print(f"[green]Wrote[/] a district of {students:,} students as of {manifest['as_of_date']} to {out}")


def _reject_share_override(fn):
    @click.option("--max-reject-share", type=float, default=None,
                  help="Refuse a file when more than this share of its rows cannot be read (setting max_reject_share, 0.10).")
    @functools.wraps(fn)
    def command(*args, max_reject_share: float | None, **kwargs):
        return fn(*args, _overrides={"max_reject_share": max_reject_share}, **kwargs)
    return command


@main.command()
@click.argument("source", type=click.Choice(SOURCES))
@click.argument("location", required=False)
@click.option("--force", is_flag=True, help="Reload files even when they are already the current load.")
@_reject_share_override
@with_settings
def load(settings: Settings, source: str, location: str | None, force: bool) -> None:
    """Load SOURCE's files from LOCATION (a folder, sftp://user@host:port/path, or a database URL;
    default: sources.SOURCE in the settings)."""
    from loaders.intake import load_location
    from loaders.load import SourceUnreadable
    from schoolhouse import journal

    with generation(settings, "load") as gen:
        try:
            summary = load_location(gen.settings, source, location, force=force, progress=console.log)
        except SourceUnreadable as exc:  # an SFTP server's refusal too
            _fail(f"Nothing was loaded from {location or settings.sources.get(source)}: {exc}")
        gen.record(journal.load_step(gen.settings, source, summary.archived, force=force))
        gen.publish()  # a refused file loaded nothing; what did load, and the refusal's record, are kept
    print_load_summary(summary)
    for o in summary.unrecognised:
        console.print(o.message, markup=False, style="yellow", soft_wrap=True)
    if summary.recognised_nothing:
        _fail(f"Nothing was loaded: no file in {location or settings.sources.get(source)} is a {source} file "
              f"({', '.join(o.file_name for o in summary.unrecognised)}).")
    if not summary.ok:
        _fail(" ".join(o.message for o in summary.refused))


def _load_note(o) -> str:
    if o.status != "loaded":
        return o.message
    notes = [f"not in tonight's file (null): {o.missing_columns}" if o.missing_columns else "",
             f"extra columns: {o.extra_columns}" if o.extra_columns else "", o.message]
    return "; ".join(n for n in notes if n)


def print_load_summary(summary) -> None:
    table = Table(title=f"{summary.source} load {summary.load_id}")
    for col in ("entity", "file", "status", "read", "loaded", "rejected", "note"):
        table.add_column(col, justify="right" if col in ("read", "loaded", "rejected") else "left", overflow="fold")
    for o in summary.outcomes:
        colour = {"loaded": "green", "unchanged": "cyan", "refused": "red", "unrecognised": "yellow"}[o.status]
        table.add_row(o.entity or "—", o.file_name, f"[{colour}]{o.status}[/]", f"{o.rows_read:,}",
                      f"{o.rows_loaded:,}", f"{o.rows_rejected:,}", _load_note(o))
    for entity in summary.missing:
        note = "no file tonight, and none loaded before" if entity in summary.never_loaded else \
            "no file tonight; previous data kept"
        table.add_row(entity, "—", "[yellow]no file[/]", "", "", "", note)
    console.print(table)


def _lines(sentences: list[str]) -> str:
    return "".join("\n" + s for s in sentences)


@main.command()
@click.option("--select", "select", default=None,
              help="dbt node selection (default: everything); only tests whose every parent is selected run.")
@click.option("--full-refresh", is_flag=True, help="Rebuild incremental facts from scratch (snapshots keep their history).")
@with_settings
def build(settings: Settings, select: str | None, full_refresh: bool) -> None:
    """dbt build (seeds, models, snapshots, tests) with every dbt var the settings imply.
    On DuckDB readers see the result only when every node succeeded; a failed build changes nothing."""
    from exports.checks import read_build
    from schoolhouse.build import build as run_build
    from schoolhouse.dbt_runner import target_dir

    with generation(settings, "build") as gen:
        if not run_build(gen.settings, select=select, export_checks="error" if settings.exports else "warn",
                         full_refresh=full_refresh, indirect_selection="cautious" if select else None, generation=gen):
            outcome = read_build(gen.settings.warehouse(), target_dir(settings))
            said = _lines(outcome.sentences())
            if outcome.only_exports_failed:
                gen.publish()  # the marts are whole; only vendor files would be refused
                _fail("The marts are built and published, but export checks failed: a push of the vendors they "
                      "concern would be refused." + said)
            _fail("dbt build failed: a model or an error-severity test failed (see the log above)."
                  + (" The warehouse is as it was before the build." if settings.target == "duckdb" else "") + said)
        gen.publish()


@main.command("build-spark")
@click.option("--work", "work_dir", type=click.Path(path_type=Path), default="spark_work", show_default=True,
              help="Spark's working folder: the landed raw Parquet files, Spark's tables, dbt's target folder.")
@with_settings
def build_spark(settings: Settings, work_dir: Path) -> None:
    """dbt build on a local Spark (the spark extra, Java 17) over the DuckDB warehouse's raw tables,
    landed as Parquet. Checks that the project runs on Spark; the DuckDB warehouse is not changed."""
    from schoolhouse import spark

    if settings.target != "duckdb":
        _fail("build-spark reads the raw tables a load wrote into the DuckDB warehouse (target duckdb).")
    if not spark.build(settings, work_dir.resolve()):
        _fail(f"dbt build on Spark failed (see the log above; dbt's files are in {work_dir / 'dbt_target'}).")
    console.print(f"dbt build on Spark: every node succeeded (tables under {work_dir / 'warehouse'}).")


@main.command()
@click.argument("vendor", type=click.Choice(list(VENDORS)))
@click.option("--to", "destination", required=True, help="A folder or sftp://user@host:port/path.")
@click.option("--force", is_flag=True, help="Push even when a file shrank more than the guard allows (recorded).")
@click.option("--dry-run", is_flag=True, help="Say per file the rows added, changed and removed since the last push "
                                              "to this destination; write nothing.")
@with_settings
def export(settings: Settings, vendor: str, destination: str, force: bool, dry_run: bool) -> None:
    """Build and test VENDOR's export views, then write its full file set to a folder or SFTP, behind the shrink guard.
    Nothing is sent when no file changed since the last push to the same destination."""
    from exports.checks import for_vendor, read_build
    from exports.push import export_vendor
    from schoolhouse.build import build as run_build
    from schoolhouse.dbt_runner import target_dir

    with generation(settings, "export") as gen:
        console.log(f"building and testing the {vendor} export views")
        built = run_build(gen.settings, select=VENDORS[vendor].dbt_selection, export_checks="error",
                          indirect_selection="cautious", generation=gen)
        outcome = read_build(gen.settings.warehouse(), target_dir(settings))
        if not built and not outcome.only_exports_failed:
            _fail(f"The {vendor} export views failed to build (see the log above); nothing was written."
                  + _lines(outcome.sentences(vendor=vendor)))
        result = export_vendor(gen.settings, vendor, destination, target_dir(settings) / "manifest.json", force=force,
                               log=console.log, dry_run=dry_run, checks=for_vendor(outcome.checks, vendor))
        if not dry_run:
            gen.publish()  # the push's record (pushed, unchanged, refused or failed) is kept either way
    if not result.ok:
        _fail(result.message)
    console.print(result.message, markup=False)


@main.command()
@with_settings
def nightly(settings: Settings) -> None:
    """fetch → load → build → export, recorded in raw_meta.runs; non-zero when any step failed."""
    from schoolhouse.nightly import NothingToDo, run_nightly

    try:
        run = run_nightly(settings)
    except NothingToDo as exc:
        _fail(str(exc), 2)
    sys.exit(run.exit_code)


@main.command()
@click.option("--dry-run", is_flag=True, help="Say what would go, remove nothing.")
@with_settings
def purge(settings: Settings, dry_run: bool) -> None:
    """Remove archived files and rejected rows' raw text older than retention_days (the nightly does it too)."""
    from loaders.retention import HistoryWouldBeLost
    from loaders.retention import purge as run_purge

    with generation(settings, "purge") as gen:
        try:
            done = run_purge(gen.settings, dry_run=dry_run)
        except HistoryWouldBeLost as exc:
            _fail(str(exc), 2)
        if done is not None and not dry_run:
            gen.publish()
    if done is None:
        console.print("No retention is set (retention_days): everything is kept.")
        return
    console.print(("Would remove " if dry_run else "Removed ") + done.summary() + ".")
    for path in done.files if dry_run else ():
        console.print(f"  {path}")


@main.command()
@click.option("--from-archive", "from_archive", is_flag=True, required=True,
              help="Play back every load and build the archive's journal records, in order.")
@with_settings
def replay(settings: Settings, from_archive: bool) -> None:
    """Recreate a lost warehouse from the archive: every night's files loaded and built again, in order
    (snapshots and history included). Nothing is pushed to vendors."""
    from schoolhouse.replay import ReplayError
    from schoolhouse.replay import replay as run_replay

    try:
        result = run_replay(settings, progress=console.log)
    except ReplayError as exc:
        _fail(str(exc), 2)
    history = f", {result.history_only_builds} of them history only" if result.history_only_builds else ""
    console.print(f"Replayed {result.generations} generations ({result.loads} loads, {result.builds} builds{history}) "
                  f"into {settings.warehouse().describe()}.")
    for what in result.not_replayable:
        console.print(f"Not replayed: {what}.", style="yellow", markup=False)
    if result.differing_builds:
        _fail("The replay differs from the original: " + "; ".join(result.differing_builds) + ".")


@main.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("streamlit_args", nargs=-1, type=click.UNPROCESSED)
@with_settings
def dashboard(settings: Settings, streamlit_args: tuple[str, ...]) -> None:
    """Run the educator dashboards (extra options go to streamlit, e.g. --server.port 8502)."""
    from dashboards.launch import run_dashboard

    sys.exit(run_dashboard(settings, list(streamlit_args)))


if __name__ == "__main__":
    main()
