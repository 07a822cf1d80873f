"""``netviz list``: the registered models with input shape and parameter count."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from netviz.errors import UnknownModelError
from netviz.ir import Shape

HEADERS = ("name", "input", "params", "description")


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the ``list`` sub-command."""
    parser = subparsers.add_parser(
        "list",
        parents=[common],
        help="list the registered models",
        description="List the registered models (built-ins and those of installed plug-ins "
        "in the 'netviz.models' entry-point group): name, default input shape, "
        "parameter count and description, naturally sorted.",
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


def format_table(rows: Sequence[tuple[str, str, int, str]]) -> str:
    """Align ``(name, input, params, description)`` rows under a header.

    Parameter counts are right-aligned with thousands separators.
    """
    cells = [HEADERS] + [(n, s, f"{p:,}", d) for n, s, p, d in rows]
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
        module = entry.build("meta")
        params = sum(p.numel() for p in module.parameters())
        rows.append((name, format_shapes(entry.input_shapes), params, entry.description))
    print(format_table(rows), end="")
    return 0
