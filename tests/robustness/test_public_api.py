"""The public functions of ``netviz`` stay callable however netviz was used before (issue 6).

Importing a sub-package sets the package attribute of the same name, so a
sub-package named like an API function (``trace``, ``summary``) would shadow it;
the sub-packages are ``tracing`` and ``summaries`` for that reason.
"""

from __future__ import annotations

import importlib

import pytest

import netviz

SUBPACKAGES = [
    "ir", "tracing", "transforms", "renderers", "summaries", "registry", "api", "commands",
    "building", "output", "text",
]


@pytest.mark.parametrize("name", [n for n in netviz.__all__ if n != "__version__"])
def test_public_function_is_callable_after_every_subpackage_is_imported(name: str) -> None:
    for sub in SUBPACKAGES:
        importlib.import_module(f"netviz.{sub}")
    assert callable(getattr(netviz, name)), f"netviz.{name} is {getattr(netviz, name)!r}"


def test_trace_twice_through_the_package() -> None:
    from tests.zoo.models import SharedConv

    first = netviz.trace(SharedConv(), [(3, 8, 8)])
    again = netviz.trace(SharedConv(), [(3, 8, 8)])
    assert first == again
