"""``netviz diff``: what changed between two models, drawn in the notation or listed."""

from __future__ import annotations

import argparse
import shutil

from netviz.commands._common import MODEL_HELP, add_model_arguments, model_options, parse_shape
from netviz.commands.render import BINARY_FORMATS, parse_dpi
from netviz.dtypes import parse_dtype
from netviz.errors import GraphvizNotFoundError, UsageError
from netviz.vocabulary import DEFAULT_DIRECTION, DEFAULT_THEME, DIRECTIONS, THEMES
from netviz.vocabulary import DIFF_FORMATS as FORMATS
from netviz.vocabulary import DIFF_SUFFIXES as SUFFIXES
from netviz.output import (
    DPI_RANGE,
    PNG_DPI,
    STDOUT,
    check_not_terminal,
    check_writable,
    resolve_format,
    write_output,
)

DIFFERENT = 1
"""Exit status of ``--exit-code`` when the models differ (errors exit 2)."""


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the ``diff`` sub-command."""
    parser = subparsers.add_parser(
        "diff",
        parents=[common],
        help="what changed between two models: B's diagram with the changes marked, or a list "
        "(txt, md, svg, png, pdf, tex, tikz, dot, mmd)",
        description="Compare model A with model B along the folded structure (stage to stage, "
        "block to block, op to op). A figure (.svg .png .pdf .tex .tikz .dot .gv .mmd .mermaid) "
        "draws B with what only B has emphasised (thick outlines), what only A had as faint "
        "dashed ghosts at its place, and changed labels as 'old → new' (x (N - 1) = 5 → 22). "
        "The text form (-o -, the default; .txt; .md) lists the changes by group with the "
        "parameters and MACs of A, of B and their difference, per group and in total; two "
        "models without a difference print 'no structural differences'. Exit status: 0, or "
        "with --exit-code 1 when the models differ (for CI); 2 on any error.",
    )
    add_model_arguments(parser, metavar="A", help=f"the model compared from: {MODEL_HELP}")
    parser.add_argument("model_b", metavar="B", help="the model compared to (the figure is B's), "
                        "in the same forms; --input-shape and --input-dtype apply to both unless "
                        "--input-shape-b / --input-dtype-b are given")
    parser.add_argument("--input-shape-b", dest="input_shapes_b", metavar="C,H,W", action="append",
                        type=parse_shape, help="B's input shape, when it differs from A's (repeat "
                        "for several inputs)")
    parser.add_argument("--input-dtype-b", dest="input_dtypes_b", metavar="DTYPE", action="append",
                        type=parse_dtype, help="B's input dtype, when it differs from A's")
    parser.add_argument("-o", "--output", metavar="FILE", default=STDOUT,
                        help="output file; '-' (the default) writes the text form to stdout")
    parser.add_argument("--format", choices=FORMATS, help="override the suffix (txt, md: the "
                        "text form; the others: the figure)")
    parser.add_argument("--exit-code", action="store_true",
                        help=f"exit with status {DIFFERENT} when the models differ (in structure or "
                        "in their parameters or MACs), as 'git diff --exit-code' does")
    parser.add_argument("--no-fold", dest="fold", action="store_false",
                        help="compare every block (B's extra blocks are each added)")
    parser.add_argument("--shapes", action="store_true", help="show spatial sizes in data nodes")
    parser.add_argument("--no-legend", dest="legend", action="store_false",
                        help="leave out the legend (which explains the marks)")
    parser.add_argument("--direction", choices=DIRECTIONS, default=DEFAULT_DIRECTION,
                        help="layout direction")
    parser.add_argument("--theme", choices=THEMES, default=DEFAULT_THEME,
                        help="colour theme; paper: for print (the marks are line weights, "
                        "dashes and words, never colour alone)")
    parser.add_argument("--dpi", type=parse_dpi, metavar="N",
                        help=f"PNG resolution in pixels per inch, {DPI_RANGE[0]} to "
                        f"{DPI_RANGE[1]} (default {PNG_DPI})")
    parser.add_argument("--width", metavar="LENGTH",
                        help="scale an svg, png, pdf, tex or tikz figure to this width, e.g. 8.5cm")
    parser.set_defaults(run=run, error_exit_code=2)


def run(args: argparse.Namespace) -> int:
    """Compare the two models and write the figure or the text form; the file appears
    whole or not at all. What can be checked without the models is checked first."""
    fmt = resolve_format(args.output, args.format, SUFFIXES, default="txt")
    text = fmt in ("txt", "md")
    if text and (args.dpi is not None or args.width is not None):
        raise UsageError(f"--{'dpi' if args.dpi is not None else 'width'} applies to figures, "
                         f"not the {fmt} text form")
    if args.dpi is not None and fmt != "png":
        raise UsageError(f"--dpi applies to PNG output only, not {fmt}")
    if args.width is not None:
        from netviz.renderers.figure import check_figure_options

        check_figure_options(fmt, width=args.width)
    check_writable(args.output)
    check_not_terminal(args.output, fmt)
    if fmt in BINARY_FORMATS and shutil.which("dot") is None:
        raise GraphvizNotFoundError()
    from netviz import api

    options = model_options(args)
    found = api.diff(
        args.model, args.model_b, **options,
        input_shapes_b=args.input_shapes_b, input_dtypes_b=args.input_dtypes_b,
        fold=args.fold, shapes=args.shapes, legend=args.legend, direction=args.direction,
        theme=args.theme,
    )
    write_output(args.output, found.render(fmt, dpi=args.dpi, width=args.width))
    return DIFFERENT if args.exit_code and not found.identical else 0
