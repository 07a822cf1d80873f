"""``netviz list``: placeholder until its issue lands."""

from __future__ import annotations

import argparse

from netviz.errors import NetvizError


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the ``list`` sub-command."""
    parser = subparsers.add_parser("list", parents=[common], help="(not implemented yet)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Not implemented yet."""
    raise NetvizError("'netviz list' is not implemented yet")
