"""``module_classes``: the modules a graph's ops ran in and their ancestors, by depth then
path, checked against the module tree itself."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from netviz.ir import Graph, Kind, Node
from netviz.tracing.modules import module_classes


def _tree() -> nn.Module:
    model = nn.Sequential(
        nn.Conv2d(1, 1, 1),
        nn.Sequential(nn.ReLU(), nn.Sequential(nn.Linear(1, 1), nn.GELU())),
        nn.ModuleDict({"b": nn.Identity(), "a_1": nn.Sequential(nn.Tanh())}),
    )
    model.add_module("z", nn.Dropout())
    return model


TREE = _tree()
PATHS = [path for path, _ in TREE.named_modules()]


def _expected(scopes: list[str]) -> tuple[tuple[str, str], ...]:
    """Each scope's module and ancestors (prefixes at a dot), sorted by depth, then path."""
    named = dict(TREE.named_modules())
    wanted = {path for path in named for scope in scopes
              if scope == path or not path or scope.startswith(path + ".")}
    return tuple(sorted(((path, type(named[path]).__name__) for path in wanted),
                        key=lambda pair: (pair[0].count("."), pair[0])))


@settings(max_examples=60, derandomize=True, database=None)
@given(scopes=st.lists(st.sampled_from(PATHS + ["2.a_1.9"]), min_size=1, max_size=8))
def test_module_classes_are_the_scopes_and_their_ancestors(scopes: list[str]) -> None:
    graph = Graph(name="g", nodes=tuple(
        Node(id=f"n{i}", kind=Kind.OTHER, type_name="x", scope=scope)
        for i, scope in enumerate(scopes)), edges=())
    assert module_classes(TREE, graph) == _expected(scopes)
