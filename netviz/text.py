"""Text helpers shared by every output that shows names from user code."""

from __future__ import annotations


def one_line(text: str) -> str:
    """``text`` with control characters (newlines, tabs...) written as escapes (``\\n``).

    Class and attribute names come from user code; a label, listing statement
    or table row that shows them must stay on one line.
    """
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)
