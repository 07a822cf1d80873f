"""``netviz plot``: matplotlib charts of a model (params, mult-adds, shapes)."""

from __future__ import annotations

import argparse

from netviz.commands._common import add_model_arguments, model_options
from netviz.output import check_not_terminal, check_writable, resolve_format, write_output

from netviz.vocabulary import CHART_KINDS as KINDS
from netviz.vocabulary import CHART_SUFFIXES as SUFFIXES
from netviz.vocabulary import DEFAULT_CHART


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the ``plot`` sub-command."""
    parser = subparsers.add_parser(
        "plot",
        parents=[common],
        help="chart a model: params or mult-adds per diagram group, or shapes (svg, png, pdf)",
        description="Draw a matplotlib chart of a model: parameters (--kind params) or "
        "mult-adds (--kind macs) per diagram group, or feature width (C, D) and positions after "
        "each layer (--kind shapes). The format follows the output suffix (.svg .png .pdf).",
    )
    add_model_arguments(parser)
    parser.add_argument("-o", "--output", metavar="FILE", required=True, help="output file (.svg, .png or .pdf)")
    parser.add_argument("--kind", choices=KINDS, default=DEFAULT_CHART,
                        help=f"what to chart (default: {DEFAULT_CHART})")
    parser.add_argument("--format", choices=sorted(set(SUFFIXES.values())), help="override the suffix")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Draw and write the chart; the file appears whole or not at all."""
    fmt = resolve_format(args.output, args.format, SUFFIXES, default="svg")
    check_writable(args.output)
    check_not_terminal(args.output, fmt)
    from netviz import api

    write_output(args.output, api.plot(args.model, args.kind, fmt, **model_options(args)))
    return 0
