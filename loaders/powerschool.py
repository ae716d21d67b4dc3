"""PowerSchool: copy the columns Schoolhouse reads from the SIS database into ``raw_powerschool``.

PowerSchool is an Oracle database whose tables belong to schema ``ps`` (a SQLite file or any other
SQLAlchemy URL works the same way, e.g. the generator's copy). What is copied is decided here and
in :data:`schoolhouse.catalog.POWERSCHOOL_TABLES`, never by what the database happens to hold:

* only the listed columns of the listed tables are selected, so passwords, SSNs and other columns
  the models do not read never leave PowerSchool;
* every value lands as the type the catalog pins (Oracle's NUMBER(10,0) reaches Python as a float
  or a Decimal: it is stored as an integer; a DATE with a time keeps its day);
* a table missing a listed column, or whose column no longer holds that type, is refused with one
  sentence naming table and column, and yesterday's copy of that table stays;
* rows are fetched in large batches (Oracle's default of 100 rows a round trip is slow over a
  WAN), optionally through an SSH tunnel whose host key is pinned like the SFTP intake's.

Tables are replaced whole each night, like a full file export.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import sqlalchemy as sa

from loaders.load import FileOutcome, LoadSummary, SourceUnreadable, new_load_id, record_outcomes
from loaders.raw_swap import TonightsTable, replace_raw_tables
from loaders.work_files import work_writer
from loaders.reader import FileRefused
from schoolhouse import raw_meta
from schoolhouse.catalog import POWERSCHOOL_PROGRAMS, POWERSCHOOL_TABLES
from schoolhouse.settings import Settings
from schoolhouse.sftp import open_tunnel

_ARROW = {"int": pa.int64(), "date": pa.date32(), "text": pa.string()}


def database_url(location: str, password: str | None = None) -> sa.engine.URL:
    """A SQLAlchemy URL (the password, when needed, comes from the settings' secret), or a path to a
    SQLite file (or a folder holding powerschool.sqlite)."""
    if "://" in location:
        url = sa.engine.make_url(location)
        return url.set(password=password) if password and url.password is None else url
    path = Path(location)
    if path.is_dir():
        path = path / "powerschool.sqlite"
    if not path.exists():
        raise SourceUnreadable(f"{location} is neither a database URL nor a PowerSchool SQLite file.")
    return sa.engine.make_url(f"sqlite:///{path.resolve()}")


# -- values: the catalog's type, whatever the driver hands back -------------------------------------


class _BadValue(ValueError):
    pass


def to_int(value) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, (float, Decimal)):
        if value != value or value % 1:  # NaN or a fraction: not the whole number the column should hold
            raise _BadValue(value)
        return int(value)
    text = str(value).strip()
    try:
        number = Decimal(text)
    except ArithmeticError:
        raise _BadValue(value) from None
    return to_int(number)


def to_date(value) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise _BadValue(value) from None


def to_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, (float, Decimal)) and value == value and not value % 1:
        return str(int(value))  # a NUMBER id read as text: 1234, not 1234.0
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


_CONVERT = {"int": to_int, "date": to_date, "text": to_text}


def kind_accepts(kind: str, column_type: sa.types.TypeEngine) -> bool:
    """Whether a column the database reports as ``column_type`` can hold the catalog's ``kind``."""
    if kind == "int":
        return isinstance(column_type, (sa.Integer, sa.Numeric, sa.Float))  # Oracle reports NUMBER as either
    if kind == "date":
        return isinstance(column_type, (sa.Date, sa.DateTime))
    return not isinstance(column_type, (sa.LargeBinary, sa.PickleType))


# -- reading ---------------------------------------------------------------------------------------


@dataclass
class _Table:
    name: str
    columns: dict[str, str]  # column -> kind
    source: str  # the database's own name of the table (case as reported)


def _schema(inspector, configured: str | None) -> str | None:
    """The settings' schema, else ps when the database has one (PowerSchool's owner), else the default."""
    if configured:
        return configured
    names = {n.lower(): n for n in inspector.get_schema_names()}
    return names.get("ps")


def _check(inspector, table: _Table, schema: str | None) -> None:
    reported = {c["name"].lower(): c["type"] for c in inspector.get_columns(table.source, schema=schema)}
    for column, kind in table.columns.items():
        if column not in reported:
            raise FileRefused(f"PowerSchool table {table.name} is refused: it has no column {column} (the schema "
                              "changed?); yesterday's copy is kept.")
        if not kind_accepts(kind, reported[column]):
            raise FileRefused(f"PowerSchool table {table.name} is refused: column {column} is now "
                              f"{reported[column]}, not the {kind} it was; yesterday's copy is kept.")


def _batches(engine: sa.Engine, table: _Table, schema: str | None, fetch_size: int) -> Iterator[list]:
    selectable = sa.table(table.source, *(sa.column(c) for c in table.columns), schema=schema)
    with engine.connect() as con:
        result = con.execution_options(stream_results=True, yield_per=fetch_size).execute(sa.select(selectable))
        yield from result.partitions(fetch_size)


def _arrow(table: _Table, rows: list) -> pa.Table:
    arrays = {}
    for i, (column, kind) in enumerate(table.columns.items()):
        convert = _CONVERT[kind]
        try:
            values = [convert(r[i]) for r in rows]
        except _BadValue as bad:
            raise FileRefused(f"PowerSchool table {table.name} is refused: column {column} holds {bad.args[0]!r}, "
                              f"which is not a {kind}; yesterday's copy is kept.") from None
        arrays[column] = pa.array(values, _ARROW[kind])
    return pa.table(arrays)


def _schema_of(table: _Table) -> pa.Schema:
    return pa.schema([(c, _ARROW[k]) for c, k in table.columns.items()])


def _copy(engine, table: _Table, schema, work: Path, fmt: str, fetch_size: int) -> tuple[Path, int]:
    path = work / f"{table.name}.{fmt}"
    rows = 0
    with work_writer(path, _schema_of(table), fmt) as writer:
        for batch in _batches(engine, table, schema, fetch_size):
            writer.write_table(_arrow(table, batch))
            rows += len(batch)
    return path, rows


def _programs(engine, inspector, schema, fields: dict[str, str], work: Path, fmt: str,
              fetch_size: int, present: dict[str, str]) -> tuple[Path, int]:
    """student_programs: the configured extension-table columns (field → table.column), by studentsdcid."""
    by_table: dict[str, dict[str, str]] = {}
    for field, where in fields.items():
        table, _, column = where.partition(".")
        by_table.setdefault(table.lower(), {})[field] = column.lower()
    merged: dict[int, dict[str, str | None]] = {}
    for name, wanted in by_table.items():
        if name not in present:
            raise FileRefused(f"PowerSchool table {name} (powerschool_programs) does not exist; "
                              "yesterday's student_programs are kept.")
        table = _Table(name, {"studentsdcid": "int", **{c: "text" for c in wanted.values()}}, present[name])
        _check(inspector, table, schema)
        for batch in _batches(engine, table, schema, fetch_size):
            for row in batch:
                values = merged.setdefault(to_int(row[0]), {})
                for i, field in enumerate(wanted, start=1):
                    values[field] = to_text(row[i])
    out = _Table("student_programs", dict(POWERSCHOOL_PROGRAMS), "student_programs")
    rows = [(dcid, *(v.get(f) for f in list(POWERSCHOOL_PROGRAMS)[1:])) for dcid, v in sorted(merged.items())]
    path = work / f"student_programs.{fmt}"
    with work_writer(path, _schema_of(out), fmt) as writer:
        writer.write_table(_arrow(out, rows))
    return path, len(rows)


def load_powerschool(settings: Settings, location: str, progress=None) -> LoadSummary:
    wh = settings.warehouse()
    url = database_url(location, settings.secret("powerschool_password"))
    with _connected(settings, url) as engine, tempfile.TemporaryDirectory(prefix="schoolhouse-ps-") as tmp:
        inspector = sa.inspect(engine)
        schema = _schema(inspector, settings.powerschool_schema)
        present = {n.lower(): n for n in (*inspector.get_table_names(schema=schema), *inspector.get_view_names(schema=schema))}
        shown = url.render_as_string(hide_password=True)
        if progress:
            progress(f"copying PowerSchool from {shown}" + (f" (schema {schema})" if schema else ""))
        load_id = new_load_id()
        outcomes, loads = _copy_tables(engine, inspector, schema, present, Path(tmp), load_id, wh, settings, shown)
        if settings.powerschool_programs:
            outcomes.append(_copy_programs(engine, inspector, schema, present, Path(tmp), load_id, wh, settings, shown,
                                           loads))
        raw_meta.ensure(wh)  # the swap names each table's load in raw_meta.table_files
        if loads:
            replace_raw_tables(wh, "raw_powerschool", loads)
        record_outcomes(wh, load_id, outcomes)
    missing = [t for t in POWERSCHOOL_TABLES if t not in present]
    return LoadSummary("powerschool", load_id, outcomes, missing)


def _tonight(name: str, path: Path, columns: dict[str, str], load_id: str) -> TonightsTable:
    return TonightsTable(name, path, tuple(columns), {"load_id": load_id})


def _copy_tables(engine, inspector, schema, present, work, load_id, wh, settings, shown):
    outcomes, loads = [], []
    for name, columns in POWERSCHOOL_TABLES.items():
        if name not in present:
            continue
        table = _Table(name, columns, present[name])
        outcome = FileOutcome("powerschool", name, f"{shown}#{name}")
        try:
            _check(inspector, table, schema)
            path, rows = _copy(engine, table, schema, work, wh.loader_file_format, settings.powerschool_fetch_size)
        except FileRefused as exc:
            outcome.status, outcome.message = "refused", str(exc)
        else:
            outcome.rows_read = outcome.rows_loaded = rows
            loads.append(_tonight(name, path, columns, load_id))
        outcomes.append(outcome)
    return outcomes, loads


def _copy_programs(engine, inspector, schema, present, work, load_id, wh, settings, shown, loads) -> FileOutcome:
    outcome = FileOutcome("powerschool", "student_programs", f"{shown}#" + ",".join(settings.powerschool_programs.values()))
    try:
        path, rows = _programs(engine, inspector, schema, settings.powerschool_programs, work,
                               wh.loader_file_format, settings.powerschool_fetch_size, present)
    except FileRefused as exc:
        outcome.status, outcome.message = "refused", str(exc)
        return outcome
    outcome.rows_read = outcome.rows_loaded = rows
    loads.append(_tonight("student_programs", path, POWERSCHOOL_PROGRAMS, load_id))
    return outcome


@contextlib.contextmanager
def _connected(settings: Settings, url: sa.engine.URL) -> Iterator[sa.Engine]:
    """An engine on the database, through the SSH tunnel when the settings name one."""
    with contextlib.ExitStack() as stack:
        if settings.powerschool_ssh_tunnel:
            port = stack.enter_context(open_tunnel(settings.powerschool_ssh_tunnel, settings.tunnel_auth(),
                                                   url.host or "localhost", url.port or 1521))
            url = url.set(host="127.0.0.1", port=port)
        # Oracle's driver fetches 100 rows a round trip unless told otherwise.
        options = {"arraysize": settings.powerschool_fetch_size} if url.get_backend_name() == "oracle" else {}
        engine = sa.create_engine(url, **options)
        stack.callback(engine.dispose)
        try:
            with engine.connect():
                pass
        except sa.exc.SQLAlchemyError as exc:
            raise SourceUnreadable(f"PowerSchool at {url.render_as_string(hide_password=True)} cannot be reached "
                                   f"({str(exc.orig or exc).splitlines()[0]}).") from exc
        yield engine
