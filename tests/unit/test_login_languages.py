"""Every language of the hosted pages has every word the pages use: a key missing from one catalog would show
its English text, or its key, to a user who chose that language."""

from __future__ import annotations

import string

import pytest

from userpool.web.login import i18n


@pytest.mark.parametrize("lang", sorted(i18n.NAMES))
def test_hosted_pages__every_language_has_every_key(lang: str) -> None:
    assert set(i18n.CATALOGS[lang]) == set(i18n.CATALOGS[i18n.DEFAULT])


@pytest.mark.parametrize("lang", sorted(i18n.NAMES))
def test_hosted_pages__placeholders_match_the_default_language(lang: str) -> None:
    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    default = i18n.CATALOGS[i18n.DEFAULT]
    assert {k: fields(v) for k, v in i18n.CATALOGS[lang].items()} == {k: fields(v) for k, v in default.items()}
