"""The CLI reference page, generated from the argument parser itself.

Nothing is written by hand, so the page cannot drift from ``netviz --help``:
each sub-command gets its usage, description, the exact ``--help`` text and a
table of its arguments.
"""

from __future__ import annotations

import argparse
import os

COLUMNS = "100"
"""Width the ``--help`` text is wrapped to, whatever the terminal (deterministic pages)."""

HEADER = """# CLI reference

Generated at build time from `netviz.cli.build_parser()`, so it always matches
`netviz --help` for the version this site was built from. Every command prints
errors as one `netviz: error: ...` line and exits non-zero; add `--debug` for a
traceback.
"""


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """The sub-parsers of ``parser`` by name, in the order they were added."""
    for action in parser._actions:  # noqa: SLF001 - argparse has no public accessor
        if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
            return dict(action.choices)
    return {}


def _help_of(parser: argparse.ArgumentParser, name: str) -> str:
    for action in parser._actions:  # noqa: SLF001
        if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
            for choice in action._choices_actions:  # noqa: SLF001
                if choice.dest == name:
                    return choice.help or ""
    return ""


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def argument_rows(parser: argparse.ArgumentParser) -> list[tuple[str, str, str]]:
    """``(argument, default, help)`` rows for the arguments of one parser."""
    rows = []
    for action in parser._actions:  # noqa: SLF001
        if isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)):  # noqa: SLF001
            continue
        if action.help == argparse.SUPPRESS:
            continue
        if action.option_strings:
            name = ", ".join(action.option_strings)
            if action.nargs != 0:
                name += f" {action.metavar or action.dest.upper()}"
        else:
            name = str(action.metavar or action.dest)
        default = action.default
        shown = (
            ""
            if default in (None, False, True, argparse.SUPPRESS) or action.nargs == 0
            else f"`{default}`"
        )
        if action.choices and not isinstance(action.choices, dict):
            help_text = f"{action.help or ''} (one of: {', '.join(map(str, action.choices))})"
        else:
            help_text = action.help or ""
        if "%(" in help_text:
            help_text = help_text % vars(action)
        rows.append((f"`{_cell(name)}`", shown, _cell(help_text)))
    return rows


def command_markdown(prog: str, parser: argparse.ArgumentParser, summary: str = "") -> str:
    """One section: heading, summary, ``--help`` text and argument table."""
    lines = [f"## `{prog}`", ""]
    if summary:
        lines += [summary[0].upper() + summary[1:] + ("" if summary.endswith(".") else "."), ""]
    lines += ["```text", parser.format_help().rstrip(), "```", ""]
    rows = argument_rows(parser)
    if rows:
        lines += ["| Argument | Default | Meaning |", "| --- | --- | --- |"]
        lines += [f"| {name} | {default} | {text} |" for name, default, text in rows]
        lines.append("")
    return "\n".join(lines)


def cli_markdown(parser: argparse.ArgumentParser | None = None) -> str:
    """The whole CLI reference page as Markdown.

    Args:
        parser: The parser to document; default: ``netviz.cli.build_parser()``.
    """
    saved = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = COLUMNS  # argparse wraps help text to the terminal width
    try:
        if parser is None:
            from netviz.cli import build_parser

            parser = build_parser()
        parts = [HEADER, command_markdown(parser.prog, parser)]
        for name, sub in subcommands(parser).items():
            parts.append(command_markdown(sub.prog, sub, _help_of(parser, name)))
    finally:
        if saved is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = saved
    return "\n".join(parts).rstrip() + "\n"
