"""Closed-form output shapes of attention and transformer layers equal torch's own."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from netviz.tracing.layers import layer_outputs
from tests.tracing.outputs import shapes


@pytest.mark.parametrize("batch_first", [True, False])
@pytest.mark.parametrize("need_weights", [True, False])
@pytest.mark.parametrize("average", [True, False])
def test_multihead_attention(batch_first: bool, need_weights: bool, average: bool) -> None:
    layer = nn.MultiheadAttention(16, 4, batch_first=batch_first).eval()
    q = torch.zeros((2, 5, 16) if batch_first else (5, 2, 16))
    kv = torch.zeros((2, 7, 16) if batch_first else (7, 2, 16))
    kwargs = {"need_weights": need_weights, "average_attn_weights": average}
    with torch.no_grad():
        expected = shapes(layer(q, kv, kv, **kwargs))
    assert layer_outputs(layer, (q, kv, kv), kwargs) == expected


def test_unbatched_multihead_attention() -> None:
    layer = nn.MultiheadAttention(8, 2).eval()
    x = torch.zeros(6, 8)
    with torch.no_grad():
        assert layer_outputs(layer, (x, x, x), {}) == shapes(layer(x, x, x))


@pytest.mark.parametrize("layer", [
    nn.TransformerEncoderLayer(16, 4, 32, batch_first=True),
    nn.TransformerEncoder(nn.TransformerEncoderLayer(16, 4, 32), 2, enable_nested_tensor=False),
])
def test_transformer_layers_keep_their_input_shape(layer: nn.Module) -> None:
    x = torch.zeros(3, 5, 16)
    with torch.no_grad():
        assert layer_outputs(layer.eval(), (x,), {}) == tuple(layer(x).shape)


def test_modules_the_table_does_not_know_are_left_to_torch() -> None:
    assert layer_outputs(nn.Softmax2d(), (torch.zeros(1, 2, 3, 3),), {}) is None
