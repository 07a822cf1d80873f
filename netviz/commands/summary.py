"""``netviz summary``: a model's summary table for papers and docs."""

from __future__ import annotations

import argparse
from pathlib import Path

from netviz.commands._common import add_model_arguments, model_options
from netviz.errors import FormatError
from netviz.output import STDOUT, check_writable, resolve_format, write_output
from netviz.vocabulary import SUMMARY_FORMATS as FORMATS
from netviz.vocabulary import SUMMARY_SUFFIXES as SUFFIXES


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the ``summary`` sub-command."""
    parser = subparsers.add_parser(
        "summary",
        parents=[common],
        help="summary table of a model (text, markdown, latex, csv, json, torchsummary)",
        description="Summarize a model with torchinfo: per layer, or per diagram group "
        "with --by-group (LaTeX lists groups unless --depth is given, so the table fits a "
        "page; its block rows show their subtotals). The format follows the output suffix "
        "(.txt .md .tex .csv .json); --format overrides it; torchsummary prints the classic "
        "pytorch-summary table.",
    )
    add_model_arguments(parser)
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        default=STDOUT,
        help="output file; '-' (the default) writes to stdout",
    )
    parser.add_argument("--format", choices=FORMATS, help="output format (default: from the suffix, else text)")
    parser.add_argument(
        "--depth",
        type=int,
        default=None,
        metavar="N",
        help="deepest module level listed, 0 = the model alone (default: 3); "
        "with latex, giving it lists layers instead of groups",
    )
    parser.add_argument(
        "--by-group",
        action="store_true",
        default=None,
        help="one row per diagram group (stem, block clusters, head) instead of per layer; "
        "the default for latex, so the table fits a page",
    )
    parser.add_argument("--caption", help="latex: wrap the table in a table float with this caption")
    parser.add_argument("--label", help="latex: \\label of that table float, e.g. tab:wrn")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Write the summary; options are checked before the model is loaded."""
    from netviz.summaries import check_options, resolve_view

    fmt = _resolve(args.output, args.format)
    args.depth, args.by_group = resolve_view(fmt, args.depth, args.by_group)
    check_options(fmt, depth=args.depth, by_group=args.by_group, caption=args.caption, label=args.label)
    check_writable(args.output)
    from netviz import api

    text = api.summary(
        args.model,
        fmt,
        **model_options(args),
        depth=args.depth,
        by_group=args.by_group,
        caption=args.caption,
        label=args.label,
    )
    write_output(args.output, text)
    return 0


def _resolve(path: str | None, fmt: str | None) -> str:
    """The format from ``--format`` and the suffix; torchsummary is text (``.txt``)."""
    if fmt != "torchsummary":
        return resolve_format(path, fmt, SUFFIXES, default="text")
    if path not in (None, STDOUT):
        implied = SUFFIXES.get(Path(path).suffix.lower(), "text")
        if implied != "text":
            raise FormatError(f"--format torchsummary contradicts the suffix of {path!r} ({implied})")
    return fmt
