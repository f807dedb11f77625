"""Password hashing with argon2id and temporary-password generation (docs/architecture.md, Storage and Hot-path
rules)."""

from __future__ import annotations

import secrets
import string
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol, TypeVar

from argon2 import PasswordHasher as _Argon2
from argon2 import Type
from argon2.exceptions import InvalidHashError, VerificationError

from userpool.crypto import foreign_hashes
from userpool.crypto.cpus import usable_cpus

# A valid hash verified against when the user does not exist, so both paths cost the same.
_SYMBOLS = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`+=-"
_T = TypeVar("_T")


class HashingLoad(Protocol):
    """Told when a computation joins the hasher's queue, when a thread takes it up and when it is done: the
    metrics of how many wait and how many threads are busy (monitoring/)."""

    def queued(self) -> None: ...
    def started(self) -> None: ...
    def finished(self) -> None: ...


class _Unobserved:
    def queued(self) -> None:
        pass

    def started(self) -> None:
        pass

    def finished(self) -> None:
        pass


class PasswordHasher:
    """argon2id hash/verify with parameters taken from settings.

    Every computation runs on a few threads of the hasher's own (``threads``: by default one per usable CPU
    and ``parallelism`` lanes; ``serve`` divides the CPUs among its workers); the request's thread waits for
    it. argon2id is memory-hard (about 19 MiB per computation at the OWASP cost): more of them at once than
    there are CPUs only take turns on the CPUs, evicting each other's memory from the caches. And glibc keeps
    a freed block of that size in the malloc arena of the thread that used it, so hashing on any of a server's
    many request threads would leave each of them holding one: on a few dedicated threads only those do
    (docs/architecture.md, Hot-path rules: an idle worker stays small).
    """

    def __init__(
        self,
        time_cost: int,
        memory_kib: int,
        parallelism: int,
        threads: int | None = None,
        load: HashingLoad | None = None,
    ) -> None:
        self._argon2 = _Argon2(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism, type=Type.ID)
        count = threads if threads is not None else usable_cpus() // max(1, parallelism)
        self.threads = max(1, count)
        self._threads = ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="argon2id")
        self._load: HashingLoad = load or _Unobserved()
        self._dummy = self._argon2.hash(secrets.token_urlsafe(16))

    def _run(self, work: Callable[[], _T]) -> _T:
        """``work`` on one of the hasher's threads, the caller waiting for it."""
        load = self._load

        def observed() -> _T:
            load.started()
            try:
                return work()
            finally:
                load.finished()

        load.queued()
        return self._threads.submit(observed).result()

    def hash(self, password: str) -> str:
        return self._run(lambda: self._argon2.hash(password))

    def verify(self, stored: str | None, password: str) -> bool:
        """True when ``password`` matches; a missing hash costs as much as a wrong password."""
        return self._run(lambda: self._verify(stored, password))

    def _verify(self, stored: str | None, password: str) -> bool:
        # A hash imported from another system (a user import job's bcrypt, scrypt or PBKDF2-SHA256) is verified
        # by its own algorithm, on these threads too (crypto/foreign_hashes.py).
        if stored is not None and foreign_hashes.algorithm_of(stored) is not None:
            return foreign_hashes.verify(stored, password)
        try:
            return self._argon2.verify(stored or self._dummy, password) and stored is not None
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored: str) -> bool:
        """True for a hash of other parameters than these, or of another algorithm (an imported one): the
        sign-in that has just verified the password replaces it with one of these."""
        if foreign_hashes.algorithm_of(stored) is not None:
            return True
        try:
            return self._argon2.check_needs_rehash(stored)
        except (InvalidHashError, ValueError):
            return True


def generate_temporary_password(min_length: int) -> str:
    """A random password that satisfies any Cognito password policy of at most ``min_length``."""
    length = max(min_length, 12)
    pools = [string.ascii_uppercase, string.ascii_lowercase, string.digits, _SYMBOLS]
    chars = [secrets.choice(p) for p in pools]
    everything = "".join(pools)
    chars += [secrets.choice(everything) for _ in range(length - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)
