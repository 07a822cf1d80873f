"""Feature-axis rules on plain shapes (no torch): which dimension is the width."""

from __future__ import annotations

from netviz.ir import Kind
from netviz.ops import lookup
from netviz.ops.axes import carried_axis, container_axis, feature_axis, read_axis


def test_convs_norms_and_pools_work_on_channels() -> None:
    assert feature_axis(lookup("Conv2d"), {}, [((1, 3, 8, 8), None)], (1, 16, 8, 8)) == 1
    assert feature_axis(lookup("BatchNorm2d"), {}, [((1, 16, 8, 8), 1)], (1, 16, 8, 8)) == 1
    assert feature_axis(lookup("AvgPool2d"), {}, [((1, 16, 8, 8), 1)], (1, 16, 1, 1)) == 1


def test_linear_layer_norm_attention_and_products_work_on_the_last_dimension() -> None:
    tokens = (1, 197, 768)
    for kind, name in [(Kind.LINEAR, "Linear"), (Kind.NORM, "LayerNorm"),
                       (Kind.ATTENTION, "MultiheadAttention"), (Kind.OTHER, "Embedding"),
                       (Kind.OTHER, "matmul"), (Kind.OTHER, "LSTM")]:
        assert feature_axis(lookup(name), {}, [(tokens, None)], tokens) == 2


def test_layer_norm_over_channels_last_images_is_the_channel_axis() -> None:
    nhwc = (1, 56, 56, 96)
    assert feature_axis(lookup("LayerNorm"), {}, [(nhwc, 3)], nhwc) == 3


def test_elementwise_ops_keep_their_input_axis_across_broadcasting() -> None:
    x = (1, 197, 768)
    assert feature_axis(lookup("add"), {}, [(x, 2), ((1, 197, 768), None)], x) == 2
    assert feature_axis(lookup("GELU"), {}, [(x, 2)], x) == 2
    assert feature_axis(lookup("mul"), {}, [((1, 96, 1, 1), None), ((1, 96, 7, 7), 1)],
                        (1, 96, 7, 7)) == 1


def test_permute_and_transpose_move_the_axis() -> None:
    nchw = (1, 96, 56, 56)
    assert feature_axis(lookup("permute"), {"dims": (0, 2, 3, 1)}, [(nchw, 1)],
                        (1, 56, 56, 96)) == 3
    assert feature_axis(lookup("permute"), {"dims": (0, 3, 1, 2)}, [((1, 56, 56, 96), 3)],
                        nchw) == 1
    assert feature_axis(lookup("transpose"), {"dims": (1, 2)}, [((1, 768, 196), 1)],
                        (1, 196, 768)) == 2
    assert feature_axis(lookup("transpose"), {"dims": (-2, -1)}, [((1, 768, 196), 1)],
                        (1, 196, 768)) == 2


def test_shape_changes_keep_the_axis_only_when_its_side_is_unchanged() -> None:
    # flatten(2) of NCHW keeps channels; a class-token pick (x[:, 0]) keeps the width
    assert carried_axis(1, (1, 768, 14, 14), (1, 768, 196)) == 1
    assert carried_axis(2, (1, 197, 768), (1, 768)) == 1
    # window partition keeps the last (channel) dimension
    assert carried_axis(3, (1, 56, 56, 96), (64, 7, 7, 96)) == 3
    # a head split changes the last dimension: the width is unknown from here
    assert carried_axis(2, (1, 197, 768), (1, 197, 12, 64)) is None


def test_concatenation_keeps_the_axis_and_stacking_shifts_it() -> None:
    assert feature_axis(lookup("cat"), {"dim": 1}, [((1, 1, 64), 2), ((1, 64, 64), 2)],
                        (1, 65, 64)) == 2
    assert feature_axis(lookup("stack"), {"dim": 0}, [((1, 8), 1), ((1, 8), 1)], (2, 1, 8)) == 2


def test_unknown_inputs_and_scalars_have_no_axis() -> None:
    assert feature_axis(lookup("roll"), {}, [((1, 8, 8), None)], (1, 8, 8)) is None
    assert feature_axis(lookup("Linear"), {}, [((4,), None)], (2,)) is None


def test_elements_of_returned_tuples_take_the_ops_axis() -> None:
    assert container_axis(lookup("LSTM")) == -1
    assert container_axis(lookup("MultiheadAttention")) == -1
    assert container_axis(lookup("unbind")) is None
    # getitem of an LSTM's (output, (h, c)): the output's last dimension
    assert feature_axis(lookup("getitem"), {}, [((), -1)], (1, 12, 96)) == 2


def test_ops_that_read_an_input_on_an_axis_say_which() -> None:
    assert read_axis(lookup("Conv2d"), 4) == 1
    assert read_axis(lookup("BatchNorm1d"), 3) == 1
    assert read_axis(lookup("LayerNorm"), 3) == 2  # tokens (B, N, D), or NHWC (rank 4: 3)
    assert read_axis(lookup("Linear"), 4) == 3
    assert read_axis(lookup("MultiheadAttention"), 3) == 2
    assert read_axis(lookup("LSTM"), 3) == 2
    for kind, name in [(Kind.OTHER, "Embedding"), (Kind.OTHER, "matmul"), (Kind.ADD, "add"),
                       (Kind.ACT, "ReLU"), (Kind.RESHAPE, "permute")]:
        assert read_axis(lookup(name), 3) is None, name  # ids, two axes, or whatever comes in
    assert read_axis(lookup("Linear"), 1) is None
