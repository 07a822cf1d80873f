"""Tracing each distinct block once gives the graph tracing every block gives.

Generated models stack blocks with random repeats, widths and strides, some blocks
differing from their neighbours only in an attribute their forward reads (a flag, a
padding mode, a drop rate), others fed inputs of another size (after a pooling step).
The trace with stamping (the default) must equal the plain trace
(``NETVIZ_PLAIN_TRACE``) node for node: ids, scopes, attributes, shapes, parameters,
MACs, edges. The tests below the property pin that stamping actually happens, that
blocks differing in such an attribute do not share a template, and that the comparison
catches a fingerprint that ignores attributes.
"""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from torch import nn

from netviz.ir import Graph
from netviz.tracing import walk as walk_module
from netviz.tracing import trace_model
from netviz.tracing.fx import stamped_graph
from netviz.tracing.tracer import PLAIN_TRACE
from tests.properties import steady

SETTINGS = steady(30)

MODES = ("zeros", "reflect", "replicate")


class Block(nn.Module):
    """A residual block whose forward reads its flag, padding mode and drop rate."""

    def __init__(self, cin: int, cout: int, flag: bool, mode: str, drop: float) -> None:
        super().__init__()
        self.mode = mode
        self.flag = flag
        self.drop = drop
        self.conv = nn.Conv2d(cin, cout, 3, padding=0, bias=False)
        self.bn = nn.BatchNorm2d(cout)
        self.short = nn.Conv2d(cin, cout, 1, bias=False) if cin != cout else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        padded = x if self.mode == "zeros" else F.pad(x, (1, 1, 1, 1), mode=self.mode)
        out = self.bn(self.conv(padded if self.mode != "zeros" else F.pad(x, (1, 1, 1, 1))))
        out = F.relu(out)
        if self.flag:
            out = out * 0.5
        if self.drop > 0.25:
            out = out + F.dropout(out, self.drop, self.training)
        return out + (self.short(x) if self.short is not None else x)


