"""A page's form read as a browser submits it (HTML's "successful controls"): text inputs and hidden fields
with their values, ticked checkboxes and radios, each select's selected option (else its first), textareas'
text; buttons are left to the caller, who says which one was pressed."""

from __future__ import annotations

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self, action: str, method: str) -> None:
        super().__init__(convert_charrefs=True)
        self.action, self.method = action, method
        self.inside = False
        self.found = False
        self.pairs: list[tuple[str, str]] = []
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "form":
            method = values.get("method", "get").lower()
            self.inside = not self.found and values.get("action") == self.action and method == self.method
            self.found = self.found or self.inside
        if not self.inside:
            return
        name = values.get("name")
        if tag == "input" and name:
            kind = values.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in values:
                    self.pairs.append((name, values.get("value", "on")))
            elif kind not in ("submit", "button", "file"):
                self.pairs.append((name, values.get("value", "")))
        elif tag == "select" and name:
            self._select, self._options = name, []
        elif tag == "option" and self._select is not None:
            self._options.append((values.get("value", ""), "selected" in values))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select" and self._select is not None:
            chosen = next(
                (v for v, selected in self._options if selected), self._options[0][0] if self._options else ""
            )
            self.pairs.append((self._select, chosen))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.pairs.append((self._textarea, "".join(self._text)))
            self._textarea = None


def form_pairs(html: str, action: str, method: str = "post") -> list[tuple[str, str]]:
    """The fields the first form sending to ``action`` by ``method`` sends as it stands."""
    reader = _FormReader(action, method)
    reader.feed(html)
    assert reader.found, f"no form sends to {action} by {method}"
    return reader.pairs


def as_data(pairs: list[tuple[str, str]]) -> dict[str, str | list[str]]:
    """Pairs as the test client's ``data``: a name sent more than once becomes a list."""
    data: dict[str, str | list[str]] = {}
    for name, value in pairs:
        if name in data:
            current = data[name]
            data[name] = [*current, value] if isinstance(current, list) else [current, value]
        else:
            data[name] = value
    return data
