"""A group member's modules, walked with a stack: ``named_modules``' list (netviz.tracing.alike)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from netviz.tracing.alike import _named_modules


def _tree(draw: st.DrawFn, depth: int) -> nn.Module:
    if depth == 0 or not draw(st.booleans()):
        return draw(st.sampled_from([nn.ReLU, nn.Identity, lambda: nn.Linear(2, 2)]))()
    children = [None if draw(st.booleans()) and i else _tree(draw, depth - 1)
                for i in range(draw(st.integers(1, 3)))]
    holder = draw(st.sampled_from(["list", "dict", "seq"]))
    if holder == "list":
        module = nn.ModuleList([c for c in children if c is not None])
    elif holder == "dict":
        module = nn.ModuleDict({f"m{i}": c for i, c in enumerate(children) if c is not None})
    else:
        module = nn.Sequential()
        for i, child in enumerate(children):  # None children are registered, and skipped
            module.register_module(f"s{i}", child)
    return module


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_the_walk_is_named_modules(data: st.DataObject) -> None:
    tree = data.draw(st.composite(lambda draw: _tree(draw, 3))())
    assert _named_modules(tree) == list(tree.named_modules())


class OwnWalk(nn.Sequential):
    """A class with a ``named_modules`` of its own: asked, not walked around."""

    def named_modules(self, *args: object, **kwargs: object) -> Iterator[tuple[str, nn.Module]]:
        yield "", self


@pytest.mark.parametrize("where", ["root", "inside"])
def test_a_walk_of_its_own_is_asked(where: str) -> None:
    own = OwnWalk(nn.ReLU())
    tree = own if where == "root" else nn.Sequential(nn.Linear(2, 2), own)
    assert _named_modules(tree) == list(tree.named_modules())
