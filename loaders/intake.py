"""Turn a load SOURCE location (folder, sftp:// URL or database URL) into a load."""

from __future__ import annotations

from pathlib import Path

from loaders.load import LoadSummary, SourceUnreadable, entity_specs, load_files
from schoolhouse.settings import Settings


def load_location(settings: Settings, source: str, location: str | None = None, *, force: bool = False,
                  progress=None) -> LoadSummary:
    """Load ``source`` from ``location`` (default: the settings' sources) with the settings' patterns
    and reject share. An sftp:// location is fetched into the landing folder first (new files only); a
    server that cannot be reached or refuses the login raises SourceUnreadable, as an unreadable folder does."""
    location = location or settings.sources.get(source)
    if not location:
        raise SourceUnreadable(f"No location for {source}: give one, or set sources.{source} in district.yml.")
    wh = settings.warehouse()
    if source == "powerschool":
        from loaders.powerschool import load_powerschool
        from schoolhouse.sftp import SftpError

        try:
            return load_powerschool(settings, location, progress=progress)
        except SftpError as exc:  # its SSH tunnel
            raise SourceUnreadable(str(exc)) from exc
    if location.lower().startswith("sftp://"):
        from schoolhouse.sftp import SftpError, SftpLocation, fetch_new  # paramiko only when it is needed

        folder = settings.landing_dir / source
        folder.mkdir(parents=True, exist_ok=True)
        # Any zip may hold the source's files (a STAR zip is named for the district), so zips come too.
        wanted = sorted({"*.zip", *(p for spec in entity_specs(source, settings.file_patterns.get(source))
                                    for p in spec.patterns)})
        try:
            fetch_new(SftpLocation.parse(location), settings.sftp_auth(), wanted, folder, folder / ".sftp_state.json",
                      attempts=settings.sftp_attempts, backoff_seconds=settings.sftp_backoff_seconds,
                      case_sensitive=False)  # like the folder loader
        except SftpError as exc:
            raise SourceUnreadable(str(exc)) from exc
    else:
        folder = Path(location)
        if not folder.is_dir():
            raise SourceUnreadable(f"{location} is not a folder, an sftp:// URL or (for powerschool) a database URL.")
    return load_files(source, folder, wh, settings.archive_dir, max_reject_share=settings.max_reject_share,
                      force=force, patterns=settings.file_patterns, progress=progress)
