"""Find English left in a page or an email rendered in Spanish or Canadian French.

A fixed list of sentences per page only catches what somebody remembered to list. This looks at every
piece of visible text (and the attributes people read: ``title``, ``alt``, ``placeholder``,
``aria-label``, ``value`` of buttons) and reports the ones holding a word that is English and neither
Spanish nor French ("the", "your", "with", ...). Names, numbers and product names rarely hold such a
word; a test passes the ones that do in ``allow``.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Common English words that are not Spanish or French words (so "a", "me", "son", "on", "de", "no"
# and "plan" are left out). Kept short on purpose: a sentence of English almost always holds one.
ENGLISH_MARKERS = frozenset(
    """
    the your you and with this that these those is are was were has have had will would should could
    from for of to by be been being can cannot here there when which who what where why how any all
    our we my into than then only each after before until please yet not it its they their them
    yes there's don't won't can't isn't let's about more most other some such very also just every
    account accounts request requests order orders member members sponsor new back save cancel submit
    send view show edit delete remove add next previous search find download print close open
    """.split()
)

_WORD = re.compile(r"[A-Za-z][A-Za-z']*")
_READ_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label"}
BUTTON_TYPES = {"submit", "button", "reset"}


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self._skip += 1
        for name, value in attrs:
            # A button's label is its content; only an <input> button shows its value.
            shown_value = name == "value" and tag == "input" and dict(attrs).get("type") in BUTTON_TYPES
            if value and (name in _READ_ATTRIBUTES or shown_value):
                self.pieces.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"} and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.pieces.append(" ".join(data.split()))


def english_left(markup: str, *, allow: tuple[str, ...] = (), html: bool = True) -> list[str]:
    """The pieces of ``markup`` that read as English, minus those containing an ``allow`` string."""
    if html:
        collector = _TextCollector()
        collector.feed(markup)
        pieces = collector.pieces
    else:
        pieces = [" ".join(line.split()) for line in markup.splitlines() if line.strip()]
    found = []
    for piece in pieces:
        if any(allowed in piece for allowed in allow):
            continue
        words = {word.lower() for word in _WORD.findall(piece)}
        if words & ENGLISH_MARKERS:
            found.append(piece)
    return found
