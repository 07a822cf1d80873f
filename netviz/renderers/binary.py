"""SVG, PNG and PDF from DOT text by running the Graphviz ``dot`` binary, and the
laid-out geometry (``dot -Tjson``) that the TikZ renderer draws.

The only renderer module that runs a program. Output is byte-deterministic: SVG and PNG
are already; cairo writes the render time into a PDF's ``/CreationDate``, so we
pass ``SOURCE_DATE_EPOCH`` (honoured by newer cairo) and pin any date that is
still written to the epoch, keeping its length so the PDF's xref offsets hold.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from netviz.errors import FormatError, GraphvizNotFoundError, NetvizError, UsageError
from netviz.output import PNG_DPI, check_dpi
from netviz.renderers.dot_process import run_dot_process, started_early

if TYPE_CHECKING:
    from netviz.renderers.size import Width

BINARY_FORMATS = ("svg", "png", "pdf")
"""Formats ``render_binary`` produces."""

_PDF_DATE = rb"(/(?:CreationDate|ModDate)\s*\(D:)(\d{4,14})([^)]*)\)"
"""A date cairo writes into a PDF (compiled by ``re``'s cache when a PDF is made)."""
_EPOCH = b"19700101000000"
_TALL = 10000
"""Inches: a height no figure reaches, so a given width alone sets the scale."""


def render_binary(
    dot_source: str, fmt: str, *, dpi: int | None = None, width: Width | None = None,
    warn: bool = True,
) -> bytes:
    """Lay out and draw ``dot_source`` as ``svg``, ``png`` or ``pdf``.

    The same DOT text drawn by the same ``dot`` before comes from netviz's cache
    (see [`netviz.cache`][netviz.cache]) without running ``dot``.

    Args:
        dot_source: DOT text.
        fmt: ``svg``, ``png`` or ``pdf``.
        dpi: PNG only: pixels per inch (default [`PNG_DPI`][netviz.output.PNG_DPI]).
        width: Scale the figure to this width (a PNG's pixels: width times ``dpi``);
            warns when its labels get too small to read (see
            [`scale_to`][netviz.renderers.size.scale_to]).
        warn: Warn about small labels (a fitted figure says how large they are itself).

    Raises:
        FormatError: ``fmt`` is not one of [`BINARY_FORMATS`][netviz.renderers.binary.BINARY_FORMATS].
        UsageError: a bad ``dpi``, or a ``dpi`` for a vector format.
        GraphvizNotFoundError: the ``dot`` binary is not on ``PATH``.
        NetvizError: ``dot`` failed (its first error line is in the message).
    """
    if fmt not in BINARY_FORMATS:
        raise FormatError(f"unknown image format {fmt!r}; choose one of: {', '.join(BINARY_FORMATS)}")
    options = _options(fmt, dpi)
    if width is not None:
        from netviz.renderers.size import scale_to  # a scaled figure only

        if warn:
            scale_to(layout_json(dot_source), width)  # only to warn: dot scales it itself
        options.append(f"-Gsize={width.inches:.4f},{_TALL}!")
    data = run_dot(dot_source, fmt, *options)
    return normalize_pdf(data) if fmt == "pdf" else data


def _options(fmt: str, dpi: int | None) -> list[str]:
    """``dot``'s options for an unscaled ``fmt`` image (checks ``dpi``)."""
    if dpi is not None and fmt != "png":
        raise UsageError(f"dpi applies to PNG output only, not {fmt}")
    resolution = check_dpi(dpi) if dpi is not None else PNG_DPI
    return [f"-Gdpi={resolution}"] if fmt == "png" else []


@contextlib.contextmanager
def dot_started(fmt: str, *, dpi: int | None = None) -> Iterator[None]:
    """Start the ``dot`` that drawing an unscaled ``fmt`` figure (``svg``, ``png``, ``pdf``;
    ``tex`` and ``tikz``: its layout) will run, while the figure is still being made
    (see [`started_early`][netviz.renderers.dot_process.started_early]): the
    drawing itself then waits less. Does nothing for other formats or without ``dot``.
    """
    exe = shutil.which("dot") if fmt in (*BINARY_FORMATS, "tex", "tikz") else None
    if exe is None:
        yield
        return
    argv = [exe, "-Tjson"] if fmt in ("tex", "tikz") else [exe, f"-T{fmt}", *_options(fmt, dpi)]
    with started_early(argv):
        yield


def run_dot(dot_source: str, fmt: str, *options: str) -> bytes:
    """``dot -T<fmt> [options]`` of ``dot_source``: what it writes to stdout.

    Raises:
        GraphvizNotFoundError: the ``dot`` binary is not on ``PATH`` or cannot run.
        NetvizError: ``dot`` failed (its first error line is in the message).
    """
    exe = shutil.which("dot")
    if exe is None:
        raise GraphvizNotFoundError()
    from netviz.cache import cached_image

    argv = [exe, f"-T{fmt}", *options]
    return cached_image(argv, dot_source, lambda: _run_dot(argv, dot_source, fmt))


def _run_dot(argv: list[str], dot_source: str, fmt: str) -> bytes:
    exe = argv[0]
    try:
        status, stdout, stderr = run_dot_process(argv, dot_source.encode("utf-8"))
    except OSError as exc:
        raise GraphvizNotFoundError(
            f"cannot run the Graphviz 'dot' binary at {exe} ({exc.strerror or exc}); "
            "reinstall Graphviz or choose a text format (.dot, .mmd, .txt)"
        ) from None
    if status != 0 or not stdout:
        raise NetvizError(f"Graphviz 'dot' failed to render {fmt}: {_first_line(stderr)}")
    return stdout


def layout_json(dot_source: str) -> dict[str, Any]:
    """Graphviz's layout of ``dot_source`` (``dot -Tjson``): positions, and every shape,
    spline and text as Graphviz draws it (xdot operations), in points with ``y`` up.

    Raises:
        GraphvizNotFoundError: the ``dot`` binary is missing.
        NetvizError: ``dot`` failed.
    """
    data: dict[str, Any] = json.loads(run_dot(dot_source, "json"))
    return data


def layout_many(sources: list[str]) -> list[dict[str, Any]]:
    """[`layout_json`][netviz.renderers.binary.layout_json] of several DOT figures, in
    one ``dot`` run (which lays out every graph of its input in turn).

    Raises:
        GraphvizNotFoundError: the ``dot`` binary is missing.
        NetvizError: ``dot`` failed, or did not lay out every figure.
    """
    if not sources:
        return []
    text = run_dot("\n".join(sources), "json").decode("utf-8")
    decoder = json.JSONDecoder()
    found: list[dict[str, Any]] = []
    at = 0
    while True:
        while at < len(text) and text[at].isspace():
            at += 1
        if at >= len(text):
            break
        layout, at = decoder.raw_decode(text, at)
        found.append(layout)
    if len(found) != len(sources):
        raise NetvizError(f"Graphviz 'dot' laid out {len(found)} of {len(sources)} figures")
    return found


def normalize_pdf(data: bytes) -> bytes:
    """Pin PDF creation/modification dates to the epoch, keeping every byte offset."""

    def pin(match: re.Match[bytes]) -> bytes:
        digits, zone = match.group(2), match.group(3)
        zone = b"Z" + b" " * (len(zone) - 1) if zone else b""
        return match.group(1) + _EPOCH[: len(digits)] + zone + b")"

    return re.sub(_PDF_DATE, pin, data)


def _first_line(stderr: bytes) -> str:
    for line in stderr.decode("utf-8", "replace").splitlines():
        if line.strip():
            return line.strip()
    return "no error message (exit status non-zero)"
