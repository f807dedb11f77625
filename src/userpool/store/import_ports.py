"""The storage port of user import jobs (store/base.py's Tx hangs this repository on a transaction). Errors are
base.py's NotFound and Conflict."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from userpool.model.import_jobs import ImportJob, RowResult
from userpool.model.records import Page


class ImportJobRepo(Protocol):
    """Import jobs by job id (unique across pools), and the skipped and failed lines of their files. Both go
    with their pool."""

    def add(self, job: ImportJob) -> None:
        """Insert ``job``; Conflict("job_id") when its id is taken."""
        ...

    def get(self, job_id: str, for_update: bool = False) -> ImportJob | None:
        """The job with this id, in whichever pool; ``for_update`` locks its row until commit."""
        ...

    def of_pool(self, pool_id: str, limit: int, after: str | None) -> Page[ImportJob]:
        """A page of the pool's jobs, newest first (ties in job id order, descending); ``after`` is the cursor a
        previous page returned."""
        ...

    def update(self, job: ImportJob) -> None:
        """Write what is stored of the job (everything but its pool, id, name, role and creation)."""
        ...

    def claimable(self, now: float, job_ids: Iterable[str]) -> list[str]:
        """Which of ``job_ids`` a worker may take now: Pending ones, and InProgress or Stopping ones whose
        worker's lease ran out (it died), oldest first."""
        ...

    def claim(self, job_id: str, worker: str, now: float, lease_until: float) -> ImportJob | None:
        """Take the job for ``worker`` until ``lease_until`` if it is claimable now (a conditional update: of
        two workers racing, one gets it); the job as claimed, InProgress (Stopping stays Stopping), or None."""
        ...

    def expire(self, created_before: float, now: float) -> list[str]:
        """Mark Expired every job still Created that was created before ``created_before``; their ids."""
        ...

    def active_in_pool(self, pool_id: str) -> bool:
        """Whether a job of the pool is Pending, InProgress or Stopping."""
        ...

    def add_results(self, job_id: str, results: Iterable[RowResult]) -> None:
        """Record skipped and failed lines."""
        ...

    def results(self, job_id: str, limit: int, after_line: int = 0) -> list[RowResult]:
        """The job's recorded lines after ``after_line``, in line order."""
        ...
