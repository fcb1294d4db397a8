r"""Characters a message escapes in a user's text: controls, bidi overrides, invisible format marks.

A name or value a message quotes is the user's, and a terminal acts on some characters instead
of showing them: a right-to-left override (U+202E) reorders the rest of the line, an escape
(U+001B) starts a colour code, a zero-width space hides. JSON escapes only U+0000-U+001F; every
message quoting a user's text (:func:`offloadsim.suggest.quoted`,
:func:`offloadsim.shapes.describe`) passes it through :func:`escape_unseen` too.
"""

from __future__ import annotations

import unicodedata

__all__ = ["escape_unseen"]

#: Categories escaped: control (Cc), format (Cf: bidi overrides and isolates, zero-width marks),
#: lone surrogates, unassigned code points, line and paragraph separators.
_UNSEEN = frozenset({"Cc", "Cf", "Cs", "Cn", "Zl", "Zp"})


def escape_unseen(text: str) -> str:
    r"""``text`` with every character of :data:`_UNSEEN` written as JSON escapes it: ``\u202e``.

    Past U+FFFF as a pair of surrogates, so that JSON text stays JSON that reads back the same.

    >>> print(escape_unseen('"ed\u202ege"'), escape_unseen("\u2066x\x7f"), escape_unseen("\U000e0001"))
    "ed\u202ege" \u2066x\u007f \udb40\udc01
    """
    return text if text.isprintable() else "".join(map(_escaped, text))


def _escaped(char: str) -> str:
    if unicodedata.category(char) not in _UNSEEN:
        return char
    code = ord(char)
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
