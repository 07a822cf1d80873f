"""[`Diff`][netviz.diffs.Diff]: what changed between two models, as a figure and as text.

What [`netviz.diff`][netviz.api.diff] returns. It holds the
[`Comparison`][netviz.transforms.diff.Comparison] (plain data: B's notation graph with
the differences marked, and the numbers of every group) and how to draw it; Jupyter
shows the figure and the text form. No torch here.

Examples:
    ```python
    import netviz

    d = netviz.diff("resnet50", "resnet101")
    d                      # in Jupyter: B's figure with the changes marked, and the text
    print(d.text)          # the changes by group, params and MACs of A, B and the difference
    d.save("r50-r101.svg")  # any figure format, or .txt / .md, from the suffix
    d.identical            # False
    ```
"""

from __future__ import annotations

import html
import shutil
from dataclasses import dataclass, replace
from functools import cached_property
from typing import TYPE_CHECKING

from netviz.diagrams import Diagram
from netviz.vocabulary import DIFF_FORMATS, DIFF_SUFFIXES, Direction, Theme

if TYPE_CHECKING:
    from pathlib import Path

    from netviz.ir import Graph
    from netviz.transforms.diff import ChangeLine, Comparison, GroupDiff

FORMATS = DIFF_FORMATS
"""Formats of a diff: its text form (``txt``, ``md``: Markdown) and every figure format
([`netviz.vocabulary`][netviz.vocabulary])."""

SUFFIXES = DIFF_SUFFIXES
"""Output file suffixes and the diff format each implies (``.txt`` is the text form;
[`netviz.vocabulary`][netviz.vocabulary])."""


