"""``bench existence``: a real user's and an unknown name's timings of each operation, their ratio, and the
section it writes. Only the report's shape and the answers are checked, never the figures."""

from __future__ import annotations

from pathlib import Path

import pytest
from bench.existence import OPERATIONS, POOL_KINDS, Timing, run, verdicts


def _timing(ratio: float, alike: bool = True) -> Timing:
    timing = Timing("ForgotPassword", "email", real=[ratio, ratio, ratio], unknown=[1.0, 1.0, 1.0])
    timing.answers = {"real": {"CodeDeliveryDetails"}, "unknown": {"CodeDeliveryDetails" if alike else "error"}}
    return timing


def test_verdicts__a_ratio_or_an_answer_out_of_line_is_a_miss() -> None:
    assert verdicts([_timing(1.05), _timing(0.95)])[0].endswith("within 0.9-1.1 (ok).")
    assert "(MISS)" in verdicts([_timing(1.2)])[0]
    assert any("the answers differ" in line for line in verdicts([_timing(1.0, alike=False)]))


@pytest.mark.socket
def test_bench_existence__every_operation_in_both_pools(tmp_path: Path) -> None:
    output = tmp_path / "benchmarks.md"
    result = run(["--samples=2", "--warmup=0", "--argon2=fast", f"--output={output}"])

    assert [(t.operation, t.kind) for t in result.timings] == [(o, k) for k in POOL_KINDS for o in OPERATIONS]
    for timing in result.timings:
        assert len(timing.real) == len(timing.unknown) == (2 * 5 if timing.operation == "wrong password" else 2)
        assert timing.alike, timing.answers
    report = output.read_text()
    assert "<!-- bench existence: begin -->\n## Hidden users" in report
    assert "| locked out | username | NotAuthorizedException: Password attempts exceeded |" in report
    assert "| ConfirmForgotPassword | email | CodeMismatchException:" in report
