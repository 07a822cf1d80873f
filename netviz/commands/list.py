"""``netviz list``: the registered models with input shape and parameter count."""

from __future__ import annotations

import argparse
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING

from netviz.errors import NetvizError, NetvizWarning, UnknownModelError

if TYPE_CHECKING:
    from netviz.ir import Shape
    from netviz.registry import ModelEntry

HEADERS = ("name", "input", "params", "description")


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the ``list`` sub-command."""
    parser = subparsers.add_parser(
        "list",
        parents=[common],
        help="list the registered models",
        description="List the registered models (built-ins and those of installed plug-ins "
        "in the 'netviz.models' entry-point group): name, default input shape, "
        "parameter count and description, naturally sorted. Models are built on the meta "
        "device (no weights); one whose builder needs real tensors is built on the CPU, "
        "and one that cannot be built shows '?' and a warning.",
    )
    parser.add_argument(
        "pattern",
        metavar="PATTERN",
        nargs="?",
        help="shell-style name pattern, e.g. 'resnet*' or 'wrn28_?'",
    )
    parser.set_defaults(run=run)


def format_shapes(shapes: Sequence[Shape]) -> str:
    """``((3, 32, 32),)`` → ``"3x32x32"``; several inputs are joined with ``", "``."""
    return ", ".join("x".join(str(d) for d in shape) for shape in shapes)


def format_table(rows: Sequence[tuple[str, str, int | None, str]]) -> str:
    """Align ``(name, input, params, description)`` rows under a header.

    Parameter counts are right-aligned with thousands separators (``?`` when unknown).
    """
    cells = [HEADERS] + [(n, s, "?" if p is None else f"{p:,}", d) for n, s, p, d in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(3)]
    lines = []
    for name, shape, params, desc in cells:
        line = f"{name:<{widths[0]}}  {shape:<{widths[1]}}  {params:>{widths[2]}}  {desc}"
        lines.append(line.rstrip())
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    """Print the table; a pattern that matches nothing is an error."""
    from netviz.registry import get_entry, list_models

    names = list_models(args.pattern)
    if not names:
        if args.pattern is None:
            raise UnknownModelError("no models are registered (is netviz installed?)")
        raise UnknownModelError(
            f"no registered model matches {args.pattern!r} (run 'netviz list' to see all models)"
        )
    rows = []
    for name in names:
        entry = get_entry(name)
        params = param_count(entry)
        rows.append((name, format_shapes(entry.input_shapes), params, entry.description))
    print(format_table(rows), end="")
    return 0


def param_count(entry: ModelEntry) -> int | None:
    """The model's parameter count, built on the meta device (no weights allocated).

    A builder that reads tensor values (e.g. computes its widths with ``.tolist()``)
    cannot run on meta; it is built on the CPU instead. A model that builds on
    neither gets ``None`` and a warning, and the listing goes on.
    """
    reason = ""
    for device in ("meta", "cpu"):
        try:
            module = entry.build(device)
        except Exception as exc:  # noqa: BLE001 - one broken model must not break the list
            reason = str(exc) if isinstance(exc, NetvizError) else (
                f"cannot build model {entry.name!r}: {type(exc).__name__}: {exc}"
            )
            continue
        return sum(p.numel() for p in module.parameters())
    warnings.warn(reason.splitlines()[0], NetvizWarning, stacklevel=2)
    return None
