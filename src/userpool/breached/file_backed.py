"""The BreachedPasswords adapter: the built-in list (``common.py``) and the corpus file an operator imports
(``corpus.py``), mapped read-only by every worker. ``app.py`` builds it; nothing else may import it (an
import-linter contract).

An import replaces the file by renaming a new one over it, so a server never sees half a corpus. Every few
seconds at most (``recheck_seconds``) a lookup looks at the file's identity (device, inode, size, modification
time); when it has changed the new file is mapped and the old mapping is let go once no lookup is using it. A
file that disappears leaves the built-in list alone; one that cannot be read as a corpus is logged (its path and
why, never a password) and the corpus mapped before stays in use. Nothing here logs or keeps a password or its
hash.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from userpool.breached.common_passwords import common_password_digests
from userpool.breached.corpus import Corpus, CorpusError, file_identity, open_corpus
from userpool.breached.port import password_sha1

log = logging.getLogger("userpool.breached")

RECHECK_SECONDS = 5.0


class FileBackedPasswords:
    """BreachedPasswords over the built-in list and the corpus at ``path`` (which need not exist)."""

    def __init__(
        self,
        path: Path,
        recheck_seconds: float = RECHECK_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.path = path
        self.recheck_seconds = recheck_seconds
        self._monotonic = monotonic
        self._common = common_password_digests()
        self._corpus: Corpus | None = None
        # The identity last looked at, read or not: a damaged file is reported once, not at every recheck.
        self._seen: tuple[int, ...] | None = None
        self._checked_at = -float("inf")
        self._lock = threading.Lock()
        self._refresh()

    def contains(self, password: str) -> bool:
        digest = password_sha1(password)
        if digest in self._common:
            return True
        corpus = self._current()
        return corpus is not None and corpus.contains_digest(digest)

    @property
    def corpus(self) -> Corpus | None:
        """The corpus mapped now, if any."""
        return self._corpus

    def _current(self) -> Corpus | None:
        if self._monotonic() - self._checked_at >= self.recheck_seconds and self._lock.acquire(blocking=False):
            # One thread looks; the others go on with the corpus they have.
            try:
                self._refresh()
            finally:
                self._lock.release()
        return self._corpus

    def _refresh(self) -> None:
        self._checked_at = self._monotonic()
        try:
            identity: tuple[int, ...] | None = file_identity(os.stat(self.path))
        except FileNotFoundError:
            identity = None
        except OSError as err:
            self._report(None, f"the breached-password corpus {self.path} cannot be read: {err.strerror}")
            return
        if identity == self._seen:
            return
        self._seen = identity
        if identity is None:
            if self._corpus is not None:
                log.warning("the breached-password corpus %s is gone; only the built-in list is checked", self.path)
            self._corpus = None
            return
        try:
            corpus = open_corpus(self.path)
        except (CorpusError, OSError) as err:
            self._report(identity, f"{err}; the breached-password corpus mapped before stays in use")
            return
        self._seen = corpus.identity
        self._corpus = corpus
        log.info("breached-password corpus %s: %d entries", self.path, len(corpus))

    def _report(self, identity: tuple[int, ...] | None, message: str) -> None:
        self._seen = identity
        log.warning("%s", message)
