"""Every ``>>>`` example in ``netviz`` and ``netviz_models`` runs, and is shown as code.

The examples are collected from the docstrings of every module of both packages,
found by walking the packages (a new module is covered without a test edit). One
test per docstring, so a failure names the object. An example that must not run
carries ``# doctest: +SKIP`` and a comment saying why.

mkdocstrings (through griffe's Google-style parser) shows ``>>>`` lines as
highlighted code only inside an ``Examples:`` section; anywhere else (``Example:``
is an admonition, not that section) they become nested block quotes. The second
test asks griffe itself where each ``>>>`` line lands.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import shutil
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from netviz import registry

PACKAGES = ("netviz", "netviz_models")


def _module_names() -> list[str]:
    names = []
    for package in PACKAGES:
        names.append(package)
        path = importlib.import_module(package).__path__
        for info in pkgutil.walk_packages(path, prefix=f"{package}."):
            if info.name.rsplit(".", 1)[-1] != "__main__":  # running it is the point of it
                names.append(info.name)
    return names


MODULES = _module_names()


def _doctests() -> list[doctest.DocTest]:
    finder = doctest.DocTestFinder()
    found = []
    for name in MODULES:
        found += [test for test in finder.find(importlib.import_module(name)) if test.examples]
    return sorted(found, key=lambda test: test.name)


DOCTESTS = _doctests()
BINARY = ("svg", "png", "pdf")


@pytest.fixture
def scratch_registry() -> Iterator[None]:
    """Examples may register models (``register_model``'s own example does): undo that."""
    saved = dict(registry._REGISTRY)
    try:
        yield
    finally:
        registry._REGISTRY.clear()
        registry._REGISTRY.update(saved)


def test_the_packages_have_examples() -> None:
    modules = {test.name.split(".")[0] for test in DOCTESTS}
    assert modules == set(PACKAGES)
    assert len(DOCTESTS) >= 10


@pytest.mark.parametrize("test", DOCTESTS, ids=lambda test: test.name)
def test_docstring_examples_run(test: doctest.DocTest, scratch_registry: None) -> None:
    binary = any(f'"{fmt}"' in example.source for example in test.examples for fmt in BINARY)
    if binary and shutil.which("dot") is None:
        pytest.skip("the example renders with Graphviz: 'dot' is not installed")
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    report: list[str] = []
    result = runner.run(test, out=report.append, clear_globs=True)
    assert result.failed == 0, "".join(report)


def _objects(obj: Any) -> Iterator[Any]:
    yield obj
    for member in obj.members.values():
        if not member.is_alias:
            yield from _objects(member)


def _prompt_lines(text: str) -> int:
    return sum(1 for line in text.splitlines() if line.lstrip().startswith(">>>"))


@pytest.mark.parametrize("package", PACKAGES)
def test_prompts_are_only_in_examples_sections(package: str) -> None:
    import griffe

    loaded = griffe.load(package, search_paths=sys.path, docstring_parser="google")
    misplaced = []
    for obj in _objects(loaded):
        if obj.docstring is None:
            continue
        written = _prompt_lines(obj.docstring.value)
        sections = obj.docstring.parse("google", warnings=False)
        as_code = sum(
            _prompt_lines(code)
            for section in sections
            if section.kind.value == "examples"
            for kind, code in section.value
            if kind.value == "examples"
        )
        if written != as_code:
            misplaced.append(obj.path)
    assert misplaced == [], "'>>>' outside an 'Examples:' section (use 'Examples:')"
