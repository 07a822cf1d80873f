"""Escape user-supplied text (class and attribute names) for each output format.

Labels and titles come from user code, so any character may appear. One function
per target turns arbitrary text into a literal that cannot break the file or inject
markup: the rendered figure shows exactly the original text.
"""

from __future__ import annotations

import re

import graphviz

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_IDENT = re.compile(r"[^A-Za-z0-9_-]+")


def clean(text: str) -> str:
    """Normalise line ends to ``\\n`` and drop control characters XML cannot carry."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text)


def dot_label(text: str) -> graphviz.quoting.NoHtml:
    """A DOT label that Graphviz draws literally (newlines become line breaks).

    Backslashes are doubled (no ``\\N``/``\\G``/``\\l`` escapes), ``&`` becomes
    ``&amp;`` (Graphviz would otherwise decode entities such as ``&lt;``) and the
    result is marked non-HTML so ``<...>`` stays text; ``Digraph`` quotes it.
    """
    return graphviz.nohtml(_dot_text(text).replace("\n", "\\n"))


def dot_label_left(text: str) -> graphviz.quoting.NoHtml:
    """Like [`dot_label`][netviz.renderers.escape.dot_label], each line left-justified
    (ended by Graphviz's ``\\l``)."""
    return graphviz.nohtml("".join(line + "\\l" for line in _dot_text(text).split("\n")))


def _dot_text(text: str) -> str:
    return clean(text).replace("&", "&amp;").replace("\\", "\\\\")


def dot_id(name: str) -> str:
    """A safe identifier fragment for DOT/SVG ``id`` attributes (``wrn28_2``)."""
    ident = _IDENT.sub("_", name).strip("_")
    if not ident or not ident[0].isalpha():
        ident = "g" + (f"_{ident}" if ident else "")
    return ident


# Mermaid decodes ``#name;`` and ``#123;`` codes into HTML entities.
_MERMAID_CODES = {
    "#": "#35;",
    '"': "#quot;",
    "&": "#amp;",
    "<": "#lt;",
    ">": "#gt;",
    "|": "#124;",
    "%": "#37;",
    "`": "#96;",
    ":": "#58;",
    ";": "#59;",
    "\\": "#92;",
}
_MERMAID_SAFE = r"[^#\"&<>|%`:;\\]+|."
"""Runs of characters Mermaid keeps, or one it does not (a pattern for ``re.DOTALL``,
compiled by ``re``'s cache when Mermaid is written)."""


def mermaid_text(text: str) -> str:
    """Escape ``text`` for use inside a quoted Mermaid label (``"..."``).

    Inside quotes only ``"`` is structural; markup (``<``, ``&``), entity starts
    (``#``), edge-label pipes and a few characters Mermaid pre-processes become
    Mermaid entity codes (``#quot;``, ``#lt;``, ``#35;``...). Newlines become
    Mermaid's ``<br>`` line break. Brackets and parentheses stay readable.
    """
    text = clean(text)
    parts = re.findall(_MERMAID_SAFE, text, re.DOTALL)
    escaped = "".join(_MERMAID_CODES.get(part, part) for part in parts)
    return escaped.replace("\n", "<br>")


def mermaid_label(text: str) -> str:
    """``text`` escaped and wrapped in double quotes for a Mermaid node or edge."""
    return f'"{mermaid_text(text)}"'
