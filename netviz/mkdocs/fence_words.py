"""The words of a ``netviz`` fence: what it can show, in which formats, and its error.

Kept apart from the option parser ([`netviz.mkdocs.options`][netviz.mkdocs.options])
so that the parts it calls on (the ``diff:`` checks) read them without importing it.
"""

from __future__ import annotations

from netviz.errors import NetvizError


class FenceError(NetvizError):
    """A ``netviz`` fence whose options are malformed or cannot be rendered."""


SHOWS = ("diagram", "pseudocode", "summary", "chart")
"""What a fence can show (option ``show``)."""

THUMBNAIL = "thumbnail"
"""The ``show`` of the gallery index's thumbnails (no fence writes it): the folded diagram
at full detail fitted to ``fit``, a PNG at ``dpi`` (see [`netviz.mkdocs.gallery`][])."""

FORMATS: dict[str, tuple[str, ...]] = {
    "diagram": ("svg", "mermaid"),
    "summary": ("markdown", "text", "latex", "csv", "json", "torchsummary"),
}
"""The ``format`` values of each ``show`` (the first is the default)."""

DOWNLOADS: dict[str, tuple[str, ...]] = {
    "diagram": ("svg", "png", "pdf", "tex", "tikz", "dot", "mmd"),
    "pseudocode": ("txt",),
    "summary": ("md", "txt", "tex", "csv", "json"),
    "chart": ("svg", "png", "pdf"),
}
"""File types a fence can also offer for download (option ``download``)."""
