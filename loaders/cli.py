"""The ``schoolhouse`` command line: generate, load, build (and the steps later issues add).

Every command exits 0 only when it did what it says; otherwise one plain sentence names the
file, the row or the rule.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from loaders.warehouse import TARGETS, Warehouse

console = Console(stderr=True, width=None if sys.stderr.isatty() else 140)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--target", type=click.Choice(TARGETS), envvar="SCHOOLHOUSE_TARGET", default="duckdb",
              show_default=True, help="Warehouse engine (env SCHOOLHOUSE_TARGET).")
@click.pass_context
def main(ctx: click.Context, target: str) -> None:
    """Schoolhouse: a K-12 student data warehouse."""
    # paramiko logs a dropped connection at ERROR even when our retry then succeeds.
    logging.getLogger("paramiko").setLevel(logging.CRITICAL)
    ctx.obj = Warehouse(target)


@main.command()
@click.option("--students", type=click.IntRange(1, 2_000_000), required=True, help="How many students.")
@click.option("--seed", type=int, required=True, help="Random seed: the same arguments give identical files.")
@click.option("--day", type=click.IntRange(1, 200), default=60, show_default=True, help="School day the district is as of.")
@click.option("--school-year", type=int, default=2027, show_default=True, help="Year the school year ends (2027 = 2026-27).")
@click.option("--dirty", is_flag=True, help="Inject the realities of real SIS exports and write truth.json.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True)
def generate(students: int, seed: int, day: int, school_year: int, dirty: bool, out: Path) -> None:
    """Write a synthetic district: Aspen/X2 exports, STAR, orgs.csv and a PowerSchool database."""
    from loaders.generator import generate as run

    out.mkdir(parents=True, exist_ok=True)
    manifest = run(out, students=students, seed=seed, day=day, school_year=school_year, dirty=dirty)
    console.print(f"[green]Wrote[/] a district of {students:,} students as of {manifest['as_of_date']} to {out}")


@main.command()
@click.argument("source", type=click.Choice(["aspen", "star", "powerschool", "district"]))
@click.argument("location")
@click.option("--force", is_flag=True, help="Reload files even when they are already the current load.")
@click.option("--max-reject-share", type=float, default=0.10, show_default=True,
              help="Refuse a file when more than this share of its rows cannot be read.")
@click.pass_obj
def load(wh: Warehouse, source: str, location: str, force: bool, max_reject_share: float) -> None:
    """Load SOURCE's files from LOCATION (a folder, sftp://user@host:port/path, or a database URL)."""
    from loaders.intake import load_location
    from loaders.sftp import SftpError

    try:
        summary = load_location(wh, source, location, force=force, max_reject_share=max_reject_share,
                                progress=lambda msg: console.log(msg))
    except (SftpError, ValueError) as exc:
        click.echo(f"Nothing was loaded from {location}: {exc}", err=True)
        sys.exit(1)
    print_load_summary(summary)
    if not summary.ok:
        for o in summary.refused:
            click.echo(o.message, err=True)
        sys.exit(1)


def print_load_summary(summary) -> None:
    table = Table(title=f"{summary.source} load {summary.load_id}")
    for col in ("entity", "file", "status", "read", "loaded", "rejected", "note"):
        table.add_column(col, justify="right" if col in ("read", "loaded", "rejected") else "left")
    for o in summary.outcomes:
        colour = {"loaded": "green", "unchanged": "cyan", "refused": "red"}[o.status]
        note = o.message if o.status != "loaded" else (f"extra columns: {o.extra_columns}" if o.extra_columns else "")
        table.add_row(o.entity, o.file_name, f"[{colour}]{o.status}[/]", f"{o.rows_read:,}",
                      f"{o.rows_loaded:,}", f"{o.rows_rejected:,}", note)
    for entity in summary.missing:
        table.add_row(entity, "—", "[yellow]no file[/]", "", "", "", "no file tonight; previous data kept")
    console.print(table)


@main.command()
@click.option("--select", "select", default=None, help="dbt node selection (default: everything).")
@click.pass_obj
def build(wh: Warehouse, select: str | None) -> None:
    """dbt build (seeds, models, snapshots, tests) on the target; non-zero when a model or error test fails."""
    from loaders.project import run_dbt

    extra = ["--select", select] if select else []
    if not run_dbt("build", wh.target, *extra):
        click.echo("dbt build failed: a model or an error-severity test failed (see the log above).", err=True)
        sys.exit(1)


VENDORS = ("sds-v2.1", "sds-v1", "stmath", "oneroster-1.1", "clever")


@main.command()
@click.argument("vendor", type=click.Choice(VENDORS))
@click.option("--to", "destination", required=True, help="A folder or sftp://user@host:port/path.")
@click.option("--force", is_flag=True, help="Push even when a file shrank more than the guard allows (recorded).")
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              envvar="SCHOOLHOUSE_CONFIG", help="district.yml (env SCHOOLHOUSE_CONFIG); environment overrides it.")
@click.pass_obj
def export(wh: Warehouse, vendor: str, destination: str, force: bool, config_file: Path | None) -> None:
    """Write VENDOR's full file set from the export views to a folder or SFTP, behind the shrink guard."""
    from loaders.export import run_export

    sys.exit(run_export(wh, vendor, destination, force=force, config_file=config_file))


@main.command()
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              envvar="SCHOOLHOUSE_CONFIG", help="district.yml (env SCHOOLHOUSE_CONFIG); environment overrides it.")
@click.pass_obj
def nightly(wh: Warehouse, config_file: Path | None) -> None:
    """fetch → load → build → export, recorded in raw_meta.runs; non-zero when any step failed."""
    from loaders.nightly import run_nightly

    sys.exit(run_nightly(wh, config_file=config_file))


@main.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("streamlit_args", nargs=-1, type=click.UNPROCESSED)
@click.pass_obj
def dashboard(wh: Warehouse, streamlit_args: tuple[str, ...]) -> None:
    """Run the educator dashboards (extra options go to streamlit, e.g. --server.port 8502)."""
    from dashboards.launch import run_dashboard

    sys.exit(run_dashboard(wh, list(streamlit_args)))


if __name__ == "__main__":
    main()
