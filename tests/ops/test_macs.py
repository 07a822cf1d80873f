"""MAC rules on plain shapes, against counts written out by hand (no torch)."""

from __future__ import annotations

import pytest

from netviz.ops import macs as op_macs


def test_conv_counts_every_output_element_times_its_receptive_field() -> None:
    attrs = {"kernel_size": (3, 3), "in_channels": 16, "out_channels": 32, "groups": 1}
    assert op_macs("Conv2d", attrs, [(1, 16, 8, 8)], (1, 32, 8, 8)) == 32 * 8 * 8 * 16 * 9


def test_grouped_and_depthwise_convs_divide_the_input_channels() -> None:
    grouped = {"kernel_size": (3, 3), "in_channels": 64, "out_channels": 64, "groups": 4}
    assert op_macs("Conv2d", grouped, [(1, 64, 7, 7)], (1, 64, 7, 7)) == 64 * 49 * 16 * 9
    depthwise = {"kernel_size": (7, 7), "in_channels": 96, "out_channels": 96, "groups": 96}
    assert op_macs("Conv2d", depthwise, [(1, 96, 14, 14)], (1, 96, 14, 14)) == 96 * 196 * 49


def test_transposed_conv_counts_every_input_element() -> None:
    attrs = {"kernel_size": (2, 2), "in_channels": 8, "out_channels": 4, "groups": 1,
             "transposed": True}
    assert op_macs("ConvTranspose2d", attrs, [(1, 8, 5, 5)], (1, 4, 10, 10)) == 8 * 25 * 4 * 4


def test_functional_conv_takes_the_kernel_from_the_weight_shape() -> None:
    attrs = {"weight_shape": (6, 3, 5, 5), "in_channels": 3, "groups": 1}
    assert op_macs("conv2d", attrs, [(1, 3, 9, 9), (6, 3, 5, 5)], (1, 6, 5, 5)) == 6 * 25 * 3 * 25


def test_linear_on_tokens_counts_every_token() -> None:
    attrs = {"in_features": 768, "out_features": 3072}
    assert op_macs("Linear", attrs, [(1, 197, 768)], (1, 197, 3072)) == 197 * 3072 * 768
    assert op_macs("Linear", {"in_features": 128}, [(1, 128)], (1, 10)) == 1280


def test_matrix_products_count_the_contracted_size() -> None:
    # q @ k^T for 12 heads of 197 tokens of 64: (1, 12, 197, 64) @ (1, 12, 64, 197)
    assert op_macs("matmul", {}, [(1, 12, 197, 64), (1, 12, 64, 197)], (1, 12, 197, 197)) == (
        12 * 197 * 197 * 64)
    assert op_macs("bmm", {}, [(4, 3, 5), (4, 5, 2)], (4, 3, 2)) == 4 * 3 * 2 * 5
    assert op_macs("addmm", {}, [(7,), (3, 5), (5, 7)], (3, 7)) == 3 * 7 * 5
    assert op_macs("matmul", {}, [(5,), (5,)], ()) == 5
    # addbmm sums the products of every batch into one matrix: b x n x m x p
    assert op_macs("addbmm", {}, [(3, 7), (4, 3, 5), (4, 5, 7)], (3, 7)) == 4 * 3 * 5 * 7


def test_einsum_multiplies_the_sizes_of_its_indices() -> None:
    attrs = {"equation": "bhqd,bhkd->bhqk"}
    assert op_macs("einsum", attrs, [(1, 4, 10, 8), (1, 4, 12, 8)], (1, 4, 10, 12)) == (
        4 * 10 * 12 * 8)


def test_scaled_dot_product_attention_counts_both_products() -> None:
    q, k, v = (1, 8, 50, 32), (1, 8, 60, 32), (1, 8, 60, 16)
    assert op_macs("scaled_dot_product_attention", {}, [q, k, v], (1, 8, 50, 16)) == (
        8 * 50 * 60 * (32 + 16))


@pytest.mark.parametrize("batch_first", [True, False])
def test_multihead_attention_adds_its_projections(batch_first: bool) -> None:
    e, n = 64, 10
    shape = (1, n, e) if batch_first else (n, 1, e)
    attrs = {"embed_dim": e, "num_heads": 4, "batch_first": batch_first}
    projections = 4 * n * e * e  # q, k, v and output
    attention = 2 * n * n * e  # QK^T and A·V over all heads
    assert op_macs("MultiheadAttention", attrs, [shape, shape, shape], shape) == (
        projections + attention)


