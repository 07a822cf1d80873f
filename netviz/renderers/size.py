"""Print size: a figure scaled to a column width, and whether its labels stay readable.

A width is a number and a unit (``8.5cm``, ``85mm``, ``3.3in``, ``241pt``: TeX points,
as ``\\the\\columnwidth`` prints them). Graphviz lays a figure out in PostScript points
(1/72 in) at its natural size; scaling it to a width scales its labels too, and below
[`MIN_LABEL_PT`][netviz.renderers.size.MIN_LABEL_PT] they are hard to read in print.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from netviz.errors import LabelSizeWarning, UsageError, caller_stacklevel

UNITS = {"cm": 72 / 2.54, "mm": 72 / 25.4, "in": 72.0, "pt": 72 / 72.27}
"""PostScript points (what Graphviz and PDF measure in) per unit of a width."""

MIN_LABEL_PT = 6.0
"""The smallest label size (points) a printed figure should have."""

MAX_WIDTH_IN = 100.0
"""The widest figure accepted (inches): beyond a poster, a typo."""

_WIDTH = re.compile(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*([a-z]+)\s*", re.IGNORECASE)


@dataclass(frozen=True)
class Width:
    """A figure width.

    Attributes:
        text: As the user wrote it (``"8.5cm"``).
        points: In PostScript points (1/72 in).
    """

    text: str
    points: float

    @property
    def inches(self) -> float:
        """The width in inches (Graphviz's ``size`` unit)."""
        return self.points / 72


def parse_width(text: str) -> Width:
    """``"8.5cm"`` as a [`Width`][netviz.renderers.size.Width].

    Raises:
        UsageError: not a positive number followed by one of the [`UNITS`][netviz.renderers.size.UNITS],
            or wider than [`MAX_WIDTH_IN`][netviz.renderers.size.MAX_WIDTH_IN].
    """
    units = ", ".join(UNITS)
    match = _WIDTH.fullmatch(str(text))
    if match is None:
        if re.fullmatch(r"\s*-.*", str(text)):
            raise UsageError(f"width must be positive, not {text!r}")
        raise UsageError(f"width {text!r} is not a number and a unit ({units}), e.g. 8.5cm")
    number, unit = float(match.group(1)), match.group(2).lower()
    if unit not in UNITS:
        raise UsageError(f"width {text!r} has an unknown unit {unit!r}; use one of: {units}")
    points = number * UNITS[unit]
    if points <= 0:
        raise UsageError(f"width must be positive, not {text!r}")
    if points > MAX_WIDTH_IN * 72:
        raise UsageError(f"width {text!r} is wider than {MAX_WIDTH_IN:g} in")
    return Width(str(text).strip(), points)


def natural_box(layout: dict[str, Any]) -> tuple[float, float, float, float]:
    """``(x0, y0, x1, y1)`` of the drawn page of a ``dot -Tjson`` layout, in points:
    its bounding box grown by the graph's ``pad`` (inches, Graphviz's default 4 points)."""
    x0, y0, x1, y1 = (float(v) for v in layout["bb"].split(","))
    pad = float(layout.get("pad", 4 / 72)) * 72
    return x0 - pad, y0 - pad, x1 + pad, y1 + pad


def scale_to(layout: dict[str, Any], width: Width | None, *, warn: bool = True) -> float:
    """The factor that brings the laid-out figure to ``width`` (1 when ``None``); warns
    once (a [`LabelSizeWarning`][netviz.errors.LabelSizeWarning]) when its smallest label
    gets under [`MIN_LABEL_PT`][netviz.renderers.size.MIN_LABEL_PT], unless not ``warn``."""
    if width is None:
        return 1.0
    x0, _, x1, _ = natural_box(layout)
    scale = width.points / (x1 - x0)
    sizes = list(font_sizes(layout))
    if warn and sizes and min(sizes) * scale < MIN_LABEL_PT:
        warnings.warn(
            f"at width {width.text} the smallest labels are {min(sizes) * scale:.1f} pt, under "
            f"{MIN_LABEL_PT:g} pt in print; give a larger --width (at least "
            f"{_least_width(width, MIN_LABEL_PT / (min(sizes) * scale))})",
            LabelSizeWarning,
            stacklevel=caller_stacklevel(2),
        )
    return scale


def _least_width(width: Width, factor: float) -> str:
    """``width`` times ``factor``, rounded up, in the unit the user wrote."""
    match = _WIDTH.fullmatch(width.text)
    unit = match.group(2).lower() if match else "in"
    least = width.points * factor / UNITS.get(unit, 72.0)
    return f"{math.ceil(least * 10) / 10:g}{unit}" if unit != "pt" else f"{math.ceil(least)}pt"


def font_sizes(layout: dict[str, Any]) -> Iterator[float]:
    """The size (points) of every text the layout draws."""
    for obj in [layout, *layout.get("objects", []), *layout.get("edges", [])]:
        for key in ("_ldraw_", "_hldraw_", "_tldraw_"):
            size = 14.0  # Graphviz's default font size
            for op in obj.get(key, []):
                if op["op"] == "F":
                    size = float(op["size"])
                elif op["op"] == "T":
                    yield size