class Pair(nn.Module):
    """Two blocks in a row (a nested repeated module)."""

    def __init__(self, width: int, flag: bool) -> None:
        super().__init__()
        self.first = Block(width, width, flag, "zeros", 0.0)
        self.second = Block(width, width, False, "zeros", 0.0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.second(self.first(x))


class Steps(nn.Module):
    """The frame of the generated models that take turns of several kinds: a stem, the
    modules ``_add`` appends with the kind of step each is, a head made by the subclass;
    ``step`` calls one (plainly; a subclass calls some kinds its own way)."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 4, 3, padding=1)
        self.body = nn.ModuleList()
        self.kinds: list[str] = []

    def _add(self, kind: str, module: nn.Module) -> None:
        self.body.append(module)
        self.kinds.append(kind)

    def step(self, kind: str, module: nn.Module, x: torch.Tensor,
             stem: torch.Tensor) -> torch.Tensor:
        """One step: ``module`` of this ``kind`` on ``x`` (``stem``: the stem's output)."""
        return module(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        stem = x = self.stem(x)
        for kind, module in zip(self.kinds, self.body):
            x = self.step(kind, module, x, stem)
        return self.head(x.mean((2, 3)))


STEP = st.one_of(
    st.tuples(st.just("block"), st.integers(1, 4), st.sampled_from((4, 8)), st.booleans(),
              st.sampled_from(MODES), st.sampled_from((0.0, 0.1, 0.5))),
    st.tuples(st.just("pair"), st.integers(1, 3), st.booleans()),
    st.tuples(st.just("pool")),
)


class Stacked(nn.Module):
    """A stem, then the generated steps, then a head."""

    def __init__(self, steps: list[tuple]) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 4, 3, padding=1)
        layers: list[nn.Module] = []
        width = 4
        for step in steps:
            if step[0] == "block":
                _, repeats, out, flag, mode, drop = step
                for _ in range(repeats):
                    layers.append(Block(width, out, flag, mode, drop))
                    width = out
            elif step[0] == "pair":
                _, repeats, flag = step
                layers.extend(Pair(width, flag) for _ in range(repeats))
            else:
                layers.append(nn.MaxPool2d(2))
        self.body = nn.Sequential(*layers)
        self.head = nn.Linear(width, 5)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.body(self.stem(x))
        return self.head(x.mean((2, 3)))


def traced(model: nn.Module, plain: bool, monkeypatch: pytest.MonkeyPatch) -> Graph:
    with monkeypatch.context() as patch:
        if plain:
            patch.setenv(PLAIN_TRACE, "1")
        else:
            patch.delenv(PLAIN_TRACE, raising=False)
        return trace_model(model, [(3, 16, 16)], name="stacked")


def assert_same(model: nn.Module, monkeypatch: pytest.MonkeyPatch) -> None:
    plain = traced(model, True, monkeypatch)
    stamped = traced(model, False, monkeypatch)
    assert stamped.nodes == plain.nodes
    assert stamped.edges == plain.edges
    assert stamped == plain
    assert repr(stamped) == repr(plain)


@SETTINGS
@given(steps=st.lists(STEP, min_size=1, max_size=6), meta=st.booleans())
def test_stamped_trace_equals_plain_trace(steps: list[tuple], meta: bool) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        with torch.device("meta" if meta else "cpu"):
            model = Stacked(steps)
        assert_same(model, monkeypatch)


def _model(flags: list[bool], modes: list[str] | None = None,
           drops: list[float] | None = None) -> nn.Module:
    n = len(flags)
    modes = modes or ["zeros"] * n
    drops = drops or [0.0] * n
    with torch.device("meta"):
        return nn.Sequential(nn.Conv2d(3, 4, 1), *(
            Block(4, 4, f, m, d) for f, m, d in zip(flags, modes, drops)))


def _templates(model: nn.Module) -> tuple[int, int]:
    """(templates, instances) of a stamped trace of ``model``."""
    _, stamps = stamped_graph(model, 1)
    return len(stamps.templates), len(stamps.instances)


def test_alike_blocks_share_one_template() -> None:
    assert _templates(_model([False] * 5)) == (1, 5)


@pytest.mark.parametrize("model", [
    _model([False, True, False, True]),
    _model([False] * 4, modes=["zeros", "reflect", "zeros", "reflect"]),
    _model([False] * 4, drops=[0.0, 0.5, 0.0, 0.5]),
], ids=["flag", "padding mode", "drop rate"])
def test_blocks_differing_in_an_attribute_do_not_share(model: nn.Module) -> None:
    assert _templates(model) == (2, 4)


def test_the_comparison_catches_a_fingerprint_without_attributes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With attributes left out of the fingerprint, flagged blocks are stamped from
    unflagged ones and the graph differs: the property above can fail."""
    model = _model([False, True, False, True])
    monkeypatch.setattr(walk_module, "attribute_rows",
                        lambda dicts, made: ([()] * len(dicts), set()))
    with pytest.raises(AssertionError):
        assert_same(model, monkeypatch)


def test_a_block_with_a_hook_is_traced_for_itself() -> None:
    model = _model([False] * 3)
    model[2].register_forward_hook(lambda module, args, out: None)
    assert _templates(model) == (1, 2)


def test_input_size_matters_for_reuse_not_for_stamping(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same blocks before and after a pooling step: one template, shapes right."""
    with torch.device("meta"):
        model = nn.Sequential(nn.Conv2d(3, 4, 1), Block(4, 4, False, "zeros", 0.0),
                              Block(4, 4, False, "zeros", 0.0), nn.MaxPool2d(2),
                              Block(4, 4, False, "zeros", 0.0), Block(4, 4, False, "zeros", 0.0))
    assert _templates(model) == (1, 4)
    assert_same(model, monkeypatch)


def test_blocks_sharing_a_layer_or_a_weight_are_traced_for_themselves(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A layer (or a weight) held by two blocks: the blocks holding it have no template;
    the graph still equals the plain one."""
    model = _model([False] * 4)
    model[2].conv = model[1].conv
    model[4].bn.weight = model[3].bn.weight
    assert _templates(model) == (0, 0)
    assert_same(model, monkeypatch)


def test_a_forward_writing_a_global_is_traced_for_itself() -> None:
    assert _templates(nn.Sequential(*(Counting() for _ in range(3)))) == (0, 0)


CALLS = 0


class Counting(nn.Module):
    """A block whose forward counts its calls in a global (its trace may differ by call)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        global CALLS
        CALLS += 1
        return x + 1


def test_pairs_differing_in_a_nested_block_do_not_share(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A fingerprint is a number standing for the whole description below it: pairs whose
    first block differs in its flag get different numbers, alike pairs the same."""
    with torch.device("meta"):
        pairs = [Pair(4, flag) for flag in (False, True, False, True)]
        model = nn.Sequential(nn.Conv2d(3, 4, 1), *pairs)
    found = walk_module.fingerprints(model)
    keys = [found[id(pair)] for pair in pairs]
    assert keys[0] == keys[2] and keys[1] == keys[3] and keys[0] != keys[1]
    assert found[id(pairs[0].second)] == found[id(pairs[1].second)]
    assert found[id(pairs[0].first)] != found[id(pairs[1].first)]
    assert_same(model, monkeypatch)


class _FrozenNorms(nn.Module):
    """A model whose ``train`` keeps its norm in eval mode (a class's own ``train``)."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)
        self.bn = nn.BatchNorm2d(4)
        self.calls: list[bool] = []

    def train(self, mode: bool = True) -> _FrozenNorms:
        self.calls.append(mode)
        super().train(mode)
        self.bn.eval()
        return self

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.bn(self.conv(x))


def test_a_class_with_its_own_train_is_put_in_mode_by_it() -> None:
    """Modules are put in eval/train mode by writing their flag directly only when no
    class in the tree has its own ``train``; this one's runs, and modes come back."""
    with torch.device("meta"):
        model = _FrozenNorms()
    model.eval()
    model.calls.clear()
    trace_model(model, [(3, 8, 8)], name="frozen", train=True)
    assert model.calls == [True]
    assert not model.training and not model.bn.training  # restored as they were before