@dataclass(frozen=True)
class Diff:
    """Model B compared with model A: B's figure with the differences marked, and the
    text form with each group's changes and numbers.

    Attributes:
        comparison: The comparison (plain data) everything is drawn from.
        legend: Draw the legend (the shapes, marks and the diff's marks used).
        direction: ``TB`` (top to bottom) or ``LR`` (left to right).
        theme: ``light``, ``dark`` or ``paper``.
    """

    comparison: Comparison
    legend: bool = True
    direction: Direction = "TB"
    theme: Theme = "light"

    def styled(
        self,
        *,
        legend: bool | None = None,
        direction: Direction | None = None,
        theme: Theme | None = None,
    ) -> Diff:
        """The same diff with another style; arguments left out keep this one's."""
        return replace(
            self,
            legend=self.legend if legend is None else legend,
            direction=direction or self.direction,
            theme=theme or self.theme,
        )

    @property
    def graph(self) -> Graph:
        """B's notation graph with the differences marked (see [`netviz.ir.Change`][])."""
        return self.comparison.graph

    @property
    def groups(self) -> tuple[GroupDiff, ...]:
        """Stem, every block cluster of A or B, head: changes and numbers of each."""
        return self.comparison.groups

    @property
    def changes(self) -> tuple[ChangeLine, ...]:
        """Every difference, group after group."""
        return self.comparison.changes

    @property
    def identical(self) -> bool:
        """No structural difference, and the same parameters and MACs."""
        return self.comparison.identical

    @property
    def figure(self) -> Diagram:
        """The figure as a [`Diagram`][netviz.diagrams.Diagram]: B's marked graph in this
        diff's style (for B's own pseudocode listing, use ``netviz.pseudocode`` on B)."""
        return Diagram(self.graph, legend=self.legend, direction=self.direction,
                       theme=self.theme)

    @cached_property
    def text(self) -> str:
        """The text form: changes by group, then params and MACs of A, B and the difference."""
        from netviz.renderers.diff_text import render_diff_text

        return render_diff_text(self.comparison)

    @cached_property
    def markdown(self) -> str:
        """The text form as Markdown (a list of changes per group, a table of numbers)."""
        from netviz.renderers.diff_text import render_diff_markdown

        return render_diff_markdown(self.comparison)

    @property
    def dot(self) -> str:
        """The figure's Graphviz DOT source."""
        return self.figure.dot

    @property
    def mermaid(self) -> str:
        """The figure's Mermaid source."""
        return self.figure.mermaid

    @property
    def svg(self) -> str:
        """The figure as SVG, drawn by Graphviz ``dot``.

        Raises:
            GraphvizNotFoundError: ``dot`` is not installed.
        """
        return self.render("svg").decode("utf-8")

    def render(self, fmt: str = "svg", *, dpi: int | None = None,
               width: str | None = None) -> bytes:
        """The diff in one of [`FORMATS`][netviz.diffs.FORMATS].

        Args:
            fmt: The format.
            dpi: Resolution of a PNG (default [`PNG_DPI`][netviz.output.PNG_DPI]).
            width: Scale a figure with a size (``svg png pdf tex tikz``) to this width
                (``"8.5cm"``).

        Raises:
            FormatError: ``fmt`` is not a diff format.
            UsageError: ``dpi`` or ``width`` for a format they do not apply to.
            GraphvizNotFoundError: a format drawn by Graphviz, and ``dot`` is missing.
        """
        from netviz.errors import FormatError, UsageError

        if fmt not in FORMATS:
            raise FormatError(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}")
        if fmt in ("txt", "md"):
            if dpi is not None or width is not None:
                option = "dpi" if dpi is not None else "width"
                raise UsageError(f"{option} applies to figures, not the {fmt} text form")
            return (self.text if fmt == "txt" else self.markdown).encode("utf-8")
        from netviz.renderers.figure import draw_figure

        return draw_figure(self.graph, fmt, direction=self.direction, theme=self.theme,
                           legend=self.legend, dpi=dpi, width=width)

    def save(self, path: str | Path, fmt: str | None = None, *, dpi: int | None = None,
             width: str | None = None) -> None:
        """Write the diff to ``path``, whole or not at all (as the CLI does).

        Args:
            path: Output file; its suffix picks the format (``.txt .md .svg .png .pdf
                .tex .tikz .dot .gv .mmd .mermaid``).
            fmt: The format, when the suffix does not tell it.
            dpi: PNG only: pixels per inch.
            width: Scale a sized figure to this width.

        Raises:
            FormatError: Unknown format or suffix, or the two disagree.
            OutputError: ``path`` cannot be written.
            GraphvizNotFoundError: a format drawn by Graphviz, and ``dot`` is missing.
        """
        from netviz.output import check_writable, resolve_format, write_output

        target = str(path)
        chosen = resolve_format(target, fmt, SUFFIXES, default="txt")
        check_writable(target)
        write_output(target, self.render(chosen, dpi=dpi, width=width))

    def __str__(self) -> str:
        return self.text

    def _repr_html_(self) -> str | None:
        """Jupyter shows the figure and the text form; without Graphviz ``dot``,
        ``_repr_markdown_`` answers instead."""
        if shutil.which("dot") is None:
            return None
        return (f'<div class="netviz-diff">{self.svg}\n'
                f"<pre>{html.escape(self.text)}</pre></div>")

    def _repr_svg_(self) -> str | None:
        """The figure, for front ends that show SVG but not HTML."""
        return None if shutil.which("dot") is None else self.svg

    def _repr_markdown_(self) -> str | None:
        """Mermaid in a Markdown fence and the Markdown text form, shown only where
        Graphviz ``dot`` is missing."""
        if shutil.which("dot") is not None:
            return None
        return (
            "*Graphviz `dot` is not installed, so this is the Mermaid source "
            "(JupyterLab 4.1+ draws it); install Graphviz for the SVG.*\n\n"
            f"```mermaid\n{self.mermaid}```\n\n{self.markdown}"
        )

    def __repr__(self) -> str:
        count = sum(line.count for line in self.changes)
        what = "identical" if self.identical else f"{count} change{'s' * (count != 1)}"
        return f"<Diff {self.comparison.before_name!r} → {self.comparison.after_name!r}: {what}>"
