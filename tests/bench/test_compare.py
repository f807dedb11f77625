"""``bench compare``: its options, the exported revision's lifecycle on a real repository, the verdict on
given numbers, and the section it writes. Figures are made up or unchecked: no assertion is on timing."""

from __future__ import annotations

import argparse
import math
import os
import subprocess
from pathlib import Path

import pytest
from bench.compare import (
    FASTER,
    PER_CORE,
    RATE,
    SLOWER,
    WITHIN,
    Comparison,
    Judgement,
    Result,
    check,
    judge,
    markdown,
    overall,
    parser,
    run,
)
from bench.load import Measurement
from bench.report import write_section
from bench.revisions import ROOT, WORKING_TREE, Source, checkout, resolve, same_source, working_tree
from bench.servers import imported_from, with_source


def _git(repo: Path, *args: str) -> str:
    command = ["git", "-C", str(repo), "-c", "user.name=Bench", "-c", "user.email=bench@example.com"]
    command += ["-c", "commit.gpgsign=false", *args]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository of two commits, each with its own ``src/pkg/version.py``."""
    repo = tmp_path / "repo"
    (repo / "src" / "pkg").mkdir(parents=True)
    _git(repo, "init", "--quiet", "--initial-branch=main")
    for version in ("one", "two"):
        (repo / "src" / "pkg" / "version.py").write_text(f"VERSION = {version!r}\n")
        (repo / "README").write_text(version)
        _git(repo, "add", "src", "README")
        _git(repo, "commit", "--quiet", "-m", f"Version {version}")
    return repo


# Options.


def test_parser__defaults_compare_the_working_tree_with_the_previous_commit() -> None:
    args = parser().parse_args([])

    assert (args.baseline, args.candidate) == ("HEAD~1", None)
    assert (args.target, args.rounds, args.seconds, args.warmup) == ("userpool-sqlite", 5, 2.0, 0.5)
    assert args.output.endswith("docs/benchmarks.md")


def test_parser__moto_is_no_revision_of_ours() -> None:
    with pytest.raises(SystemExit):
        parser().parse_args(["--target=moto"])


@pytest.mark.parametrize(
    "argv",
    [
        ["--rounds=4"],
        ["--seconds=0"],
        ["--scenarios=get_user,nothing"],
        ["--baseline=no-such-revision-of-this-repository"],
        ["--baseline=HEAD", "--candidate=no-such-revision-of-this-repository"],
    ],
)
def test_check__refuses_what_cannot_run(argv: list[str]) -> None:
    with pytest.raises(SystemExit):
        check(parser().parse_args(["--baseline=HEAD", *argv]))


# The exported revision.


def test_checkout__the_revisions_src_in_a_directory_removed_afterwards(repo: Path) -> None:
    with checkout("HEAD~1", repo) as source:
        folder = source.src.parent
        assert (source.src / "pkg" / "version.py").read_text() == "VERSION = 'one'\n"
        assert not (folder / "README").exists()  # src/ only
        assert source.label == "HEAD~1" and source.subject == "Version one"
        assert source.commit == resolve("HEAD~1", repo)
        assert source.describe() == f"HEAD~1 = `{source.commit[:10]}` (Version one)"

    assert not folder.exists()
    assert _git(repo, "worktree", "list").count("\n") == 0  # nothing registered in the repository


def test_checkout__removed_on_ctrl_c_too(repo: Path) -> None:
    with pytest.raises(KeyboardInterrupt), checkout("HEAD", repo) as source:
        folder = source.src.parent
        assert folder.exists()
        raise KeyboardInterrupt

    assert not folder.exists()


def test_checkout__an_unknown_revision_is_refused(repo: Path) -> None:
    with pytest.raises(ValueError, match="names no commit"), checkout("HEAD~5", repo):
        pass


def test_working_tree__says_whether_src_has_uncommitted_changes(repo: Path) -> None:
    clean = working_tree(repo)
    assert (clean.label, clean.src, clean.changed) == (WORKING_TREE, repo / "src", False)
    assert clean.describe() == f"the working tree at `{clean.commit[:10]}` (Version two)"
    with checkout("HEAD", repo) as head, checkout("HEAD~1", repo) as previous:
        assert same_source(head, clean, repo)
        assert not same_source(previous, clean, repo)

        (repo / "README").write_text("outside src/")
        assert not working_tree(repo).changed
        (repo / "src" / "pkg" / "version.py").write_text("VERSION = 'three'\n")
        changed = working_tree(repo)
        assert changed.changed and changed.describe().endswith("with uncommitted changes under src/")
        assert not same_source(head, changed, repo)


def test_with_source__the_server_imports_userpool_from_the_exported_revision(tmp_path: Path) -> None:
    with checkout("HEAD", ROOT) as source:
        env = with_source(dict(os.environ), source.src)

        assert env["PYTHONPATH"].split(os.pathsep)[0] == str(source.src)
        assert imported_from(env, tmp_path) == (source.src / "userpool").resolve()


# The verdict, on given numbers.


def test_judge__every_round_slower_by_more_than_the_same_code_moves_is_slower() -> None:
    j = judge([100.0, 101.0, 99.0, 100.0, 100.0], [90.0, 91.0, 89.0, 90.0, 90.0])

    assert j is not None
    assert math.isclose(j.ratio, 0.9, rel_tol=0.01)
    assert math.isclose(j.noise, 91 / 89)  # new's round 2 to round 3
    assert j.verdict == SLOWER


def test_judge__faster_is_the_mirror_image() -> None:
    j = judge([90.0, 91.0, 89.0, 90.0, 90.0], [100.0, 101.0, 99.0, 100.0, 100.0])

    assert j is not None and j.verdict == FASTER


def test_judge__rounds_on_both_sides_of_one_are_within_noise() -> None:
    j = judge([100.0, 100.0, 100.0], [90.0, 95.0, 101.0])

    assert j is not None and max(j.ratios) > 1 > min(j.ratios)
    assert j.verdict == WITHIN


def test_judge__a_change_smaller_than_the_same_codes_spread_is_within_noise() -> None:
    # Every round is 1% slower, but the same code moves 20% from one round to the next.
    j = judge([100.0, 120.0, 100.0, 120.0], [99.0, 118.8, 99.0, 118.8])

    assert j is not None and max(j.ratios) < 1
    assert math.isclose(j.noise, 1.2)
    assert j.verdict == WITHIN


def test_judgement__ratios_are_new_over_old_round_by_round() -> None:
    j = judge([10.0, 20.0], [11.0, 18.0])

    assert j == Judgement((1.1, 0.9), (2.0, 18.0 / 11.0))
    assert math.isclose(j.ratio, 1.0)


@pytest.mark.parametrize(
    ("old", "new"),
    [([1.0], [1.0]), ([1.0, 2.0], [1.0]), ([1.0, math.nan], [1.0, 1.0]), ([1.0, 1.0], [0.0, 1.0]), ([], [])],
)
def test_judge__nothing_to_judge_without_two_whole_rounds_a_side(old: list[float], new: list[float]) -> None:
    assert judge(old, new) is None


def test_overall__any_figure_slower_makes_the_scenario_slower_and_is_named() -> None:
    slower = judge([100.0, 100.0, 100.0], [80.0, 80.0, 80.0])
    faster = judge([80.0, 80.0, 80.0], [100.0, 100.0, 100.0])
    within = judge([100.0, 100.0, 100.0], [99.0, 101.0, 100.0])

    assert overall({RATE: within, PER_CORE: slower}) == f"{SLOWER} (per core)"
    assert overall({RATE: faster, PER_CORE: slower}) == f"{SLOWER} (per core)"
    assert overall({RATE: faster, PER_CORE: within}) == f"{FASTER} (req/s)"
    assert overall({RATE: within, PER_CORE: None}) == WITHIN
    assert overall({RATE: None, PER_CORE: None}) == ""


# The section.


def _m(requests: int, server_cpu_s: float, errors: int = 0, slowest_ms: float = 1.0) -> Measurement:
    # Two requests in a hundred take ``slowest_ms``: the 99th percentile is theirs.
    return Measurement(
        requests=requests,
        errors=errors,
        seconds=2.0,
        latencies_ms=[1.0] * (requests - requests // 50) + [slowest_ms] * (requests // 50),
        server_cpu_s=server_cpu_s,
        server_system_s=0.0,
        database_cpu_s=None,
        client_cpu_s=0.1,
        error_kinds={"ThrottlingException": errors} if errors else {},
    )


def _result(tmp_path: Path) -> Result:
    args = parser().parse_args(["--rounds=3", "--baseline=HEAD"])
    old = Source("HEAD~1", "a" * 40, "Before", tmp_path)
    new = Source(WORKING_TREE, "b" * 40, "After", tmp_path)
    slower = Comparison(
        "get_user",
        8,
        [_m(2000, 2.0)] * 3,
        [_m(1600, 2.0, slowest_ms=3.0), _m(1620, 2.0, slowest_ms=3.0), _m(1580, 2.0, errors=2, slowest_ms=9.0)],
    )
    same = Comparison("refresh", 8, [_m(1000, 2.0), _m(1010, 2.0), _m(990, 2.0)], [_m(1000, 2.0)] * 3)
    skipped = Comparison("client_credentials", 8, note="skipped on old: no /oauth2/token on this server yet")
    return Result("python -m bench compare --rounds=3", args, old, new, False, [slower, same, skipped], 0.0, (0.1,) * 3)


def test_markdown__a_row_per_scenario_with_both_sides_the_ratios_and_the_verdict(tmp_path: Path) -> None:
    result = _result(tmp_path)
    result.finished = 600.0

    text = markdown(result)

    assert text.startswith("## Revisions compared\n")
    assert "1970-01-01 00:00 UTC, 10 min" in text
    assert "- old: HEAD~1 = `aaaaaaaaaa` (Before).\n- new: the working tree at `bbbbbbbbbb` (After)." in text
    assert "3 rounds" in text and "old first in odd rounds" in text
    assert (
        "| get_user | 8 | 1,000 → 800 | 0.800 (0.790–0.810) | 1.000 → 1.250 | 0.800 (0.790–0.810) "
        "| 1.00 → 3.00 | ±2.5%, ±2.5% | slower beyond noise (req/s, per core) |"
    ) in text
    assert "| refresh | 8 | 500 → 500 | 1.000 (0.990–1.010) | 2.000 → 2.000 |" in text
    assert text.split("| refresh |")[1].split("\n")[0].endswith("| within noise |")
    assert "| client_credentials | 8 | - → - | - | - → - | - | - → - | -, - | skipped on old: no /oauth2/token" in text
    assert "- 2 scenarios judged: 1 slower beyond noise, 1 within noise, 0 faster." in text
    assert "- get_user on new: 2 errors (ThrottlingException x2)" in text
    assert "### How it is compared" in text


def test_markdown__an_aa_run_says_so(tmp_path: Path) -> None:
    result = _result(tmp_path)
    result.same = True

    assert "measured the noise alone" in markdown(result)


def test_write_section__compare_comes_after_the_other_sections(tmp_path: Path) -> None:
    path = tmp_path / "benchmarks.md"
    write_section(path, "compare", "## Revisions compared")
    write_section(path, "existence", "## Hidden users")
    write_section(path, "run", "## Scenarios")

    text = path.read_text()
    assert "`python -m bench compare`" in text  # the page's list of commands
    assert text.index("## Scenarios") < text.index("## Hidden users") < text.index("## Revisions compared")


@pytest.mark.socket
def test_bench_compare__the_head_commit_against_the_working_tree(tmp_path: Path) -> None:
    output = tmp_path / "benchmarks.md"
    result = run(
        [
            "--baseline=HEAD",
            "--scenarios=get_user,list_users",
            "--list-sizes=100",
            "--seconds=0.1",
            "--warmup=0.05",
            "--concurrency=2",
            "--argon2=fast",
            f"--output={output}",
        ]
    )

    assert [c.case for c in result.comparisons] == ["get_user", "list_users[100]"]
    for comparison in result.comparisons:
        assert len(comparison.old) == len(comparison.new) == 5, comparison.note
        # Rounds of 0.1 s: on a loaded machine one may end before a request of it does, never with an error.
        assert all(m.errors == 0 for m in comparison.old + comparison.new)
        assert sum(m.requests for m in comparison.old) > 0 and sum(m.requests for m in comparison.new) > 0
        if all(m.requests for m in comparison.old + comparison.new):
            assert comparison.verdict.split(" (")[0] in (SLOWER, WITHIN, FASTER)
        else:  # such a round leaves the scenario unjudged, and the report says why
            assert comparison.verdict == ""
    assert "old: bulk-loaded in" in result.comparisons[1].note and "new: bulk-loaded in" in result.comparisons[1].note
    assert isinstance(result.args, argparse.Namespace) and result.old.label == "HEAD"
    report = output.read_text()
    assert "<!-- bench compare: begin -->\n## Revisions compared" in report
    assert "python -m bench compare --baseline=HEAD" in report
