"""[`Diagram`][netviz.diagrams.Diagram]: a model's drawing, ready to show, save or render.

What [`netviz.diagram`][netviz.api.diagram] returns. It holds the notation
[`Graph`][netviz.ir.Graph] (plain data, at ``.graph``) and how to draw it; every
format is one call away, and Jupyter shows it as SVG. No torch here.

Examples:
    ```python
    import netviz

    d = netviz.diagram("wrn28_2", legend=True)
    d                    # in Jupyter: the SVG (Mermaid where Graphviz is missing)
    print(d.mermaid)     # also d.dot, d.pseudocode, d.svg
    d.save("wrn28_2.pdf")  # the format follows the suffix
    ```
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, replace
from functools import cached_property
from typing import TYPE_CHECKING

from netviz.ir import Graph
from netviz.vocabulary import DIAGRAM_FORMATS, DIAGRAM_SUFFIXES, Direction, Theme

if TYPE_CHECKING:
    from pathlib import Path

    from netviz.renderers.fit import Fitted

SUFFIXES = DIAGRAM_SUFFIXES
"""Output file suffixes and the diagram format each implies
([`netviz.vocabulary`][netviz.vocabulary])."""

FORMATS = DIAGRAM_FORMATS
"""Diagram formats ([`netviz.vocabulary`][netviz.vocabulary]); ``tex`` and ``tikz`` are TikZ (a document, the picture alone),
``txt`` is the pseudocode listing."""


@dataclass(frozen=True)
class Diagram:
    """A model's diagram: the notation graph and its style.

    Attributes:
        graph: The notation graph the renderers draw (labels, marks, clusters set).
        trace: The raw traced graph the notation graph was made from, if known: the
            pseudocode listing lists every block of it (else that of ``graph``).
        legend: Draw a legend of the shapes and marks used.
        direction: ``TB`` (top to bottom) or ``LR`` (left to right).
        theme: ``light``, ``dark`` or ``paper``.
        fit: How the figure is drawn to fit a box on paper (``netviz.diagram(...,
            fit="8.5cmx23cm")``), and what was chosen (``fit.message()``); ``None``
            for a figure at its natural size.
    """

    graph: Graph
    trace: Graph | None = None
    legend: bool = False
    direction: Direction = "TB"
    theme: Theme = "light"
    fit: Fitted | None = None

    @classmethod
    def of(
        cls,
        graph: Graph,
        *,
        fold: bool = True,
        shapes: bool = False,
        legend: bool = False,
        direction: Direction = "TB",
        theme: Theme = "light",
        depth: int | None = None,
    ) -> Diagram:
        """The diagram of a traced graph (``netviz.trace``), or of a notation graph as it is.

        Args:
            graph: A raw trace, or a notation graph (the transforms leave it unchanged).
            fold: Fold runs of identical blocks into one ``x (N - 1)`` cluster.
            shapes: Show spatial sizes in data nodes (``32C 16x16``).
            legend: Draw a legend.
            direction: ``TB`` or ``LR``.
            theme: ``light``, ``dark`` or ``paper``.
            depth: Draw each module of this level of the module tree as one box (see
                [`collapse_depth`][netviz.transforms.depth.collapse_depth]).
        """
        from netviz.transforms import NotationOptions, to_notation

        notation = to_notation(graph, NotationOptions(fold=fold, shapes=shapes, depth=depth))
        return cls(notation, graph, legend=legend, direction=direction, theme=theme)

    def styled(
        self,
        *,
        legend: bool | None = None,
        direction: Direction | None = None,
        theme: Theme | None = None,
    ) -> Diagram:
        """The same diagram with another style; arguments left out keep this one's (a
        fitted diagram with another style is drawn at its natural size)."""
        styled = replace(
            self,
            legend=self.legend if legend is None else legend,
            direction=direction or self.direction,
            theme=theme or self.theme,
        )
        same = (styled.legend, styled.direction, styled.theme) == (
            self.legend, self.direction, self.theme)
        return styled if same else replace(styled, fit=None)

    @property
    def name(self) -> str:
        """The model's name."""
        return self.graph.name

    @cached_property
    def dot(self) -> str:
        """Graphviz DOT source (of a fitted diagram: every position fixed)."""
        if self.fit is not None:
            return self.render("dot").decode("utf-8")
        from netviz.renderers import render_dot

        return render_dot(self.graph, direction=self.direction, theme=self.theme, legend=self.legend)

    @cached_property
    def mermaid(self) -> str:
        """Mermaid flowchart source."""
        from netviz.renderers import render_mermaid

        return render_mermaid(
            self.graph, direction=self.direction, theme=self.theme, legend=self.legend
        )

    @cached_property
    def pseudocode(self) -> str:
        """The pseudocode listing: every block, tabs for nesting."""
        from netviz.renderers import render_pseudocode
        from netviz.transforms import NotationOptions, to_notation

        source = self.graph if self.trace is None else self.trace
        return render_pseudocode(to_notation(source, NotationOptions.listing()))

    @property
    def svg(self) -> str:
        """SVG text, drawn by Graphviz ``dot``.

        Raises:
            GraphvizNotFoundError: ``dot`` is not installed.
        """
        return self.render("svg").decode("utf-8")

    def render(self, fmt: str = "svg", *, dpi: int | None = None) -> bytes:
        """The diagram in one of [`FORMATS`][netviz.diagrams.FORMATS].

        Args:
            fmt: The format.
            dpi: Resolution of a PNG (default [`PNG_DPI`][netviz.output.PNG_DPI]).

        Raises:
            FormatError: ``fmt`` is not a diagram format.
            GraphvizNotFoundError: ``svg``, ``png`` or ``pdf`` without the ``dot`` binary.
        """
        from netviz.errors import FormatError

        if fmt not in FORMATS:
            raise FormatError(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}")
        if self.fit is not None and fmt not in ("mmd", "txt"):
            from netviz.renderers.figure import draw_fitted

            return draw_fitted(self.fit, fmt, dpi=dpi)
        if fmt in ("dot", "mmd", "txt"):
            text = {"dot": self.dot, "mmd": self.mermaid, "txt": self.pseudocode}[fmt]
            return text.encode("utf-8")
        from netviz.renderers.figure import draw_figure

        return draw_figure(self.graph, fmt, direction=self.direction, theme=self.theme,
                           legend=self.legend, dpi=dpi)

    def save(self, path: str | Path, fmt: str | None = None) -> None:
        """Write the diagram to ``path``, whole or not at all (as the CLI does).

        Args:
            path: Output file; its suffix picks the format (``.svg .png .pdf .dot .gv
                .mmd .mermaid .txt``).
            fmt: The format, when the suffix does not tell it.

        Raises:
            FormatError: Unknown format or suffix, or the two disagree.
            OutputError: ``path`` cannot be written.
            GraphvizNotFoundError: ``svg``, ``png`` or ``pdf`` without the ``dot`` binary.
        """
        from netviz.output import check_writable, resolve_format, write_output

        target = str(path)
        chosen = resolve_format(target, fmt, SUFFIXES, default="svg")
        check_writable(target)
        write_output(target, self.render(chosen))

    def _repr_svg_(self) -> str | None:
        """Jupyter shows the SVG; without ``dot``, ``_repr_markdown_`` answers instead."""
        if shutil.which("dot") is None:
            return None
        return self.svg

    def _repr_markdown_(self) -> str | None:
        """Mermaid in a Markdown fence, shown only where Graphviz ``dot`` is missing."""
        if shutil.which("dot") is not None:
            return None  # Jupyter would prefer Markdown over the SVG
        return (
            "*Graphviz `dot` is not installed, so this is the Mermaid source "
            "(JupyterLab 4.1+ draws it); install Graphviz for the SVG.*\n\n"
            f"```mermaid\n{self.mermaid}```\n"
        )

    def __repr__(self) -> str:
        folded = sum(c.repeat > 1 for c in self.graph.clusters)
        fitted = f"; {self.fit.message()}" if self.fit is not None else ""
        return (
            f"<Diagram {self.name!r}: {len(self.graph.nodes)} nodes, "
            f"{len(self.graph.clusters)} clusters ({folded} folded){fitted}>"
        )
