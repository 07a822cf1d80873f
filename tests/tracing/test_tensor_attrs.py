"""netviz's fx tracer makes fx's table of plain tensor attributes when fx first reads it,
not by fx's walk over every module before tracing; the graphs stay fx's own.

Pins torch.fx's ``Tracer.trace`` (undocumented): it sets ``self.tensor_attrs = {}`` and
walks ``self.root`` with its nested ``collect_tensor_attrs``, over the attribute types
``_symbolic_trace._constant_attribute_types``.
"""

from __future__ import annotations

import torch
import torch.fx
from hypothesis import given
from hypothesis import strategies as st
from torch import nn
from torch.fx import _symbolic_trace

from netviz.tracing.fx import _Tracer
from netviz.tracing.stamps import StampingTracer
from netviz.tracing.tensor_attrs import _MAPPED, collect_tensor_attrs

from tests.tracing.test_stamps_property import SETTINGS


class Holder(nn.Module):
    """Keeps tensors as plain attributes (``kept``) and reads some of them (``read``),
    adds a constant made in its forward when ``constant``, then calls its children."""

    def __init__(self, kept: int, read: list[int], constant: bool,
                 children: list[Holder]) -> None:
        super().__init__()
        for i in range(kept):
            setattr(self, f"t{i}", torch.full((1,), float(i)))
        self.read = [i for i in read if i < kept]
        self.constant = constant
        self.inner = nn.ModuleList(children)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for i in self.read:
            x = x + getattr(self, f"t{i}")
        if self.constant:
            x = x * torch.ones(1)
        for child in self.inner:
            x = child(x)
        return x


def _holders(depth: int) -> st.SearchStrategy[Holder]:
    children = st.lists(_holders(depth - 1), max_size=2) if depth > 0 else st.just([])
    return st.builds(Holder, st.integers(0, 3), st.lists(st.integers(0, 3), max_size=3),
                     st.booleans(), children)


def _share(model: Holder, shared: bool) -> None:
    """Keep the root's first tensor again under a child's name (fx: the last path wins)."""
    if shared and hasattr(model, "t0") and len(model.inner):
        model.inner[0].again = model.t0


def _traced(tracer: torch.fx.Tracer, model: nn.Module) -> tuple[str, list[tuple[object, str]]]:
    """The graph ``tracer`` makes of ``model`` and its table, the constants it stowed on
    the root removed after (so that a second tracer numbers its own from 0)."""
    graph = str(tracer.trace(model))
    table = list(tracer.tensor_attrs.items())
    for key in [k for k in vars(model) if k.startswith("_tensor_constant")]:
        delattr(model, key)
    return graph, table


@SETTINGS
@given(_holders(2), st.booleans())
def test_the_graph_and_table_are_fxs_own(model: Holder, shared: bool) -> None:
    _share(model, shared)
    assert _traced(_Tracer(), model) == _traced(torch.fx.Tracer(), model)


def test_fx_walk_is_skipped_until_the_table_is_read() -> None:
    """A model whose trace meets no tensor constant is never walked for them: fx's walk
    is given a bare module (it reads the root right after making its table)."""
    model = Holder(2, [], False, [Holder(1, [], False, [])])
    tracer = StampingTracer()
    tracer.trace(model)
    assert not tracer.tensor_attrs_walked()
    assert tracer.root is model
    table = dict(tracer.tensor_attrs)  # read: made now, as fx's walk makes it
    assert tracer.tensor_attrs_walked()
    reference = torch.fx.Tracer()
    reference.trace(model)
    assert table == reference.tensor_attrs == {model.t0: "t0", model.t1: "t1",
                                               model.inner[0].t0: "inner.0.t0"}


def test_a_tracer_traced_again_makes_its_table_again() -> None:
    tracer = StampingTracer()
    tracer.trace(Holder(1, [0], False, []))
    second = Holder(2, [1], False, [])
    tracer.trace(second)
    assert tracer.tensor_attrs == {second.t0: "t0", second.t1: "t1"}


def test_fx_walks_the_attribute_types_netviz_walks() -> None:
    """The walk netviz skips is still in fx's ``Tracer.trace``, over the same types."""
    nested = [c for c in torch.fx.Tracer.trace.__code__.co_consts
              if getattr(c, "co_name", None) == "collect_tensor_attrs"]
    assert nested, "fx no longer walks the model's tensor attributes in Tracer.trace"
    assert torch.Tensor in _MAPPED
    assert _MAPPED == tuple(_symbolic_trace._constant_attribute_types)
    table: dict[object, str] = {}
    model = Holder(1, [], False, [])
    collect_tensor_attrs(model, [], table)
    assert table == {model.t0: "t0"}
