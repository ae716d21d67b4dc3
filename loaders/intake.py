"""Turn a load SOURCE location (folder, sftp:// URL or database URL) into a load."""

from __future__ import annotations

from pathlib import Path

from loaders.load import LoadSummary, SourceUnreadable, entity_specs, load_files
from schoolhouse.settings import Settings


def load_location(settings: Settings, source: str, location: str | None = None, *, force: bool = False,
                  progress=None) -> LoadSummary:
    """Load ``source`` from ``location`` (default: the settings' sources) with the settings' patterns
    and reject share. An sftp:// location is fetched into the landing folder first (new files only); a
    server that cannot be reached or refuses the login (SFTP, or PowerSchool's SSH tunnel) raises
    SourceUnreadable, as an unreadable folder does."""
    location = location or settings.sources.get(source)
    if not location:
        raise SourceUnreadable(f"No location for {source}: give one, or set sources.{source} in district.yml.")
    if source == "powerschool" or location.lower().startswith("sftp://"):
        from schoolhouse.sftp import SftpError  # paramiko only when a server is reached

        try:
            return _load_remote(settings, source, location, force, progress)
        except SftpError as exc:
            raise SourceUnreadable(str(exc)) from exc
    folder = Path(location)
    if not folder.is_dir():
        raise SourceUnreadable(f"{location} is not a folder, an sftp:// URL or (for powerschool) a database URL.")
    return _load_folder(settings, source, folder, force, progress)


def _load_remote(settings: Settings, source: str, location: str, force: bool, progress) -> LoadSummary:
    if source == "powerschool":
        from loaders.powerschool import load_powerschool

        return load_powerschool(settings, location, progress=progress)
    from schoolhouse.sftp import SftpLocation, fetch_new

    folder = settings.landing_dir / source
    folder.mkdir(parents=True, exist_ok=True)
    # Any zip may hold the source's files (a STAR zip is named for the district), so zips come too.
    wanted = sorted({"*.zip", *(p for spec in entity_specs(source, settings.file_patterns.get(source))
                                for p in spec.patterns)})
    fetch_new(SftpLocation.parse(location), settings.sftp_auth(), wanted, folder, folder / ".sftp_state.json",
              attempts=settings.sftp_attempts, backoff_seconds=settings.sftp_backoff_seconds,
              case_sensitive=False)  # like the folder loader
    return _load_folder(settings, source, folder, force, progress)


def _load_folder(settings: Settings, source: str, folder: Path, force: bool, progress) -> LoadSummary:
    return load_files(source, folder, settings.warehouse(), settings.archive_dir,
                      max_reject_share=settings.max_reject_share, force=force, patterns=settings.file_patterns,
                      progress=progress)
