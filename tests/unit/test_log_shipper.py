"""The log delivery adapter on its own: which sink an ARN goes to, the file names of unmapped ARNs, what
``stop`` delivers, a full queue, a failing sink, and the JSON lines of the stdout sink."""

from __future__ import annotations

import io
import json
from pathlib import Path

from userpool.config import LogDeliverySettings, LogSink
from userpool.delivery.logs.shipper import MAX_FILE_NAME, QueuedLogShipper, file_name
from userpool.delivery.logs.sinks import DiscardSink, FileSink, StdoutSink

GROUP = "arn:aws:logs:us-east-1:123456789012:log-group:/userpool/auth"
OTHER = "arn:aws:logs:us-east-1:123456789012:log-group:other"


def _event(n: int) -> dict[str, object]:
    return {"eventTimestamp": str(n), "eventSource": "USER_NOTIFICATION", "logLevel": "ERROR", "message": {"n": n}}


def _lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_log_shipper__file_names_of_unmapped_arns() -> None:
    assert file_name(GROUP) == "arn_aws_logs_us-east-1_123456789012_log-group__userpool_auth.jsonl"
    long_arn = GROUP + "/" + "x" * 1000
    name = file_name(long_arn)
    assert len(name) == MAX_FILE_NAME + len(".jsonl")
    assert name != file_name(long_arn + "y") and name.startswith("arn_aws_logs_")


def test_log_shipper__sink_of_a_mapped_an_unmapped_and_a_defaulted_arn(tmp_path: Path) -> None:
    mapped = LogSink("file", str(tmp_path / "auth.jsonl"))
    shipper = QueuedLogShipper(LogDeliverySettings(destinations={GROUP: mapped}), tmp_path)
    sink = shipper.sink_for(GROUP)
    assert isinstance(sink, FileSink) and sink.path == tmp_path / "auth.jsonl"
    unmapped = shipper.sink_for(OTHER)
    assert isinstance(unmapped, FileSink) and unmapped.path == tmp_path / "logs" / file_name(OTHER)
    elsewhere = QueuedLogShipper(LogDeliverySettings(directory=str(tmp_path / "elsewhere")), tmp_path)
    assert elsewhere.sink_for(OTHER).path == tmp_path / "elsewhere" / file_name(OTHER)  # type: ignore[attr-defined]
    dropping = QueuedLogShipper(LogDeliverySettings(default_sink=LogSink("none")), tmp_path)
    assert isinstance(dropping.sink_for(OTHER), DiscardSink)
    # Two ARNs mapped to one file share one sink (and its lock).
    shared = QueuedLogShipper(LogDeliverySettings(destinations={GROUP: mapped, OTHER: mapped}), tmp_path)
    assert shared.sink_for(GROUP) is shared.sink_for(OTHER)


def test_log_shipper__stop_delivers_what_is_queued_in_order(tmp_path: Path) -> None:
    shipper = QueuedLogShipper(LogDeliverySettings(), tmp_path)
    for n in range(500):
        shipper.ship(GROUP if n % 2 else OTHER, _event(n))
    shipper.stop()
    odd, even = _lines(tmp_path / "logs" / file_name(GROUP)), _lines(tmp_path / "logs" / file_name(OTHER))
    assert [e["message"] for e in odd] == [{"n": n} for n in range(1, 500, 2)]
    assert [e["message"] for e in even] == [{"n": n} for n in range(0, 500, 2)]
    assert (tmp_path / "logs").stat().st_mode & 0o777 == 0o700


def test_log_shipper__a_full_queue_drops_and_counts(tmp_path: Path) -> None:
    shipper = QueuedLogShipper(LogDeliverySettings(), tmp_path, max_queued=2)
    shipper._start = lambda: None  # type: ignore[method-assign]  # no thread drains the queue
    for n in range(5):
        shipper.ship(GROUP, _event(n))
    assert shipper.dropped == 3


def test_log_shipper__a_failing_sink_loses_only_its_share(tmp_path: Path) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the sink needs a folder")
    settings = LogDeliverySettings(destinations={GROUP: LogSink("file", str(blocked / "auth.jsonl"))})
    shipper = QueuedLogShipper(settings, tmp_path)
    shipper.ship(GROUP, _event(1))
    shipper.ship(OTHER, _event(2))
    shipper.stop()
    assert [e["message"] for e in _lines(tmp_path / "logs" / file_name(OTHER))] == [{"n": 2}]


def test_log_shipper__stdout_sink_writes_json_lines() -> None:
    stream = io.StringIO()
    StdoutSink(stream).write([(GROUP, _event(1)), (GROUP, _event(2))])
    assert [json.loads(line) for line in stream.getvalue().splitlines()] == [_event(1), _event(2)]
