"""The port through which the upload route writes an import job's CSV file and the import worker reads it.

A file is received into a temporary place and kept under its job's id only once it is whole (``Upload.keep``),
so a reader never sees half an upload; a file received again for the same job replaces the first.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import BinaryIO, Protocol


class Upload(Protocol):
    """A file being received."""

    def write(self, chunk: bytes) -> None: ...

    def close(self) -> None:
        """The file is whole: write it out to the disk (before ``keep``, which then only renames)."""
        ...

    def keep(self) -> None:
        """Put the file in place as its job's file (replacing an earlier one)."""
        ...

    def discard(self) -> None:
        """Forget what was received (an upload refused or cut short)."""
        ...


class ImportFiles(Protocol):
    def receive(self, job_id: str) -> Upload:
        """A new upload for the job's file."""
        ...

    def open(self, job_id: str) -> BinaryIO | None:
        """The job's file for reading, or None where it is not kept here."""
        ...

    def job_ids(self) -> Iterable[str]:
        """The jobs whose files are kept here."""
        ...

    def delete(self, job_id: str) -> None:
        """Forget the job's file, if it is kept here."""
        ...


class NoImportFiles:
    """Keeps no file: for a process that imports no users (tools, tests of other things)."""

    def receive(self, job_id: str) -> Upload:
        raise RuntimeError("this process keeps no import files")

    def open(self, job_id: str) -> BinaryIO | None:
        return None

    def job_ids(self) -> Iterable[str]:
        return ()

    def delete(self, job_id: str) -> None:
        return None
