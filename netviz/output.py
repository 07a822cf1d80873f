"""Choosing an output format (and a PNG's resolution) and writing files atomically."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

from netviz.errors import FormatError, OutputError, UsageError

STDOUT = "-"

PNG_DPI = 192
"""Default resolution of PNG output: twice the 96 pixels per inch of a standard screen, so
the figure shown at its size in inches has one image pixel per device pixel on a 2x
(HiDPI) screen, and prints sharply (Graphviz's own 96 dpi is blurry on both)."""

DPI_RANGE = (36, 1200)
"""Accepted PNG resolutions: from a thumbnail to the finest common print resolution
(beyond it a tall figure is a PNG of hundreds of megapixels)."""


def check_dpi(dpi: int) -> int:
    """``dpi`` if it is a whole number in [`DPI_RANGE`][netviz.output.DPI_RANGE].

    Raises:
        UsageError: anything else (zero, negative, absurdly large, not an integer).
    """
    low, high = DPI_RANGE
    if isinstance(dpi, bool) or not isinstance(dpi, int) or not low <= dpi <= high:
        raise UsageError(f"dpi must be a whole number from {low} to {high}, not {dpi!r}")
    return dpi


def resolve_format(
    path: str | None,
    fmt: str | None,
    suffixes: Mapping[str, str],
    default: str,
) -> str:
    """Pick the output format from ``--format`` and the output suffix.

    Args:
        path: Output path, ``"-"`` or ``None`` for stdout.
        fmt: Explicit ``--format`` value, or ``None``.
        suffixes: Map from file suffix (``".svg"``) to format name.
        default: Format used for stdout when ``fmt`` is not given.

    Returns:
        The format name.

    Raises:
        FormatError: Unknown format, unknown suffix, or the two disagree.
    """
    known = sorted(set(suffixes.values()))
    if fmt is not None and fmt not in known:
        raise FormatError(f"unknown format {fmt!r}; choose one of: {', '.join(known)}")
    if path in (None, STDOUT):
        return fmt or default
    suffix = Path(path).suffix.lower()
    by_suffix = suffixes.get(suffix)
    if fmt is None:
        if by_suffix is None:
            hint = ", ".join(sorted(suffixes))
            raise FormatError(
                f"cannot tell the format from {path!r}; use a suffix ({hint}) or --format"
            )
        return by_suffix
    if by_suffix is not None and by_suffix != fmt:
        raise FormatError(f"--format {fmt} contradicts the suffix of {path!r} ({by_suffix})")
    return fmt


def check_writable(path: str | None) -> None:
    """Fail early, before any work, if ``path`` cannot be written.

    Raises:
        OutputError: ``path`` is a directory, or its folder is missing or read-only.
    """
    if path in (None, STDOUT):
        return
    target = Path(path)
    if target.is_dir():
        raise OutputError(f"output path {path!r} is a directory")
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(f"cannot write {path!r}: folder {str(parent)!r} does not exist")
    if not os.access(parent, os.W_OK):
        raise OutputError(f"cannot write {path!r}: folder {str(parent)!r} is not writable")
    if target.exists() and not os.access(target, os.W_OK):
        raise OutputError(f"cannot write {path!r}: file is not writable")


NON_TEXT_FORMATS = ("png", "pdf")
"""Formats that are bytes a terminal cannot show (SVG is text)."""


def check_not_terminal(path: str | None, fmt: str) -> None:
    """Refuse, before any work, to write a binary format to stdout when it is a terminal.

    Raises:
        OutputError: ``fmt`` is binary, ``path`` is stdout and stdout is a terminal.
    """
    if path in (None, STDOUT) and fmt in NON_TEXT_FORMATS and sys.stdout.isatty():
        raise OutputError(
            f"{fmt} is binary and stdout is a terminal; write it to a file with -o FILE"
        )


def write_output(path: str | None, data: str | bytes) -> None:
    """Write ``data`` to ``path`` atomically, or to stdout for ``"-"``/``None``.

    The file appears whole or not at all: data goes to a temporary file in the
    same folder, which is then renamed over the target.

    Raises:
        OutputError: The file cannot be written.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    if path in (None, STDOUT):
        sys.stdout.flush()
        sys.stdout.buffer.write(payload)
        sys.stdout.buffer.flush()
        return
    check_writable(path)
    target = Path(path)
    import tempfile

    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:  # e.g. /proc or /sys: os.access said yes, the kernel says no
        raise OutputError(f"cannot write {path!r}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"cannot write {path!r}: {exc.strerror or exc}") from exc
