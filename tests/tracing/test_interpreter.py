"""``PlainInterpreter.run`` is ``torch.fx.Interpreter.run`` without its progress bar.

The same values (outputs, every node's ``Value``, what is left in ``env`` after the
values dropped at their last use) on generated stacked models, the zoo's models, given
initial values and with the graph's input/output processing off; and no ``tqdm`` bar is
made by a trace (fx's own ``run`` makes one: checked too, so that the test can fail).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest
import torch
import torch.fx
import torch.fx.interpreter
from hypothesis import given
from hypothesis import strategies as st
from torch import nn

from netviz.ir import Shape
from netviz.tracing import trace_model
from netviz.tracing.device import make_inputs, model_device, model_dtype
from netviz.tracing.fx import symbolic_graph
from netviz.tracing.interpreter import PlainInterpreter
from netviz.tracing.propagation import ShapeInterpreter, Value
from tests.tracing import zoo
from tests.tracing.test_stamps_property import SETTINGS, STEP, Stacked

_Run = Callable[..., Any]


def _described(value: Any) -> Any:
    return torch.utils._pytree.tree_map(
        lambda v: (tuple(v.shape), v.dtype, v.device.type) if isinstance(v, torch.Tensor)
        else v, value)


def _slots(value: Value) -> tuple[Any, ...]:
    return tuple(getattr(value, name) for name in Value.__slots__)


def _propagated(model: nn.Module, shapes: Sequence[Shape], run: _Run) -> tuple[Any, ...]:
    graph = symbolic_graph(model, len(shapes))
    device = model_device(model)
    inputs = make_inputs(shapes, device, model_dtype(model), random=False)
    interpreter = ShapeInterpreter(model, graph, shapes, device)
    with torch.no_grad():
        output = run(interpreter, *inputs)
    return (_described(output), {k: _slots(v) for k, v in interpreter.values.items()},
            [node.name for node in interpreter.env])


def _assert_same(model: nn.Module, shapes: Sequence[Shape]) -> None:
    mine = _propagated(model, shapes, PlainInterpreter.run)
    theirs = _propagated(model, shapes, torch.fx.Interpreter.run)
    assert mine == theirs
    assert mine[1]  # values were recorded


@SETTINGS
@given(steps=st.lists(STEP, min_size=1, max_size=5), meta=st.booleans())
def test_plain_run_equals_fx_run_on_stacked_models(steps: list[tuple], meta: bool) -> None:
    with torch.device("meta" if meta else "cpu"):
        model = Stacked(steps)
    _assert_same(model.eval(), [(3, 16, 16)])


@pytest.mark.parametrize(("make", "shapes"), [
    (zoo.TinyResNet, [(3, 16, 16)]),
    (zoo.Functional, [(4, 8, 8)]),
    (zoo.SharedTwice, [(4, 6, 6)]),
    (zoo.TwoInTwoOut, [(3, 6, 6), (5,)]),
    (zoo.DictOut, [(3,)]),
])
def test_plain_run_equals_fx_run_on_zoo_models(make: Callable[[], nn.Module],
                                               shapes: list[Shape]) -> None:
    _assert_same(make().eval(), shapes)


def _env_names(interpreter: torch.fx.Interpreter) -> list[str]:
    return [node.name for node in interpreter.env]


@pytest.mark.parametrize("given_value", [False, True])
@pytest.mark.parametrize("io", [False, True])
def test_initial_env_and_io_processing_as_fx(given_value: bool, io: bool) -> None:
    linears = [nn.Linear(3, 4), nn.Linear(4, 2)]
    with torch.no_grad():
        for layer in linears:
            layer.weight.fill_(1.0)
            layer.bias.fill_(0.5)
    module = torch.fx.symbolic_trace(nn.Sequential(linears[0], nn.ReLU(), linears[1]))
    first = next(n for n in module.graph.nodes if n.op == "call_module")
    x = torch.ones(2, 3)
    results = []
    for make in (PlainInterpreter, torch.fx.Interpreter):
        interpreter = make(module)
        interpreter.extra_traceback = False
        env = {first: torch.full((2, 4), -1.0)} if given_value else None
        out = interpreter.run(x, initial_env=env, enable_io_processing=io)
        results.append((out, _env_names(interpreter)))
    (mine, mine_env), (theirs, theirs_env) = results
    assert torch.equal(mine, theirs)
    assert mine_env == theirs_env
    # the given value was used, not computed: relu(-1) is 0, so the output is the bias
    assert torch.equal(mine, linears[1].bias.expand(2, 2)) == given_value


class _Bars:
    """A stand-in for fx's ``tqdm``, counting the bars made."""

    def __init__(self) -> None:
        self.made = 0

    def __call__(self, *args: Any, **kwargs: Any) -> _Bars:
        self.made += 1
        return self

    def update(self, n: int) -> None:
        """Nothing: a bar that shows nothing."""


def test_a_trace_makes_no_progress_bar(monkeypatch: pytest.MonkeyPatch) -> None:
    bars = _Bars()
    monkeypatch.setattr(torch.fx.interpreter, "tqdm", bars)
    module = torch.fx.symbolic_trace(nn.Sequential(nn.Linear(3, 4)))
    torch.fx.Interpreter(module).run(torch.ones(1, 3))
    assert bars.made == 1  # fx's own run makes its bar through this name
    loud = PlainInterpreter(module)  # fx's longer error messages: fx's own run
    loud.run(torch.ones(1, 3))
    assert bars.made == 2
    with torch.device("meta"):
        model = zoo.TinyResNet()
    graph = trace_model(model, [(3, 16, 16)], name="tiny")
    assert len(graph.nodes) > 5
    assert bars.made == 2
