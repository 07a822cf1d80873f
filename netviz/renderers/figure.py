"""One notation graph, any figure format: the dispatch shared by the API and the docs build.

Mermaid and DOT are pure Python; SVG, PNG and PDF are drawn by Graphviz; TikZ
(``tex``: a whole document, ``tikz``: the picture alone) is drawn from Graphviz's
layout. Options are checked before anything is traced
([`check_figure_options`][netviz.renderers.figure.check_figure_options]).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from netviz.errors import FormatError, UsageError
from netviz.ir import Graph
from netviz.output import check_dpi

if TYPE_CHECKING:
    from netviz.renderers.fit import Fitted, PrintBox
    from netviz.renderers.size import Width

FIGURE_FORMATS = ("svg", "png", "pdf", "tex", "tikz", "dot", "mmd")
"""Formats [`draw_figure`][netviz.renderers.figure.draw_figure] writes."""

SIZED_FORMATS = ("svg", "png", "pdf", "tex", "tikz")
"""Formats with a size on paper (a ``width`` applies); all need the Graphviz ``dot`` binary."""


FIT_FORMATS = (*SIZED_FORMATS, "dot")
"""Formats a figure fitted to a page can be written in (``dot``: its DOT text, every
position fixed); all need the Graphviz ``dot`` binary to lay the figure out."""


def check_figure_options(
    fmt: str, *, dpi: int | None = None, width: str | Width | None = None,
    fit: str | PrintBox | None = None,
) -> Width | None:
    """Check a figure's format, ``dpi``, ``width`` and ``fit`` before any work; return
    the width.

    Raises:
        FormatError: ``fmt`` is not one of [`FIGURE_FORMATS`][netviz.renderers.figure.FIGURE_FORMATS].
        UsageError: a ``dpi`` for another format than ``png`` or out of range; a
            ``width`` for a text format, or one that is not a positive length; a
            ``fit`` for a format without a size, one that is not ``WIDTHxHEIGHT``, or
            given with a ``width``.
    """
    if fmt not in FIGURE_FORMATS:
        raise FormatError(f"unknown figure format {fmt!r}; choose one of: {', '.join(FIGURE_FORMATS)}")
    if dpi is not None:
        if fmt != "png":
            raise UsageError(f"dpi applies to PNG output only, not {fmt}")
        check_dpi(dpi)
    if fit is not None:
        if fmt not in FIT_FORMATS:
            raise UsageError(f"fit applies to figures drawn by Graphviz "
                             f"({', '.join(FIT_FORMATS)}), not {fmt}")
        if width is not None:
            raise UsageError("give fit (a box the figure fits) or width (a width it is "
                             "scaled to), not both")
        from netviz.renderers.fit import PrintBox, parse_box  # its layout code: only to fit

        if not isinstance(fit, PrintBox):
            parse_box(fit)
    if width is None:
        return None
    if fmt not in SIZED_FORMATS:
        raise UsageError(
            f"width applies to figures with a size ({', '.join(SIZED_FORMATS)}), not {fmt} text"
        )
    from netviz.renderers.size import Width, parse_width  # a scaled figure only

    return width if isinstance(width, Width) else parse_width(width)


def draw_figure(
    graph: Graph,
    fmt: str,
    *,
    direction: str = "TB",
    theme: str = "light",
    legend: bool = False,
    dpi: int | None = None,
    width: str | Width | None = None,
) -> bytes:
    """Draw the notation graph in one of [`FIGURE_FORMATS`][netviz.renderers.figure.FIGURE_FORMATS].

    Args:
        graph: The notation graph (annotated or not).
        fmt: The format.
        direction: ``TB`` or ``LR``.
        theme: ``light``, ``dark`` or ``paper``.
        legend: Add the legend of the marks and shapes used.
        dpi: PNG only: its resolution.
        width: Scale a sized figure to this width (``"8.5cm"``; cm, mm, in, pt).

    Raises:
        FormatError: an unknown format.
        UsageError: a bad option (see [`check_figure_options`][netviz.renderers.figure.check_figure_options]).
        GraphvizNotFoundError: a format needing Graphviz, and ``dot`` is missing.
    """
    # Through the package, where tests (and users) may wrap a renderer.
    from netviz import renderers

    size = check_figure_options(fmt, dpi=dpi, width=width)
    if fmt == "mmd":
        return renderers.render_mermaid(graph, direction=direction, theme=theme,
                                        legend=legend).encode()
    dot = renderers.render_dot(graph, direction=direction, theme=theme, legend=legend)
    if fmt == "dot":
        return dot.encode("utf-8")
    if fmt in ("tex", "tikz"):
        from netviz.renderers.binary import layout_json
        from netviz.renderers.tikz import render_tikz

        tikz = render_tikz(layout_json(dot), standalone=fmt == "tex", width=size, title=graph.name)
        return tikz.encode("utf-8")
    return renderers.render_binary(dot, fmt, dpi=dpi, width=size)


def draw_fitted(fitted: Fitted, fmt: str, *, dpi: int | None = None) -> bytes:
    """Draw a figure fitted to a page (see [`fit_figure`][netviz.renderers.fit.fit_figure])
    in one of [`FIT_FORMATS`][netviz.renderers.figure.FIT_FORMATS], at its printed size.

    Raises:
        UsageError: a format without a size, or a ``dpi`` for another format than ``png``.
        GraphvizNotFoundError: the ``dot`` binary is missing.
    """
    check_figure_options(fmt, dpi=dpi, fit=fitted.box)
    if fmt == "dot":  # the laid-out figure, and the size Graphviz scales it down to
        inches = f"{fitted.width.inches:.4f},{fitted.height / 72:.4f}"
        return fitted.dot.replace("{\n", f"{{\n\tsize=\"{inches}\"\n", 1).encode("utf-8")
    if fmt in ("tex", "tikz"):
        from netviz.renderers.binary import layout_json
        from netviz.renderers.tikz import render_tikz

        return render_tikz(layout_json(fitted.dot), standalone=fmt == "tex", width=fitted.width,
                           title=fitted.graph.name, warn=False).encode("utf-8")
    from netviz.renderers.binary import render_binary

    return render_binary(fitted.dot, fmt, dpi=dpi, width=fitted.width, warn=False)
