"""The import worker: a thread per process that takes started jobs whose files this instance holds and imports
them (steps/runner.py), one at a time.

A job is taken with a conditional update (ImportJobRepo.claim), so of the workers and instances that hold its
file exactly one imports it; its lease is renewed with each batch, and a job whose worker died is taken over
once the lease has run out and goes on from its last batch. The thread is woken by StartUserImportJob in its own
process and otherwise looks for work every ``poll_seconds``; it also marks jobs not started in time Expired and
deletes the files of jobs that have ended (or went with their pool).
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading

from userpool.context import Ctx, Deps
from userpool.ids import new_request_id
from userpool.model.import_jobs import ACTIVE, EXPIRE_SECONDS, ImportStatus
from userpool.services.user_import.steps.runner import LEASE_SECONDS, run_job

log = logging.getLogger("userpool.user_import")

TIDY_EVERY_SECONDS = 60.0


class ImportWorker:
    def __init__(self, deps: Deps, wake: threading.Event | None = None, poll_seconds: float = 5.0) -> None:
        """``wake``: the event ``deps.wake_imports`` sets (app.py makes both)."""
        self._deps = deps
        self._poll = poll_seconds
        self._wake = wake or threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._tidied_at: float | None = None
        # Unique among the workers of every instance: host, process and a random part.
        self.name = f"{socket.gethostname()[:32]}:{os.getpid()}:{secrets.token_hex(6)}"

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="userpool-user-import", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop after the batch being written; a job left InProgress is taken over after its lease."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                while self.run_once() and not self._stop.is_set():
                    pass
            except Exception:
                log.exception("user import round failed")
            self._wake.wait(self._poll)
            self._wake.clear()

    def _ctx(self) -> Ctx:
        return Ctx(self._deps, new_request_id(), self._deps.clock.now(), self._deps.settings.region)

    def tidy(self) -> None:
        """Expire jobs not started in time, and forget the files of jobs that have ended or are gone."""
        ctx = self._ctx()
        files = self._deps.import_files
        with ctx.store.write() as tx:
            tx.import_jobs.expire(ctx.now - EXPIRE_SECONDS, ctx.now)
        for job_id in list(files.job_ids()):
            with ctx.store.read() as tx:
                job = tx.import_jobs.get(job_id)
            if job is None or (job.status not in ACTIVE and job.as_of(ctx.now).status != ImportStatus.CREATED):
                files.delete(job_id)
        self._tidied_at = ctx.now

    def _tidy_due(self, now: float) -> bool:
        last = self._tidied_at
        return last is None or not last <= now < last + TIDY_EVERY_SECONDS

    def run_once(self) -> bool:
        """Import one job this instance can take, if there is one; whether there was."""
        ctx = self._ctx()
        if self._tidy_due(ctx.now):
            self.tidy()
        here = list(self._deps.import_files.job_ids())
        if not here:
            return False
        with ctx.store.read() as tx:
            candidates = tx.import_jobs.claimable(ctx.now, here)
        for job_id in candidates:
            with ctx.store.write() as tx:
                job = tx.import_jobs.claim(job_id, self.name, ctx.now, ctx.now + LEASE_SECONDS)
            if job is not None:
                run_job(ctx, job, self.name, self._stop.is_set)
                return True
        return False
