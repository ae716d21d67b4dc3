"""PowerSchool: copy the SIS's core tables from its database into ``raw_powerschool`` with dlt.

PowerSchool is read from its database (Oracle in production, any SQLAlchemy URL here; the
generator writes a SQLite copy of the same district). Tables are replaced whole each night,
like a full file export.
"""

from __future__ import annotations

from pathlib import Path

from loaders.load import FileOutcome, LoadSummary, SourceUnreadable, _pipeline, new_load_id, record_outcomes
from schoolhouse import raw_meta
from schoolhouse.catalog import POWERSCHOOL_TABLES
from schoolhouse.warehouse import Warehouse


def database_url(location: str) -> str:
    """Accept a SQLAlchemy URL, or a path to a SQLite file (or a folder holding powerschool.sqlite)."""
    if "://" in location:
        return location
    path = Path(location)
    if path.is_dir():
        path = path / "powerschool.sqlite"
    if not path.exists():
        raise SourceUnreadable(f"{location} is neither a database URL nor a PowerSchool SQLite file.")
    return f"sqlite:///{path.resolve()}"


def _redacted(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def load_powerschool(wh: Warehouse, location: str, progress=None) -> LoadSummary:
    from dlt.sources.sql_database import sql_database
    import sqlalchemy as sa

    url = database_url(location)
    load_id = new_load_id()
    engine = sa.create_engine(url)
    present = set(sa.inspect(engine).get_table_names())
    tables = [t for t in POWERSCHOOL_TABLES if t in present]
    missing = [t for t in POWERSCHOOL_TABLES if t not in present]
    if progress:
        progress(f"copying {len(tables)} PowerSchool tables from {_redacted(url)}")
    source = sql_database(engine, table_names=tables, backend="pyarrow", reflection_level="full_with_precision")
    for resource in source.resources.values():
        resource.apply_hints(write_disposition="replace")
    info = _pipeline(wh, "raw_powerschool").run(source, loader_file_format=wh.loader_file_format)
    counts = {}
    trace = info.pipeline.last_trace
    if trace and trace.last_normalize_info:
        counts = trace.last_normalize_info.row_counts
    outcomes = [
        FileOutcome("powerschool", t, f"{_redacted(url)}#{t}", rows_read=counts.get(t, 0), rows_loaded=counts.get(t, 0))
        for t in tables
    ]
    raw_meta.ensure(wh)
    record_outcomes(wh, load_id, outcomes)
    engine.dispose()
    return LoadSummary("powerschool", load_id, outcomes, missing)
