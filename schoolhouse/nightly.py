"""`schoolhouse nightly`: fetch → load → build → export, as one recorded run.

Steps, in order:

1. load (and fetch, for sftp:// sources) each configured source through
   :func:`loaders.intake.load_location`, in the order district, aspen, star, powerschool;
2. ``dbt build`` of the whole project with the district's vars (email domains, as-of date);
3. every configured export, behind the shrink guard (two vendors at a time: most of an export is
   DuckDB, Arrow and zlib work outside Python's lock, 37 s → 22 s for the five at 1,000,000);
4. the dashboards' protected counts for their largest viewers (dashboards.lattice_store), prepared
   beside the exports, so the first district page after the night does not wait for them.

What a district gets when something goes wrong:

* A refused input file (or a source that cannot be reached) keeps yesterday's data for that
  entity; the night goes on so rosters stay fresh, and the run ends as ``warning`` (exit 1).
* A failed ``dbt build`` (a model, or an error-severity test) stops the night before any export:
  vendors keep yesterday's files. The run is ``failed`` (exit 1).
* A refused (shrink guard) or failed push fails the run (exit 1); the other exports still go.
* ``success`` (exit 0) only when every step did what it says.

One row in ``raw_meta.runs`` per night, with the status, the message and every step (JSON: name,
status, counts, seconds, message). On PostgreSQL it is written as ``running`` at the start, so a
night that died shows up; on DuckDB a killed night leaves the published file exactly as it was.
Push details are in ``raw_meta.exports`` under the same run_id.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime

from rich.table import Table

from schoolhouse import journal, raw_meta
from schoolhouse.build import build
from schoolhouse.console import console
from schoolhouse.dbt_runner import target_dir
from schoolhouse.generation import Generation, generation
from schoolhouse.settings import Settings


# Vendors written side by side. More would hold more vendors' files in memory at once (a state's
# OneRoster is ~1 GB while it is rendered) for little: two already keep two cores busy.
EXPORT_WORKERS = 2


class NothingToDo(ValueError):
    """The settings name no sources and no exports."""


@dataclass
class Step:
    name: str  # load:aspen, build, export:clever
    status: str = "running"  # ok | warning | failed | skipped
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)
    message: str = ""


@dataclass
class Run:
    run_id: str
    started_at: datetime
    steps: list[Step] = field(default_factory=list)

    @property
    def status(self) -> str:
        statuses = {s.status for s in self.steps}
        if any(s.status == "failed" and not s.name.startswith("load:") for s in self.steps):
            return "failed"
        if statuses & {"failed", "warning"}:
            return "warning"
        return "success"

    @property
    def exit_code(self) -> int:
        return 0 if self.status == "success" else 1

    def total(self, prefix: str, key: str) -> int:
        return sum(s.counts.get(key, 0) for s in self.steps if s.name.startswith(prefix))

    def message(self) -> str:
        bad = [s for s in self.steps if s.status in ("failed", "warning")]
        if not bad:
            return "Every step succeeded."
        return " ".join(s.message for s in bad if s.message)

    def record(self) -> dict:
        """The run's columns in raw_meta.runs."""
        finished = raw_meta.now()
        exports = [s for s in self.steps if s.name.startswith("export:")]
        return {"finished_at": finished, "duration_seconds": (finished - self.started_at).total_seconds(),
                "status": self.status, "exit_code": self.exit_code,
                "files_loaded": self.total("load:", "files_loaded"),
                "files_refused": self.total("load:", "files_refused"),
                "exports_pushed": sum(1 for s in exports if s.status == "ok"),
                "exports_not_pushed": sum(1 for s in exports if s.status != "ok"),
                "message": self.message()}


def _load_step(gen: Generation, source: str, location: str) -> Step:
    from loaders.intake import load_location

    step = Step(f"load:{source}")
    try:
        summary = load_location(gen.settings, source, location,
                                progress=lambda msg: console.log(f"  {source}: {msg}"))
    except Exception as exc:  # noqa: BLE001 - unreachable SFTP, bad folder, bad database URL
        step.status = "failed"
        text = str(exc).strip() or type(exc).__name__
        step.message = f"{source} could not be loaded from {location} ({text.rstrip('.')}); yesterday's data is kept."
        return step
    gen.record(journal.load_step(gen.settings, source, summary.archived))
    outcomes = summary.outcomes
    step.counts = {
        "files_loaded": sum(1 for o in outcomes if o.status == "loaded"),
        "files_unchanged": sum(1 for o in outcomes if o.status == "unchanged"),
        "files_refused": len(summary.refused),
        "rows_loaded": sum(o.rows_loaded for o in outcomes),
        "rows_rejected": sum(o.rows_rejected for o in outcomes),
        "entities_missing": len(summary.missing),
        "files_unrecognised": len(summary.unrecognised),
    }
    unrecognised = " ".join(o.message for o in summary.unrecognised)
    if summary.refused or summary.recognised_nothing:
        step.status = "warning"
        kept = f" Yesterday's {', '.join(o.entity for o in summary.refused)} data is kept." if summary.refused else ""
        step.message = " ".join(o.message for o in summary.refused) + kept + (" " + unrecognised if unrecognised else "")
    else:
        step.status = "ok"
        step.message = f"{step.counts['files_loaded']} loaded, {step.counts['files_unchanged']} unchanged" + (
            f", no file tonight for {', '.join(summary.missing)}" if summary.missing else "") + (
            f". {unrecognised}" if unrecognised else "")
    return step


