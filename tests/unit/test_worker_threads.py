"""The API's hand-off to worker threads (worker_threads.py): results and exceptions come back, the caller's
context goes along, anyio's thread limiter bounds the calls at work together with run_in_threadpool's, a
cancelled caller's call still holds its token until its thread is done, and idle threads end."""

from __future__ import annotations

import asyncio
import contextvars
import threading
import time

import pytest
from anyio import to_thread
from starlette.concurrency import run_in_threadpool

from userpool.worker_threads import WorkerThreads

REQUEST = contextvars.ContextVar("REQUEST", default="none")


class Boom(Exception):
    pass


def _fail() -> None:
    raise Boom("from the thread")


def test_worker_threads__results_exceptions_and_context() -> None:
    threads = WorkerThreads()

    async def main() -> tuple[object, ...]:
        REQUEST.set("req-1")
        loop_thread = threading.get_ident()
        seen = await threads.run(lambda: (REQUEST.get(), threading.get_ident() != loop_thread))
        total = await threads.run(sum, [1, 2, 3])
        with pytest.raises(Boom, match="from the thread"):
            await threads.run(_fail)
        return seen, total

    assert asyncio.run(main()) == (("req-1", True), 6)


def test_worker_threads__bounded_with_run_in_threadpool_by_anyios_limiter() -> None:
    threads = WorkerThreads()
    lock = threading.Lock()
    at_work = most = 0

    def work() -> None:
        nonlocal at_work, most
        with lock:
            at_work += 1
            most = max(most, at_work)
        time.sleep(0.02)
        with lock:
            at_work -= 1

    async def main() -> None:
        to_thread.current_default_thread_limiter().total_tokens = 3
        calls = [threads.run(work) for _ in range(10)] + [run_in_threadpool(work) for _ in range(10)]
        await asyncio.gather(*calls)

    asyncio.run(main())
    assert most == 3
    assert threads.threads <= 3


def test_worker_threads__a_cancelled_caller_holds_its_token_until_the_thread_is_done() -> None:
    threads = WorkerThreads()
    release = threading.Event()

    async def main() -> tuple[float, float, float]:
        limiter = to_thread.current_default_thread_limiter()
        limiter.total_tokens = 1
        waiting = asyncio.ensure_future(threads.run(release.wait, 10))
        await asyncio.sleep(0.05)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        during = limiter.borrowed_tokens
        release.set()
        for _ in range(100):  # the thread finishes, and its token comes back through the loop
            if not limiter.borrowed_tokens:
                break
            await asyncio.sleep(0.01)
        after = limiter.borrowed_tokens
        answer = await threads.run(lambda: 42.0)
        return during, after, answer

    assert asyncio.run(main()) == (1, 0, 42.0)


def test_worker_threads__idle_threads_end_and_new_ones_are_made() -> None:
    threads = WorkerThreads(idle_seconds=0.05)

    async def main() -> int:
        await asyncio.gather(*(threads.run(time.sleep, 0.02) for _ in range(4)))
        return threads.threads

    assert asyncio.run(main()) == 4
    deadline = time.monotonic() + 5
    while threads.threads and time.monotonic() < deadline:
        time.sleep(0.02)
    assert threads.threads == 0
    assert asyncio.run(threads.run(lambda: "again")) == "again"
