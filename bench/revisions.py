"""The code ``bench compare`` runs: the working tree's ``src/``, or a revision's, exported with ``git archive``
into a temporary directory that is removed afterwards (also on Ctrl-C).

An export, not a ``git worktree``: it registers nothing in the repository, so an interrupted run leaves at most
a directory under the system's temporary folder behind, never a worktree entry to prune.
"""

from __future__ import annotations

import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
"""The repository ``bench`` belongs to: its working tree is the code measured when no revision is named."""
SOURCE = "src"
"""The part of a revision the server needs: the ``userpool`` package and its migrations."""
WORKING_TREE = "working tree"


@dataclass(frozen=True)
class Source:
    """Code our server can be started from."""

    label: str
    """As asked for: a revision (``HEAD~1``), or ``working tree``."""
    commit: str
    """The commit: the revision's, or the working tree's HEAD."""
    subject: str
    src: Path
    changed: bool = False
    """The working tree only: ``src/`` has changes not committed to ``commit``."""

    def describe(self) -> str:
        text = f"`{self.commit[:10]}` ({self.subject})"
        if self.label == WORKING_TREE:
            return f"the working tree at {text}" + (" with uncommitted changes under src/" if self.changed else "")
        return f"{self.label} = {text}"


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True).stdout.strip()


def resolve(revision: str, repo: Path = ROOT) -> str:
    """The commit ``revision`` names, in full; ValueError if it names none."""
    try:
        return _git(repo, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    except subprocess.CalledProcessError:
        raise ValueError(f"{revision!r} names no commit of {repo}") from None


def _subject(commit: str, repo: Path) -> str:
    return _git(repo, "log", "-1", "--format=%s", commit)


def working_tree(repo: Path = ROOT) -> Source:
    """The working tree's ``src/``, as it is now (committed or not)."""
    head = resolve("HEAD", repo)
    changed = bool(_git(repo, "status", "--porcelain", "--", SOURCE))
    return Source(WORKING_TREE, head, _subject(head, repo), repo / SOURCE, changed)


def same_source(old: Source, new: Source, repo: Path = ROOT) -> bool:
    """Whether the two have the same ``src/`` (an A/A comparison: the noise alone)."""
    if new.label == WORKING_TREE and new.changed:
        return False
    return old.commit == new.commit or not _git(repo, "diff", "--name-only", old.commit, new.commit, "--", SOURCE)


@contextmanager
def checkout(revision: str, repo: Path = ROOT) -> Iterator[Source]:
    """``revision``'s ``src/`` in a temporary directory for as long as the context lasts."""
    commit = resolve(revision, repo)
    subject = _subject(commit, repo)
    with tempfile.TemporaryDirectory(prefix=f"bench-{commit[:10]}-") as folder:
        archive = subprocess.Popen(
            ["git", "-C", str(repo), "archive", "--format=tar", commit, SOURCE], stdout=subprocess.PIPE
        )
        assert archive.stdout is not None
        try:
            with tarfile.open(fileobj=archive.stdout, mode="r|") as tar:
                tar.extractall(folder, filter="data")
        finally:
            archive.stdout.close()
            status = archive.wait()
        if status != 0:
            raise RuntimeError(f"git archive {commit} {SOURCE} failed with {status}")
        yield Source(revision, commit, subject, Path(folder) / SOURCE)
