"""SVG, PNG and PDF from DOT text by running the Graphviz ``dot`` binary.

The only renderer that runs a program. Output is byte-deterministic: SVG and PNG
are already; cairo writes the render time into a PDF's ``/CreationDate``, so we
pass ``SOURCE_DATE_EPOCH`` (honoured by newer cairo) and pin any date that is
still written to the epoch, keeping its length so the PDF's xref offsets hold.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess

from netviz.errors import FormatError, GraphvizNotFoundError, NetvizError, UsageError
from netviz.output import PNG_DPI, check_dpi

BINARY_FORMATS = ("svg", "png", "pdf")
"""Formats ``render_binary`` produces."""

_PDF_DATE = re.compile(rb"(/(?:CreationDate|ModDate)\s*\(D:)(\d{4,14})([^)]*)\)")
_EPOCH = b"19700101000000"
def render_binary(dot_source: str, fmt: str, *, dpi: int | None = None) -> bytes:
    """Lay out and draw ``dot_source`` as ``svg``, ``png`` or ``pdf``.

    The same DOT text drawn by the same ``dot`` before comes from netviz's cache
    (see [`netviz.cache`][netviz.cache]) without running ``dot``.

    Args:
        dot_source: DOT text.
        fmt: ``svg``, ``png`` or ``pdf``.
        dpi: PNG only: pixels per inch (default [`PNG_DPI`][netviz.output.PNG_DPI]).

    Raises:
        FormatError: ``fmt`` is not one of [`BINARY_FORMATS`][netviz.renderers.binary.BINARY_FORMATS].
        UsageError: a bad ``dpi``, or a ``dpi`` for a vector format.
        GraphvizNotFoundError: the ``dot`` binary is not on ``PATH``.
        NetvizError: ``dot`` failed (its first error line is in the message).
    """
    if fmt not in BINARY_FORMATS:
        raise FormatError(f"unknown image format {fmt!r}; choose one of: {', '.join(BINARY_FORMATS)}")
    if dpi is not None and fmt != "png":
        raise UsageError(f"dpi applies to PNG output only, not {fmt}")
    resolution = check_dpi(dpi) if dpi is not None else PNG_DPI
    exe = shutil.which("dot")
    if exe is None:
        raise GraphvizNotFoundError()
    from netviz.cache import cached_image

    argv = [exe, f"-T{fmt}", *([f"-Gdpi={resolution}"] if fmt == "png" else [])]
    return cached_image(argv, dot_source, lambda: _run_dot(argv, dot_source, fmt))


def _run_dot(argv: list[str], dot_source: str, fmt: str) -> bytes:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "0"}
    exe = argv[0]
    try:
        proc = subprocess.run(
            argv,
            input=dot_source.encode("utf-8"),
            capture_output=True,
            env=env,
            check=False,
        )
    except OSError as exc:
        raise GraphvizNotFoundError(
            f"cannot run the Graphviz 'dot' binary at {exe} ({exc.strerror or exc}); "
            "reinstall Graphviz or choose a text format (.dot, .mmd, .txt)"
        ) from None
    if proc.returncode != 0 or not proc.stdout:
        raise NetvizError(f"Graphviz 'dot' failed to render {fmt}: {_first_line(proc.stderr)}")
    return normalize_pdf(proc.stdout) if fmt == "pdf" else proc.stdout


def normalize_pdf(data: bytes) -> bytes:
    """Pin PDF creation/modification dates to the epoch, keeping every byte offset."""

    def pin(match: re.Match[bytes]) -> bytes:
        digits, zone = match.group(2), match.group(3)
        zone = b"Z" + b" " * (len(zone) - 1) if zone else b""
        return match.group(1) + _EPOCH[: len(digits)] + zone + b")"

    return _PDF_DATE.sub(pin, data)


def _first_line(stderr: bytes) -> str:
    for line in stderr.decode("utf-8", "replace").splitlines():
        if line.strip():
            return line.strip()
    return "no error message (exit status non-zero)"
