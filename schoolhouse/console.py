"""The console every command prints its progress and summaries to (stderr, so stdout stays clean)."""

from __future__ import annotations

import sys

from rich.console import Console

console = Console(stderr=True, width=None if sys.stderr.isatty() else 140)
