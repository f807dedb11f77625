"""The hand-off of a call from the event loop to a worker thread and back, for what may wait (a write, a
database server's round trip, argon2id and SRP, a trigger): docs/architecture.md, Hot-path rules.

anyio's ``to_thread.run_sync`` (Starlette's ``run_in_threadpool``) costs ~40-50 µs of CPU a call on one core:
a cancel scope, a worker checked out of its idle list, a queue and an event of its own per call. Here a call
is put on one queue (``queue.SimpleQueue``, in C) that idle threads wait on, and its result comes back to
the loop by ``call_soon_threadsafe``: ~5 µs with eight calls in flight, ~24 µs with one.

The capacity stays anyio's: a call holds a token of anyio's default thread limiter (40) from before it is
queued until its thread has finished, as ``to_thread.run_sync`` holds one, so the routes that still use
``run_in_threadpool`` and these share one bound on the threads at work, and on the database connections
they hold. A call runs in a copy of the caller's context (the request id of its log lines), and a caller
cancelled meanwhile stops waiting while its thread finishes the call, whose token is given back then. The
threads are made when no idle one is there, and end after ``IDLE_SECONDS`` without a call.
"""

from __future__ import annotations

import asyncio
import contextvars
import queue
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import anyio
from anyio import to_thread

T = TypeVar("T")

IDLE_SECONDS = 10.0

_Call = tuple[
    asyncio.AbstractEventLoop, "asyncio.Future[Any]", contextvars.Context, Callable[..., Any], tuple[Any, ...], Any
]


class WorkerThreads:
    """Threads that take calls from one queue; made when none is idle, ended after ``idle_seconds`` idle."""

    def __init__(self, idle_seconds: float = IDLE_SECONDS) -> None:
        self._idle_seconds = idle_seconds
        self._calls: queue.SimpleQueue[_Call] = queue.SimpleQueue()
        self._lock = threading.Lock()
        # Threads waiting for a call that no queued call has been promised to.
        self._idle = 0
        self.threads = 0

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` on a worker thread, once anyio's default limiter has a token for it."""
        limiter = to_thread.current_default_thread_limiter()
        token = object()
        try:
            limiter.acquire_on_behalf_of_nowait(token)
        except anyio.WouldBlock:
            await limiter.acquire_on_behalf_of(token)
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        try:
            self._submit((loop, future, contextvars.copy_context(), fn, args, (limiter, token)))
        except BaseException:
            limiter.release_on_behalf_of(token)
            raise
        return await future

    def _submit(self, call: _Call) -> None:
        start = False
        with self._lock:
            if self._idle:
                self._idle -= 1
            else:
                self.threads += 1
                start = True
        self._calls.put(call)
        if start:
            threading.Thread(target=self._work, name="userpool-worker", daemon=True).start()

    def _work(self) -> None:
        while True:
            try:
                loop, future, context, fn, args, held = self._calls.get(timeout=self._idle_seconds)
            except queue.Empty:
                with self._lock:
                    if self._idle:  # no call was promised to this thread: it ends
                        self._idle -= 1
                        self.threads -= 1
                        return
                continue  # a call was promised to an idle thread as this one timed out: take it
            try:
                result, error = context.run(fn, *args), None
            except BaseException as exc:
                result, error = None, exc
            with self._lock:
                # Idle before the token goes back (on the loop): the next call finds this thread, not a new one.
                self._idle += 1
            try:
                loop.call_soon_threadsafe(_resolve, future, result, error, held)
            except RuntimeError:
                pass  # the loop has closed: nobody is waiting
            del loop, future, context, fn, args, held, result, error


def _resolve(future: asyncio.Future[Any], result: Any, error: BaseException | None, held: Any) -> None:
    """On the event loop: the call's token back to the limiter, and its outcome to its caller if still waiting."""
    limiter, token = held
    limiter.release_on_behalf_of(token)
    if future.done():
        return  # the caller was cancelled
    if error is None:
        future.set_result(result)
    else:
        future.set_exception(error)


_THREADS = WorkerThreads()


async def run_in_worker(fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)`` on one of the process's worker threads (WorkerThreads)."""
    return await _THREADS.run(fn, *args)
