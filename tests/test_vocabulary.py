"""Each option vocabulary is defined once (netviz.vocabulary) and offered the same everywhere:
the command line, the Python API and the docs fence."""

from __future__ import annotations

import argparse
import inspect
import typing

import netviz.api as api
from netviz import vocabulary
from netviz.cli import build_parser
from netviz.mkdocs.options import parse_fence
from netviz.renderers.theme import PALETTES


def _choices(command: str, option: str) -> tuple[str, ...]:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    action = next(a for a in sub.choices[command]._actions if option in a.option_strings)
    return tuple(action.choices)


def test_the_cli_offers_each_vocabulary() -> None:
    assert _choices("render", "--direction") == vocabulary.DIRECTIONS
    assert _choices("render", "--theme") == vocabulary.THEMES
    assert _choices("plot", "--kind") == vocabulary.CHART_KINDS


def test_the_api_types_each_vocabulary() -> None:
    parameters = inspect.signature(api.render).parameters
    # None: not given (top to bottom; with fit, the direction that fits best)
    assert parameters["direction"].annotation == "Direction | None"
    assert api.Direction is vocabulary.Direction
    assert parameters["theme"].annotation == "Theme" and api.Theme is vocabulary.Theme
    assert typing.get_args(vocabulary.Direction) == vocabulary.DIRECTIONS
    assert tuple(PALETTES) == vocabulary.THEMES  # every theme has its palette


def test_the_fence_takes_each_vocabulary() -> None:
    for direction in vocabulary.DIRECTIONS:
        assert parse_fence(f"model: wrn28_2\ndirection: {direction}").direction == direction
    for theme in vocabulary.THEMES:
        assert parse_fence(f"model: wrn28_2\ntheme: {theme}").theme == theme
    for kind in vocabulary.CHART_KINDS:
        assert parse_fence(f"model: wrn28_2\nshow: chart\nchart: {kind}").chart == kind
