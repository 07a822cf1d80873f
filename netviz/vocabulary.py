"""The words netviz's options take, each list defined once.

The command line (its ``choices``), the Python API (its type hints and checks) and the
docs fence (its option parser) all read these, so a direction, a theme, a chart kind or
an output suffix added here is offered everywhere at once.
"""

from __future__ import annotations

from typing import Literal, get_args

Direction = Literal["TB", "LR"]
"""Layout direction: top to bottom, or left to right."""
DIRECTIONS: tuple[str, ...] = get_args(Direction)
DEFAULT_DIRECTION: Direction = "TB"

Theme = Literal["light", "dark", "paper"]
"""Colour theme; ``paper`` is for print (black, fine lines, dashed cluster outlines)."""
THEMES: tuple[str, ...] = get_args(Theme)
DEFAULT_THEME: Theme = "light"

ChartKind = Literal["params", "macs", "shapes"]
"""What a chart shows: parameters or mult-adds per diagram group, or shapes through the model."""
CHART_KINDS: tuple[str, ...] = get_args(ChartKind)
DEFAULT_CHART: ChartKind = "params"

DIAGRAM_SUFFIXES = {
    ".svg": "svg",
    ".png": "png",
    ".pdf": "pdf",
    ".dot": "dot",
    ".gv": "dot",
    ".mmd": "mmd",
    ".mermaid": "mmd",
    ".txt": "txt",
    ".tex": "tex",
    ".tikz": "tikz",
}
"""Output file suffixes and the diagram format each implies."""

DIAGRAM_FORMATS = ("svg", "png", "pdf", "tex", "tikz", "dot", "mmd", "txt")
"""Diagram formats; ``tex`` and ``tikz`` are TikZ (a document, the picture alone),
``txt`` is the pseudocode listing."""

DIFF_FORMATS = ("txt", "md", "svg", "png", "pdf", "tex", "tikz", "dot", "mmd")
"""Formats of a diff: its text form (``txt``, ``md``: Markdown) and every figure format."""

DIFF_SUFFIXES = {
    **{suffix: fmt for suffix, fmt in DIAGRAM_SUFFIXES.items() if fmt in DIFF_FORMATS},
    ".md": "md",
    ".markdown": "md",
}
"""Output file suffixes and the diff format each implies (``.txt`` is the text form)."""

SUMMARY_FORMATS = ("text", "markdown", "latex", "csv", "json", "torchsummary")
"""Summary formats, the first is the default."""

SUMMARY_SUFFIXES = {
    ".txt": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".tex": "latex",
    ".csv": "csv",
    ".json": "json",
}
"""Output file suffixes and the summary format each implies (``torchsummary`` only by name)."""

CHART_SUFFIXES = {".svg": "svg", ".png": "png", ".pdf": "pdf"}
"""Output file suffixes of charts and the format each implies."""


def suffix_of(fmt: str, suffixes: dict[str, str]) -> str | None:
    """The first suffix (without its dot) that implies ``fmt``: ``"markdown"`` → ``"md"``."""
    return next((s.removeprefix(".") for s, f in suffixes.items() if f == fmt), None)