def _build_step(gen: Generation, checks: list) -> Step:
    """dbt build. Failures only in the export views (or their checks) leave the marts whole: the
    night goes on, and each vendor whose files failed a check is refused (``checks`` gets them)."""
    from exports.checks import read_build

    step = Step("build")
    # With exports configured, the export views' checks are errors: a vendor whose files cannot be
    # valid is refused before anything is pushed.
    settings = gen.settings
    ok = build(settings, export_checks="error" if settings.exports else "warn", generation=gen, unit_tests_once=True)
    outcome = read_build(settings.warehouse(), target_dir(settings))
    checks.extend(outcome.checks)
    if ok:
        step.status = "ok"
        return step
    errors = outcome.sentences()
    if outcome.only_exports_failed:
        step.status = "warning"
        step.message = ("The marts built and passed their tests; export checks failed, so the vendors they concern "
                        "are refused tonight: " + " ".join(errors))
        return step
    step.status = "failed"
    kept = " Readers keep yesterday's warehouse; tonight's loads were not kept, the next night loads the files again." \
        if settings.target == "duckdb" else ""
    step.message = ("dbt build failed (a model or an error-severity test, see the log); "
                    "no export was sent, vendors keep yesterday's files." + kept + "".join(" " + e for e in errors))
    return step


def _export_step(gen: Generation, vendor: str, to: str, run_id: str, checks: list) -> Step:
    from exports.checks import for_vendor
    from exports.push import export_vendor

    step = Step(f"export:{vendor}")
    result = export_vendor(gen.settings, vendor, to, target_dir(gen.settings) / "manifest.json", run_id=run_id,
                           log=lambda msg: console.log(f"  {vendor}: {msg}"), checks=for_vendor(checks, vendor))
    step.status = {"pushed": "ok", "unchanged": "ok", "pushed_with_warnings": "warning"}.get(result.status, "failed")
    step.counts = {"files": len(result.files) if result.status.startswith("pushed") else 0, "rows": result.rows}
    step.message = result.message
    return step


def _dashboards_step(gen: Generation) -> Step:
    """What the dashboards would otherwise compute for their first large viewer (a district's or a
    school's protected counts, dashboards.lattice_store), computed from tonight's data before it is
    published. Never fails the night: without it the first such viewer waits a few seconds."""
    step = Step("dashboards")
    try:
        # Outside a Streamlit server each of the dashboards' cached functions warns "No runtime found"
        # when it is defined (36 lines in every night's log): expected here, so not shown.
        from streamlit.runtime.caching import cache_data_api

        logging.getLogger(cache_data_api.__name__).setLevel(logging.ERROR)
        from dashboards import data, db

        with db.reading(gen.settings):
            covered = data.warm_lattices()
    except Exception as exc:  # noqa: BLE001 - the data is built and served either way
        step.status, step.message = "warning", f"the dashboards' counts were not prepared ({exc!r})"
        return step
    step.status = "ok"
    step.counts = {"viewer_groups": covered}
    step.message = f"protected counts ready for {covered} group(s) of large viewers"
    return step


def _purge_step(gen: Generation) -> Step:
    from loaders.retention import HistoryWouldBeLost, purge

    step = Step("purge")
    try:
        done = purge(gen.settings)
    except HistoryWouldBeLost as exc:
        step.status, step.message = "warning", str(exc)
        return step
    step.status = "ok"
    step.counts = {"files": len(done.files), "rejected_texts": done.rejected_texts}
    step.message = "removed " + done.summary()
    return step


def run_nightly(settings: Settings) -> Run:
    """Every configured source loaded, the warehouse built, every configured export pushed; recorded.

    It all happens in one generation (schoolhouse.generation): on DuckDB readers see none of it until
    the build has passed, then all of it at once; exports are written from the built file before it
    is published. A night whose build fails publishes only its record in raw_meta.runs."""
    if not settings.sources and not settings.exports:
        raise NothingToDo("Nothing to do: the settings name no sources and no exports (see district.example.yml).")
    run = Run(uuid.uuid4().hex, raw_meta.now())
    console.rule(f"Schoolhouse nightly {run.run_id[:8]}" + (f" — {settings.district_name}" if settings.district_name else ""))
    published = False
    try:
        with generation(settings, "nightly") as gen:
            _night(gen, run)
            published = gen.published
    except BaseException as exc:
        run.steps.append(Step("nightly", "failed", message=f"The night stopped unexpectedly ({exc!r})."))
        _record_unpublished(settings, run)
        _tell(settings, run)
        raise
    if not published:
        _record_unpublished(settings, run)
    print_summary(run)
    _tell(settings, run)
    return run


