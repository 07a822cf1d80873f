"""Levels of detail and figures fitted to a page, for the public API: the checks of
``depth`` and ``fit`` (before anything is traced), the levels of detail of a trace,
and the one-line report of what ``fit`` chose. No torch here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from netviz.ir import Graph

if TYPE_CHECKING:
    from netviz.renderers.fit import Fitted, PrintBox
    from netviz.renderers.size import Width


def check_detail(
    depth: object, fit: object, direction: str | None
) -> tuple[int | None, PrintBox | None]:
    """``depth`` and ``fit`` checked (and a direction), before anything is traced.

    Raises:
        UsageError: a depth that is not a whole number >= 0, a fit that is not
            ``WIDTHxHEIGHT``, an unknown direction.
    """
    # Each check imported when its option is given: most renders give none.
    if direction is not None:
        from netviz.renderers.theme import check_direction

        check_direction(direction)
    checked = None
    if depth is not None:
        from netviz.transforms.depth import check_depth

        checked = check_depth(depth)
    if fit is None:
        return checked, None
    from netviz.renderers.fit import parse_box

    return checked, parse_box(str(fit))


def trace_levels(traced: Graph, *, fold: bool, shapes: bool,
                 depth: int | None) -> Iterator[tuple[str, Graph]]:
    """The notation graphs of a trace at each level of detail (see
    [`detail_levels`][netviz.transforms.depth.detail_levels]), made as they are asked for."""
    from netviz.transforms import NotationOptions, to_notation
    from netviz.transforms.depth import detail_levels

    asked = NotationOptions(fold=fold, shapes=shapes, depth=depth)
    for name, options in detail_levels(traced, asked):
        yield name, to_notation(traced, options)


def fit_reported(
    levels: Iterable[tuple[str, Graph]], box: PrintBox, direction: str | None, theme: str,
    legend: bool,
) -> Fitted:
    """The figure fitted to ``box`` at the first level of detail that fits (see
    [`fit_figure`][netviz.renderers.fit.fit_figure]); says what was chosen as a
    [`FitReport`][netviz.errors.FitReport] warning (a [`FitWarning`][netviz.errors.FitWarning]
    when nothing fits)."""
    from netviz.errors import FitReport, FitWarning, warn
    from netviz.renderers.fit import fit_figure

    fitted = fit_figure(levels, box, direction=direction, theme=theme, legend=legend)
    warn(fitted.message(), FitReport if fitted.fits else FitWarning, stacklevel=2)
    return fitted


def render_trace(
    traced: Graph, fmt: str, *, fold: bool, shapes: bool, legend: bool,
    direction: str | None, theme: str, dpi: int | None, depth: int | None,
    box: PrintBox | None, size: Width | None,
) -> bytes:
    """Render a raw trace (``netviz.trace``) with a ``depth`` or a ``fit``."""
    from netviz.renderers.figure import draw_figure, draw_fitted
    from netviz.transforms import NotationOptions, to_notation

    if box is None:
        graph = to_notation(traced, NotationOptions(fold=fold, shapes=shapes, depth=depth))
        return draw_figure(graph, fmt, direction=direction or "TB", theme=theme, legend=legend,
                           dpi=dpi, width=size)
    levels = trace_levels(traced, fold=fold, shapes=shapes, depth=depth)
    return draw_fitted(fit_reported(levels, box, direction, theme, legend), fmt, dpi=dpi)
