"""``netviz render``: draw a model's block diagram."""

from __future__ import annotations

import argparse
import shutil

from netviz.commands._common import add_model_arguments
from netviz.errors import GraphvizNotFoundError
from netviz.output import STDOUT, check_writable, resolve_format, write_output

BINARY_FORMATS = ("svg", "png", "pdf")
"""Formats drawn by the Graphviz ``dot`` binary."""

SUFFIXES = {
    ".svg": "svg",
    ".png": "png",
    ".pdf": "pdf",
    ".dot": "dot",
    ".gv": "dot",
    ".mmd": "mmd",
    ".mermaid": "mmd",
    ".txt": "txt",
}


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the ``render`` sub-command."""
    parser = subparsers.add_parser(
        "render",
        parents=[common],
        help="draw a model's block diagram (svg, png, pdf, dot, mmd, txt)",
        description="Draw a model's block diagram in the compact notation. "
        "The format follows the output suffix (.svg .png .pdf .dot .gv .mmd .mermaid .txt); "
        "svg, png and pdf need the Graphviz 'dot' binary. Drawing an unchanged model again "
        "comes from netviz's cache, without torch (see 'netviz cache --help').",
    )
    add_model_arguments(parser)
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        default=STDOUT,
        help="output file; '-' (the default) writes to stdout (DOT unless --format says otherwise)",
    )
    parser.add_argument("--format", choices=sorted(set(SUFFIXES.values())), help="override the suffix")
    parser.add_argument("--no-fold", dest="fold", action="store_false", help="draw every block")
    parser.add_argument("--shapes", action="store_true", help="show spatial sizes in data nodes")
    parser.add_argument("--legend", action="store_true", help="add a legend of the marks used")
    parser.add_argument("--direction", choices=("TB", "LR"), default="TB", help="layout direction")
    parser.add_argument("--theme", choices=("light", "dark"), default="light", help="colour theme")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Render and write the diagram; the file appears whole or not at all.

    Everything that can be checked without the model (format, output path, the
    ``dot`` binary) is checked first. With ``--debug`` a failure carries the
    traced IR as an exception note, printed with the traceback.
    """
    fmt = resolve_format(args.output, args.format, SUFFIXES, default="dot")
    check_writable(args.output)
    if fmt in BINARY_FORMATS and shutil.which("dot") is None:
        raise GraphvizNotFoundError()
    from netviz import api

    try:
        data = api.render(
            args.model,
            fmt,
            input_shapes=args.input_shapes,
            fold=args.fold,
            shapes=args.shapes,
            legend=args.legend,
            direction=args.direction,
            theme=args.theme,
        )
    except Exception as exc:
        if getattr(args, "debug", False):
            from netviz.commands._debug import add_note, partial_ir

            add_note(exc, partial_ir(args.model, args.input_shapes))
        raise
    write_output(args.output, data)
    return 0
