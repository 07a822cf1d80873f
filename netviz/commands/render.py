"""``netviz render``: draw a model's block diagram."""

from __future__ import annotations

import argparse
import shutil

from netviz.commands._common import add_model_arguments, model_options
from netviz.vocabulary import DEFAULT_DIRECTION, DEFAULT_THEME, DIRECTIONS, THEMES
from netviz.vocabulary import DIAGRAM_SUFFIXES as SUFFIXES
from netviz.errors import GraphvizNotFoundError, UsageError
from netviz.output import (
    DPI_RANGE,
    PNG_DPI,
    STDOUT,
    check_dpi,
    check_not_terminal,
    check_writable,
    resolve_format,
    write_output,
)

BINARY_FORMATS = ("svg", "png", "pdf", "tex", "tikz")
"""Formats drawn by (or from the layout of) the Graphviz ``dot`` binary."""


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the ``render`` sub-command."""
    parser = subparsers.add_parser(
        "render",
        parents=[common],
        help="draw a model's block diagram (svg, png, pdf, tex, tikz, dot, mmd, txt)",
        description="Draw a model's block diagram in the compact notation. "
        "The format follows the output suffix (.svg .png .pdf .tex .tikz .dot .gv .mmd "
        ".mermaid .txt); svg, png, pdf and the TikZ formats need the Graphviz 'dot' binary. "
        ".tex is a LaTeX document whose page is the figure (pdflatex fig.tex), .tikz the "
        "tikzpicture alone, to \\input into a paper. Drawing an unchanged model again comes "
        "from netviz's cache, without torch (see 'netviz cache --help').",
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
    parser.add_argument("--direction", choices=DIRECTIONS, default=None,
                        help=f"layout direction (default {DEFAULT_DIRECTION}; with --fit, the one "
                        "that fits best)")
    parser.add_argument(
        "--theme",
        choices=THEMES,
        default=DEFAULT_THEME,
        help="colour theme; paper: for print (black, fine lines, dashed cluster outlines)",
    )
    parser.add_argument(
        "--dpi",
        type=parse_dpi,
        metavar="N",
        help=f"PNG resolution in pixels per inch, {DPI_RANGE[0]} to {DPI_RANGE[1]} "
        f"(default {PNG_DPI}: sharp on a 2x screen)",
    )
    parser.add_argument(
        "--annotate",
        action="append",
        metavar="WHAT",
        help="write counts on the figure: params, macs, or both (repeat or params,macs): "
        "each block's under its title, the totals as a caption (the numbers of "
        "'netviz summary --by-group')",
    )
    parser.add_argument(
        "--width",
        metavar="LENGTH",
        help="scale an svg, png, pdf, tex or tikz figure to this width, e.g. 8.5cm "
        "(cm, mm, in, pt); warns when labels get under 6 pt",
    )
    parser.add_argument(
        "--depth",
        type=_depth,
        metavar="N",
        help="levels of detail: draw each module of level N of the module tree as one box "
        "(0: the model, 1: its children, as 'netviz summary --depth' counts them): its "
        "class and the widths entering and leaving it (Bottleneck 64C → 256C), its counts "
        "with --annotate; identical boxes in a row fold into one (x 3)",
    )
    parser.add_argument(
        "--fit",
        metavar="WxH",
        help="draw the figure to fit a box on paper, e.g. 17cmx23cm (a page) or 8.5cmx23cm "
        "(a column), every label 6 pt or more: it chooses the direction (unless given), "
        "wraps the chain of blocks into columns or rows side by side, puts long labels on "
        "two lines, folds, and as a last resort draws modules as boxes (--depth); says "
        "what it chose on stderr (svg, png, pdf, tex, tikz, dot)",
    )
    parser.set_defaults(run=run)


def parse_dpi(text: str) -> int:
    """``--dpi``'s value as a checked integer (``UsageError`` otherwise)."""
    try:
        value = int(text)
    except ValueError:
        raise UsageError(f"--dpi: {text!r} is not a whole number") from None
    try:
        return check_dpi(value)
    except UsageError as exc:
        raise UsageError(f"--{exc}") from None


def _depth(text: str) -> int:
    """``--depth``'s value (imported when given: ``netviz --help`` stays light)."""
    from netviz.transforms.depth import parse_depth

    return parse_depth(text)


def _check_fit(args: argparse.Namespace, fmt: str) -> None:
    """``--fit``: a box, for a format with a size, not with ``--width``."""
    from netviz.renderers.figure import FIT_FORMATS
    from netviz.renderers.fit import parse_box

    try:
        parse_box(args.fit)
    except UsageError as exc:
        raise UsageError(f"--{exc}") from None
    if fmt not in FIT_FORMATS:
        raise UsageError(f"--fit applies to figures drawn by Graphviz ({', '.join(FIT_FORMATS)}), "
                         f"not {fmt}")
    if args.width is not None:
        raise UsageError("give --fit (a box the figure fits) or --width (a width it is scaled "
                         "to), not both")


def run(args: argparse.Namespace) -> int:
    """Render and write the diagram; the file appears whole or not at all.

    Everything that can be checked without the model (format, output path, the
    ``dot`` binary; the API checks the other options before tracing) is checked
    first. With ``--debug`` a failure carries the traced IR as an exception note,
    printed with the traceback.
    """
    fmt = resolve_format(args.output, args.format, SUFFIXES, default="dot")
    if args.dpi is not None and fmt != "png":
        raise UsageError(f"--dpi applies to PNG output only, not {fmt}")
    if args.fit is not None:
        _check_fit(args, fmt)
    check_writable(args.output)
    check_not_terminal(args.output, fmt)
    if fmt in BINARY_FORMATS and shutil.which("dot") is None:
        raise GraphvizNotFoundError()
    from netviz import api

    try:
        data = api.render(
            args.model,
            fmt,
            **model_options(args),
            fold=args.fold,
            shapes=args.shapes,
            legend=args.legend,
            direction=args.direction,
            theme=args.theme,
            dpi=args.dpi,
            annotate=args.annotate,
            width=args.width,
            depth=args.depth,
            fit=args.fit,
        )
    except Exception as exc:
        if getattr(args, "debug", False):
            from netviz.commands._debug import add_note, partial_ir

            options = model_options(args)
            add_note(exc, partial_ir(args.model, options.pop("input_shapes"), **options))
        raise
    write_output(args.output, data)
    return 0
