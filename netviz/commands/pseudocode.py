"""``netviz pseudocode``: the seed's pseudocode listing of a model."""

from __future__ import annotations

import argparse

from netviz.commands._common import add_model_arguments, model_options
from netviz.output import STDOUT, check_writable, write_output


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the ``pseudocode`` sub-command."""
    parser = subparsers.add_parser(
        "pseudocode",
        parents=[common],
        help="print the pseudocode listing of a model",
        description="Print every block of a model in the seed's pseudocode format "
        "(tabs for nesting, '= X', '= Z', 'Z + X').",
    )
    add_model_arguments(parser)
    parser.add_argument("-o", "--output", metavar="FILE", default=STDOUT, help="output file (default: stdout)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Write the listing."""
    check_writable(args.output)
    from netviz import api

    write_output(args.output, api.pseudocode(args.model, **model_options(args)))
    return 0
