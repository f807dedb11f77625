"""docs/benchmarks.md's sections: each command rewrites its own and keeps the rest of the page."""

from __future__ import annotations

from pathlib import Path

import pytest
from bench.report import PAGE_HEAD, replace_section, write_section


def test_replace_section__an_empty_page_starts_with_the_head_and_a_link_to_the_profiles() -> None:
    page = replace_section("", "scaling", "## Workers\n\nfigures")

    assert page.startswith(PAGE_HEAD)
    assert "(profiles.md)" in page
    assert "<!-- bench scaling: begin -->\n## Workers\n\nfigures\n<!-- bench scaling: end -->" in page


def test_replace_section__rewrites_only_its_own_section() -> None:
    page = replace_section("", "run", "## Scenarios\n\nold table")
    page = replace_section(page, "memory", "## Memory\n\nold rss")
    page = page.replace("Where the time goes", "Where the time goes (edited by hand)")

    page = replace_section(page, "run", "## Scenarios\n\nnew table")

    assert "new table" in page and "old table" not in page
    assert "old rss" in page
    assert "Where the time goes (edited by hand)" in page
    assert page.count("<!-- bench run: begin -->") == 1


def test_replace_section__a_new_section_takes_its_place_in_page_order() -> None:
    page = replace_section("", "memory", "## Memory")
    page = replace_section(page, "run", "## Scenarios")
    page = replace_section(page, "scaling", "## Workers")

    assert page.index("## Scenarios") < page.index("## Workers") < page.index("## Memory")


def test_replace_section__an_unknown_section_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown section"):
        replace_section("", "latency", "## Latency")


def test_write_section__makes_the_page_then_keeps_the_other_sections(tmp_path: Path) -> None:
    path = tmp_path / "docs" / "benchmarks.md"

    write_section(path, "memory", "## Memory\n\n10k: 80 MiB")
    write_section(path, "scaling", "## Workers\n\n1.9x")
    write_section(path, "memory", "## Memory\n\n10k: 81 MiB")

    text = path.read_text()
    assert "1.9x" in text and "81 MiB" in text and "80 MiB" not in text
    assert text.index("## Workers") < text.index("## Memory")
