"""``netviz summary``: placeholder until its issue lands."""

from __future__ import annotations

import argparse

from netviz.errors import NetvizError


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the ``summary`` sub-command."""
    parser = subparsers.add_parser("summary", parents=[common], help="(not implemented yet)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Not implemented yet."""
    raise NetvizError("'netviz summary' is not implemented yet")
