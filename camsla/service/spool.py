"""The spill-over of the observation buffer: observations the database could not take, kept on
local disk until it can.

A directory of files in the `camsla ingest` JSONL format (one observation a line), each written
whole to a temporary name, synced and renamed, so a file either is complete or is not there. The
file names sort in the order they were written. Replaying a file that was already stored stores
nothing twice (the fold is idempotent), so a crash between storing and deleting loses nothing and
doubles nothing. An operator can also load a file by hand with ``camsla ingest FILE``.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from camsla.kernel import LineError, Observation, parse_lines, to_line

PATTERN = "obs-*.jsonl"


class Spool:
    def __init__(self, directory: Path | str) -> None:
        self.directory = Path(directory)
        self._seq = itertools.count()

    def write(self, observations: Iterable[Observation]) -> Path:
        """Write observations to a new spool file, durably; returns its path."""
        self.directory.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        final = self.directory / f"obs-{stamp}-{os.getpid()}-{next(self._seq):06d}.jsonl"
        tmp = final.with_name("." + final.name + ".tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            for obs in observations:
                f.write(to_line(obs))
                f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, final)
        _sync_directory(self.directory)
        return final

    def files(self) -> list[Path]:
        """The spool files waiting to be stored, oldest first."""
        if not self.directory.is_dir():
            return []
        return sorted(self.directory.glob(PATTERN))

    @staticmethod
    def read(path: Path) -> tuple[list[Observation], list[LineError]]:
        good: list[Observation] = []
        bad: list[LineError] = []
        with open(path, encoding="utf-8") as f:
            for _, item in parse_lines(f):
                (bad if isinstance(item, LineError) else good).append(item)
        return good, bad

    @staticmethod
    def done(path: Path) -> None:
        path.unlink(missing_ok=True)

    @staticmethod
    def set_aside(path: Path) -> Path:
        """Keep a file that could not be read whole out of the replay, under a name that says so."""
        target = path.with_suffix(".bad")
        os.replace(path, target)
        return target


def _sync_directory(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory handles
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)
