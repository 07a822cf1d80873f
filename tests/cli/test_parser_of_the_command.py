"""A command line that names its command is parsed by that command's parser alone
(the other commands' modules stay unimported), into what the full parser gives."""

from __future__ import annotations

import pytest

from netviz.cli import build_parser, command_of
from netviz.commands import COMMANDS

LINES = [
    ["render", "wrn28_2", "-o", "x.svg", "--legend", "--direction", "lr"],
    ["--debug", "render", "wrn28_2", "--input-shape", "3,32,32", "--dpi", "100", "-o", "x.png"],
    ["--no-cache", "--debug", "summary", "resnet18", "--depth", "2"],
    ["diff", "wrn16_4", "wrn28_2", "-o", "d.md"],
    ["pseudocode", "wrn28_2"],
    ["list", "wrn*"],
    ["plot", "wrn28_2", "--kind", "macs", "-o", "c.svg"],
    ["cache", "info"],
    ["render", "--debug", "--no-cache", "wrn28_2"],
]


@pytest.mark.parametrize("argv", LINES, ids=" ".join)
def test_the_commands_parser_reads_what_the_full_parser_reads(argv: list[str]) -> None:
    command = command_of(argv)
    assert command in COMMANDS
    assert vars(build_parser(only=command).parse_args(argv)) == vars(build_parser().parse_args(argv))


@pytest.mark.parametrize(("argv", "command"), [
    (["render", "x"], "render"),
    (["--debug", "--no-cache", "diff", "a", "b"], "diff"),
    (["--help"], None),              # the full parser's help lists every command
    (["-h", "render"], None),
    (["--deb", "render", "x"], None),  # an abbreviation: read as argparse reads it
    (["--version"], None),
    (["renders", "x"], None),        # no such command: the full parser says so
    (["x", "render"], None),
    ([], None),
])
def test_command_of(argv: list[str], command: str | None) -> None:
    assert command_of(argv) == command
