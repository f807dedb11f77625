"""The import files' adapter: one file per job in a directory of the data directory (``<data dir>/imports``),
private to the server's user like the rest of it. A file is written to ``<job id>.csv.part-<random>`` and
renamed to ``<job id>.csv`` when whole (a rename within one directory is atomic).

Only the instance whose data directory holds a job's file can import it: its import worker claims a job only
when the file is here (services/user_import/worker.py). Instances that share a data directory share the files.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

_JOB_ID = re.compile(r"import-[0-9A-Za-z-]{1,48}")
_SUFFIX = ".csv"


class _FileUpload:
    def __init__(self, final: Path) -> None:
        self._final = final
        self._part = final.with_name(f"{final.name}.part-{secrets.token_hex(8)}")
        fd = os.open(self._part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        self._file: BinaryIO | None = os.fdopen(fd, "wb")

    def write(self, chunk: bytes) -> None:
        assert self._file is not None
        self._file.write(chunk)

    def close(self) -> None:
        if self._file is not None:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            self._file = None

    def keep(self) -> None:
        self.close()
        os.replace(self._part, self._final)

    def discard(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        self._part.unlink(missing_ok=True)


class DirectoryImportFiles:
    """The ImportFiles of ``import_files/port.py`` that ``app.py`` builds on the data directory."""

    def __init__(self, directory: Path) -> None:
        self._directory = directory

    def _path(self, job_id: str) -> Path:
        if not _JOB_ID.fullmatch(job_id):
            raise ValueError("not a job id")
        return self._directory / f"{job_id}{_SUFFIX}"

    def receive(self, job_id: str) -> _FileUpload:
        self._directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        return _FileUpload(self._path(job_id))

    def open(self, job_id: str) -> BinaryIO | None:
        try:
            return self._path(job_id).open("rb")
        except (FileNotFoundError, ValueError):
            return None

    def job_ids(self) -> Iterable[str]:
        try:
            names = os.listdir(self._directory)
        except FileNotFoundError:
            return []
        return [name[: -len(_SUFFIX)] for name in names if name.endswith(_SUFFIX) and _JOB_ID.fullmatch(name[:-4])]

    def delete(self, job_id: str) -> None:
        try:
            self._path(job_id).unlink(missing_ok=True)
        except ValueError:
            return