def test_cross_attention_uses_the_key_length_and_dims() -> None:
    attrs = {"embed_dim": 32, "num_heads": 2, "batch_first": True, "kdim": 16, "vdim": 8}
    q, k, v = (1, 5, 32), (1, 7, 16), (1, 7, 8)
    expected = 5 * 32 * 32 + 7 * 16 * 32 + 7 * 8 * 32 + 5 * 32 * 32 + 2 * 5 * 7 * 32
    assert op_macs("MultiheadAttention", attrs, [q, k, v], q) == expected


def test_transformer_encoder_counts_attention_and_feed_forward_per_layer() -> None:
    attrs = {"role": "encoder", "num_layers": 3, "d_model": 64, "nhead": 4,
             "dim_feedforward": 256, "batch_first": True}
    t, d, f = 12, 64, 256
    layer = 4 * t * d * d + 2 * t * t * d + 2 * t * d * f
    assert op_macs("TransformerEncoder", attrs, [(1, t, d)], (1, t, d)) == 3 * layer


def test_transformer_decoder_layer_adds_cross_attention_over_the_memory() -> None:
    attrs = {"role": "decoder", "num_layers": 1, "d_model": 32, "nhead": 4,
             "dim_feedforward": 64, "batch_first": False}
    t, s, d, f = 6, 9, 32, 64
    self_attention = 4 * t * d * d + 2 * t * t * d
    cross = 2 * t * d * d + 2 * s * d * d + 2 * t * s * d
    expected = self_attention + cross + 2 * t * d * f
    assert op_macs("TransformerDecoderLayer", attrs, [(t, 1, d), (s, 1, d)], (t, 1, d)) == expected


def test_lstm_counts_four_gates_per_step_layer_and_direction() -> None:
    attrs = {"mode": "LSTM", "input_size": 32, "hidden_size": 48, "num_layers": 2,
             "bidirectional": True, "batch_first": True, "proj_size": 0}
    steps, h = 12, 48
    first = 2 * steps * 4 * h * (32 + h)
    second = 2 * steps * 4 * h * (2 * h + h)
    assert op_macs("LSTM", attrs, [(1, steps, 32)], None) == first + second


def test_gru_and_sequence_first_inputs() -> None:
    attrs = {"mode": "GRU", "input_size": 10, "hidden_size": 20, "num_layers": 1,
             "bidirectional": False, "batch_first": False, "proj_size": 0}
    assert op_macs("GRU", attrs, [(7, 1, 10)], None) == 7 * 3 * 20 * (10 + 20)
    cell = {"mode": "LSTM", "hidden_size": 20}
    assert op_macs("LSTMCell", cell, [(1, 10)], (1, 20)) == 4 * 20 * (10 + 20)


@pytest.mark.parametrize("name", ["BatchNorm2d", "LayerNorm", "ReLU", "GELU", "softmax", "add",
                                  "mul", "AvgPool2d", "Embedding", "view", "cat", "Dropout"])
def test_norms_activations_elementwise_pooling_and_lookups_are_free(name: str) -> None:
    assert op_macs(name, {}, [(1, 8, 4, 4), (1, 8, 4, 4)], (1, 8, 4, 4)) == 0


@pytest.mark.parametrize(
    ("a", "b", "out", "expected"),
    [
        ((64, 32), (4, 32, 48), (64, 48), 64 * 32 * 48),  # rows of A grouped (MoE experts)
        ((4, 16, 32), (4, 32, 48), (4, 16, 48), 4 * 16 * 32 * 48),  # a batch of groups
        ((16, 128), (128, 48), (4, 16, 48), 16 * 128 * 48),  # K split into groups
        ((4, 16, 32), (32, 192), (16, 192), 16 * 32 * 192),  # columns of B grouped
    ],
)
def test_grouped_matrix_products_send_every_row_through_its_group(a, b, out, expected) -> None:  # type: ignore[no-untyped-def]
    assert op_macs("_grouped_mm", {}, [a, b, (4,)], out) == expected
