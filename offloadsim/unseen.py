r"""A user's text in a message: its controls, bidi overrides and invisible marks escaped; long text cut.

A name or value a message quotes is the user's, and a terminal acts on some characters instead
of showing them: a right-to-left override (U+202E) reorders the rest of the line, an escape
(U+001B) starts a colour code, a zero-width space hides. JSON escapes only U+0000-U+001F; every
message quoting a user's text (:func:`offloadsim.suggest.quoted`,
:func:`offloadsim.shapes.describe`) passes it through :func:`escape_unseen` too.
"""

from __future__ import annotations

import unicodedata

__all__ = ["SHOWN_HEAD", "SHOWN_MAX", "escape_unseen", "shown_text"]

#: A user's text a message echoes (a name, a path, a flag's value) is shown whole up to this many
#: characters, else its first :data:`SHOWN_HEAD` and its length: a 5,000-character name made a
#: 5,400-character line.  Here, at the bottom of the package, for every layer's messages.
SHOWN_MAX = 80
SHOWN_HEAD = 60

#: Categories escaped: control (Cc), format (Cf: bidi overrides and isolates, zero-width marks),
#: lone surrogates, unassigned code points, line and paragraph separators.
_UNSEEN = frozenset({"Cc", "Cf", "Cs", "Cn", "Zl", "Zp"})


def escape_unseen(text: str) -> str:
    r"""``text`` with every character of :data:`_UNSEEN` written as JSON escapes it: ``\u202e``, ``\n``.

    Past U+FFFF as a pair of surrogates, so that JSON text stays JSON that reads back the same.

    >>> print(escape_unseen('"ed\u202ege"'), escape_unseen("\u2066x\x7f"), escape_unseen("\U000e0001"))
    "ed\u202ege" \u2066x\u007f \udb40\udc01
    >>> print(escape_unseen("lo\ncal\t1"))
    lo\ncal\t1
    """
    return text if text.isprintable() else "".join(map(_escaped, text))


#: The controls JSON writes short: a newline is ``\n``, as :func:`json.dumps` writes it in a quoted name.
_SHORT = {"\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escaped(char: str) -> str:
    if unicodedata.category(char) not in _UNSEEN:
        return char
    if char in _SHORT:
        return _SHORT[char]
    code = ord(char)
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def shown_text(text: str) -> str:
    """A user's ``text`` as a one-line message shows it: whole up to :data:`SHOWN_MAX` characters, else cut.

    >>> shown_text("edge"), shown_text("x" * 5000)[-30:]
    ('edge', 'xxxxxxxx... (5,000 characters)')
    """
    return text if len(text) <= SHOWN_MAX else f"{text[:SHOWN_HEAD]}... ({len(text):,} characters)"
