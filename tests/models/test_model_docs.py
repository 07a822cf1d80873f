"""Every public object of the models is documented (their examples run in tests/test_doctests.py)."""

from __future__ import annotations

import inspect
from types import ModuleType

import pytest

import netviz_models
from netviz_models import (
    convnext,
    densenet,
    inception,
    layers,
    mdnc,
    mobilenet,
    regnet,
    resnet,
    sequence,
    swin,
    vit,
    wideresnet,
)

MODULES = [wideresnet, resnet, mdnc, vit, swin, convnext, densenet, inception, mobilenet, regnet,
           sequence, layers]


@pytest.mark.parametrize("module", [netviz_models, *MODULES], ids=lambda m: m.__name__)
def test_public_api_documented_and_typed(module: ModuleType) -> None:
    assert module.__doc__ and module.__doc__.strip()
    for name in getattr(module, "__all__", []):
        obj = getattr(module, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            assert inspect.getdoc(obj), f"{module.__name__}.{name} has no docstring"
        if inspect.isfunction(obj):
            hints = obj.__annotations__
            assert "return" in hints, f"{module.__name__}.{name} lacks a return type"
