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


def short_count(count: int, *, exact_under: float = 0) -> str:
    """A large count as papers print it: ``214353152`` -> ``"214.35 M"``, ``"1.82 G"``
    from a billion; counts under ``exact_under`` exactly (``"1,280"``)."""
    if count < exact_under:
        return f"{count:,}"
    if count >= 1e9:
        return f"{count / 1e9:0.2f} G"
    return f"{count / 1e6:0.2f} M"
