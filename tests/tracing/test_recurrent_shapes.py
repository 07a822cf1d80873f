"""Closed-form outputs of recurrent layers equal torch's own (a meta run of ``nn.LSTM``
steps through torch's decompositions one time step at a time: seconds per layer)."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from netviz.ops import LayerShapeError
from netviz.tracing.layers import layer_outputs
from tests.tracing.outputs import shapes


@pytest.mark.parametrize("kind", [nn.RNN, nn.LSTM, nn.GRU])
@pytest.mark.parametrize("batch_first", [True, False])
@pytest.mark.parametrize("bidirectional", [True, False])
@pytest.mark.parametrize("input_shape", [(3, 5, 8), (5, 8)])
def test_recurrent_layers(kind: type[nn.Module], batch_first: bool, bidirectional: bool,
                          input_shape: tuple[int, ...]) -> None:
    layer = kind(8, 6, num_layers=2, batch_first=batch_first, bidirectional=bidirectional)
    x = torch.zeros(input_shape)
    with torch.no_grad():
        expected = shapes(layer(x))
    assert layer_outputs(layer, (x,), {}) == expected


# torch's own reference run warns that oneDNN lacks projections (its fallback is exact)
@pytest.mark.filterwarnings("ignore:LSTM with projections is not supported with oneDNN")
def test_projected_lstm() -> None:
    layer = nn.LSTM(8, 6, num_layers=3, proj_size=4, bidirectional=True, batch_first=True)
    x = torch.zeros(2, 7, 8)
    with torch.no_grad():
        expected = shapes(layer(x))
    assert layer_outputs(layer, (x,), {}) == expected


def test_a_given_state_is_left_to_torch() -> None:
    layer = nn.GRU(8, 6)
    assert layer_outputs(layer, (torch.zeros(5, 1, 8), torch.zeros(1, 1, 6)), {}) is None


@pytest.mark.parametrize("shape", [(5, 1, 7), (2, 5, 1, 8)])
def test_inputs_that_do_not_fit_are_refused_like_torch(shape: tuple[int, ...]) -> None:
    layer = nn.LSTM(8, 6)
    with pytest.raises((RuntimeError, ValueError)):
        layer(torch.zeros(shape))
    with pytest.raises(LayerShapeError):
        layer_outputs(layer, (torch.zeros(shape, device="meta"),), {})
