"""Bad inputs and broken models give one clear line, never a traceback."""

from __future__ import annotations

import warnings

import pytest
import torch
from torch import nn

from netviz.errors import InputShapeError, ModelForwardError, TraceError
from netviz.tracing import trace_model
from tests.tracing import zoo


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1)
        self.avgpool = nn.AvgPool2d(8, stride=1)
        self.fc = nn.Linear(8, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.avgpool(self.conv1(x)).flatten(1))


def one_line(exc: pytest.ExceptionInfo[BaseException]) -> str:
    message = str(exc.value)
    assert "\n" not in message and message
    return message


@pytest.mark.parametrize("device", ["cpu", "meta"])
def test_wrong_channels(device: str) -> None:
    with torch.device(device):
        model = Net()
    with pytest.raises(InputShapeError) as exc:
        trace_model(model, [(1, 8, 8)], name="net")
    assert one_line(exc) == (
        "layer 'conv1' (Conv2d) expects 3 input channels, got 1 (input shape 1x8x8)"
    )


def test_too_small_input() -> None:
    with torch.device("meta"):
        model = Net()
    with pytest.raises(InputShapeError) as exc:
        trace_model(model, [(3, 4, 4)], name="net")
    assert one_line(exc).startswith(
        "input shape 3x4x4 is too small for layer 'avgpool' (AvgPool2d 8x8): "
    )


def test_wrong_linear_features() -> None:
    with torch.device("meta"):
        model = Net()
    with pytest.raises(InputShapeError) as exc:
        trace_model(model, [(3, 9, 9)], name="net")  # pool gives 2x2 → 32 features
    assert one_line(exc) == (
        "layer 'fc' (Linear) expects 8 input features, got 32 (input shape 3x9x9)"
    )


def test_shape_error_from_a_real_op_is_an_input_shape_error() -> None:
    class Mismatch(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv = nn.Conv2d(3, 3, 3, stride=2, padding=1)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.conv(x) + x

    with pytest.raises(InputShapeError) as exc:
        trace_model(Mismatch(), [(3, 8, 8)], name="m")
    assert one_line(exc).startswith("input shape 3x8x8 does not fit the model at 'add' (add): ")
    assert "must match" in str(exc.value)


@pytest.mark.parametrize(
    "shapes",
    [[], [(3, 0, 8)], [(3, -1, 8)], [(3, 2.5, 8)], [(3, 8, 8), (3, 8, 8)]],
)
def test_malformed_or_surplus_shapes(shapes: list[tuple]) -> None:
    with pytest.raises(InputShapeError) as exc:
        trace_model(Net(), shapes, name="net")
    one_line(exc)


def test_missing_input_shape_names_the_inputs() -> None:
    with pytest.raises(InputShapeError) as exc:
        trace_model(zoo.TwoInTwoOut(), [(3, 8, 8)], name="two")
    assert "img, vec" in one_line(exc)


def test_forward_that_raises() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no fallback warning when the fallback fails too
        with pytest.raises(ModelForwardError) as exc:
            trace_model(zoo.Raises(), [(3, 4, 4)], name="raises")
    assert one_line(exc) == (
        "model forward raised at 'forward' (Raises): "
        "ValueError: this model is broken on purpose"
    )


def test_op_raising_a_non_shape_error() -> None:
    with pytest.raises(ModelForwardError) as exc:
        trace_model(zoo.BadDropout(), [(3,)], name="bad")
    assert one_line(exc).startswith("model forward raised at 'dropout' (dropout): ValueError: ")


def test_invalid_layer_settings_blame_the_model_not_the_input() -> None:
    model = nn.Sequential(nn.MaxPool2d(2, padding=2))
    with pytest.raises(ModelForwardError) as exc:
        trace_model(model, [(1, 8, 8)], name="pool")
    assert "'0' (MaxPool2d)" in one_line(exc)


def test_nothing_traceable() -> None:
    with pytest.raises(TraceError) as exc:
        trace_model(zoo.NothingRuns(), [(3,)], name="empty")
    assert one_line(exc).startswith("torch.fx could not trace empty (")


class PassThrough(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x


@pytest.mark.parametrize("model", [nn.Sequential(), PassThrough()])
def test_model_without_ops(model: nn.Module) -> None:
    with pytest.raises(TraceError) as exc:
        trace_model(model, [(3, 4, 4)], name="empty")
    assert one_line(exc) == (
        "empty has no layers or ops: its forward only passes its inputs through, "
        "so there is nothing to draw"
    )
