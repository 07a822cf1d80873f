"""The ``diff: OTHER`` option of a ```` ```netviz ```` fence: what it may say, and the
``netviz diff`` command that reproduces it.

A fence with ``diff`` compares its ``model`` (A) with ``diff`` (B), as
[`netviz.diff`][netviz.api.diff] does: ``show: diagram`` draws B's figure with the
differences marked, ``show: summary`` shows the text form (``markdown`` or ``text``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from netviz.mkdocs.fence_words import FORMATS, FenceError
from netviz.vocabulary import DEFAULT_DIRECTION, DEFAULT_THEME

if TYPE_CHECKING:
    from netviz.mkdocs.options import FenceOptions

SHOWS = ("diagram", "summary")
"""What a fence with ``diff`` can show: the diff's figure, or its text form."""

REFUSED = {"diagram": frozenset({"annotate", "depth", "fit"}),
           "summary": frozenset({"by_group", "depth", "caption", "label"})}
"""Options of each show that a diff does not take."""

TEXT_FORMATS = ("markdown", "text")
"""The summary formats of a diff's text form."""

TEXT_DOWNLOADS = ("md", "txt")
"""What a diff's text form can also offer for download."""


def check_diff(raw: dict[str, str], show: str) -> None:
    """Check the options of a fence with ``diff`` (``raw``: its ``key: value`` pairs).

    Raises:
        FenceError: an empty ``diff``, a ``show`` a diff has not, an option it does not
            take, a text format or download it does not write.
    """
    if not raw.get("diff"):
        raise FenceError("diff: empty; write the model to compare with, e.g. 'diff: resnet101'")
    if show not in SHOWS:
        raise FenceError(f"diff applies to 'show: diagram' and 'show: summary', not 'show: {show}'")
    refused = sorted(set(raw) & REFUSED[show])
    if refused:
        raise FenceError(f"option {refused[0]!r} does not apply to a diff ('diff: ...')")
    if show != "summary":
        return
    fmt = raw.get("format", FORMATS["summary"][0]).lower()
    if fmt not in TEXT_FORMATS:
        raise FenceError(f"a diff's text form is markdown or text, not {fmt!r}")
    for kind in raw.get("download", "").replace(",", " ").split():
        if kind.lower().lstrip(".") not in TEXT_DOWNLOADS:
            raise FenceError(f"download: {kind!r} is not one of: {', '.join(TEXT_DOWNLOADS)}")


def diff_args(options: FenceOptions, stem: str, output: str | None) -> list[str]:
    """The ``netviz diff`` options after the two models (and their input options) of a
    fence with ``diff``; ``stem``: A's short name, for the default output file."""
    other = options.diff.split("(", 1)[0].rsplit(":", 1)[-1].rsplit("/", 1)[-1].replace(".py", "")
    name = f"{stem}-{other}"
    if options.show == "summary":
        return ["-o", output or f"{name}.{'md' if options.format == 'markdown' else 'txt'}"]
    suffix = "svg" if options.format == "svg" else "mmd"
    args = ["-o", output or f"{name}.{suffix}"]
    args += [] if options.legend else ["--no-legend"]
    args += ["--no-fold"] if not options.fold else []
    args += ["--shapes"] if options.shapes else []
    args += [f"--direction {options.direction}"] if options.direction != DEFAULT_DIRECTION else []
    args += [f"--theme {options.theme}"] if options.theme != DEFAULT_THEME else []
    return args