def _tell(settings: Settings, run: Run) -> None:
    """notify: one message for a night that did not fully succeed, or whose sources went stale."""
    from schoolhouse import notify

    n = settings.notify
    if not (n.email_to or n.webhook):
        return
    try:
        stale = notify.stale_sources(settings.warehouse(), list(settings.sources), n.stale_hours)
    except Exception as exc:  # noqa: BLE001 - no warehouse yet: the failure itself is the news
        stale = [f"the warehouse could not be read to check for stale sources ({exc})"]
    alert = notify.alert_for(settings, run, stale)
    if alert:
        for problem in notify.send(settings, alert, log=console.log):
            console.log(f"[red]{problem}[/]")


def _night(gen: Generation, run: Run) -> None:
    settings = gen.settings
    wh = settings.warehouse()
    raw_meta.ensure(wh)
    # On PostgreSQL this row shows at once that a night is running (and, if it dies, that it died).
    raw_meta.start_run(wh, run.run_id, run.started_at, str(settings.config_file) if settings.config_file else None,
                       settings.district_name)

    def measured(fn: Callable[..., Step], *args) -> Step:
        t0 = time.monotonic()
        step = fn(*args)
        step.seconds = round(time.monotonic() - t0, 2)
        colour = {"ok": "green", "warning": "yellow", "failed": "red"}.get(step.status, "white")
        console.log(f"[{colour}]{step.name}: {step.status}[/] ({step.seconds:.1f} s) {step.message}")
        return step

    def timed(fn: Callable[..., Step], *args) -> Step:
        step = measured(fn, *args)
        run.steps.append(step)
        return step

    for source, location in settings.sources.items():
        console.log(f"loading {source} from {location}")
        timed(_load_step, gen, source, location)
    console.log("building (dbt build)")
    checks: list = []
    built = timed(_build_step, gen, checks)
    # The dashboards' counts are prepared beside the exports, in a thread of their own (and large
    # lattices in processes of their own, dashboards.lattice_store.prepare), so that the exports
    # stay two at a time.
    with ThreadPoolExecutor(max_workers=1) as side:
        dashboards = None
        if built.status == "failed":
            run.steps += [Step(f"export:{t.vendor}", "skipped", message="not sent: the build failed")
                          for t in settings.exports]
        else:
            dashboards = side.submit(measured, _dashboards_step, gen)

            def export(target) -> Step:
                console.log(f"exporting {target.vendor} to {target.to}")
                return measured(_export_step, gen, target.vendor, target.to, run.run_id, checks)

            with ThreadPoolExecutor(max_workers=EXPORT_WORKERS) as pool:
                run.steps += list(pool.map(export, settings.exports))  # recorded in the settings' order
        if settings.retention_days:
            timed(_purge_step, gen)
        if dashboards is not None:
            run.steps.append(dashboards.result())
    raw_meta.finish_run(wh, run.run_id, run.record(), [asdict(s) for s in run.steps])
    if built.status != "failed":
        gen.publish()


def _record_unpublished(settings: Settings, run: Run) -> None:
    """A night whose warehouse was not published still leaves its record where readers look."""
    try:
        with generation(settings, "nightly-record") as gen:
            wh = gen.settings.warehouse()
            raw_meta.ensure(wh)
            if settings.target == "duckdb":  # on PostgreSQL the row was written in place at the start
                raw_meta.start_run(wh, run.run_id, run.started_at,
                                   str(settings.config_file) if settings.config_file else None, settings.district_name)
            raw_meta.finish_run(wh, run.run_id, run.record(), [asdict(s) for s in run.steps])
            gen.publish()
    except Exception as exc:  # noqa: BLE001 - the night's own failure is what matters; say this one too
        console.log(f"[red]The night's record could not be written ({exc!r}).[/]")


def print_summary(run: Run) -> None:
    table = Table(title=f"Nightly run {run.run_id[:8]}: {run.status}", title_justify="left")
    for col in ("step", "status", "seconds", "counts", "message"):
        table.add_column(col, overflow="fold")
    for s in run.steps:
        colour = {"ok": "green", "warning": "yellow", "failed": "red"}.get(s.status, "dim")
        counts = ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in s.counts.items() if v)
        table.add_row(s.name, f"[{colour}]{s.status}[/]", f"{s.seconds:.1f}", counts, s.message)
    console.print(table)
    if run.status != "success":
        console.print(run.message(), markup=False)
