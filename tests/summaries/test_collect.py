"""torchinfo -> SummaryTable: counts, order, shared weights, odd module layouts, errors."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from netviz.errors import InputShapeError, ModelForwardError
from netviz.summaries.collect import collect


class Tied(nn.Module):
    """``b`` shares ``a``'s weight; ``c`` is called twice."""

    def __init__(self) -> None:
        super().__init__()
        self.a = nn.Linear(4, 4)
        self.b = nn.Linear(4, 4)
        self.b.weight = self.a.weight
        self.c = nn.Linear(4, 4)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.c(self.c(self.b(self.a(x))))


class Listed(nn.Module):
    """Blocks in a ModuleList (never called itself), an unused layer, a root parameter."""

    def __init__(self) -> None:
        super().__init__()
        self.scale = nn.Parameter(torch.ones(1))
        self.blocks = nn.ModuleList([nn.Conv2d(2, 2, 3, padding=1) for _ in range(2)])
        self.unused = nn.Sequential(nn.Linear(3, 3))
        self.frozen = nn.BatchNorm2d(2)
        self.frozen.requires_grad_(False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for block in self.blocks:
            x = block(x)
        return self.frozen(x) * self.scale


def test_shared_weights_count_once_where_torchinfo_counts_twice() -> None:
    import torchinfo

    model = Tied()
    assert torchinfo.summary(model, input_size=(1, 4), verbose=0).total_params == 60
    table = collect(model, [(4,)])
    assert table.total_params == 44 == sum(p.numel() for p in model.parameters())
    by_path = [(r.path, r.params, r.recursive) for r in table.rows]
    assert by_path == [("", 0, False), ("a", 20, False), ("b", 4, False), ("c", 20, False),
                       ("c", 0, True)]
    calls_of_c = [r for r in table.rows if r.path == "c"]
    assert [r.mult_adds for r in calls_of_c] == [16, 16]  # 4 x 4 every call; bias adds are not MACs


def test_module_list_parents_unused_layers_and_frozen_params_are_listed() -> None:
    model = Listed()
    table = collect(model, [(2, 5, 5)])
    paths = [(r.path, r.executed) for r in table.rows]
    assert paths == [
        ("", True),
        ("blocks", False),  # inserted before its first child, like torchinfo
        ("blocks.0", True),
        ("blocks.1", True),
        ("frozen", True),
        ("unused", False),  # never ran, but its parameters need a row
        ("unused.0", False),
    ]
    assert table.total_params == sum(p.numel() for p in model.parameters()) == 1 + 2 * 38 + 12 + 4
    assert table.trainable_params == table.total_params - 4
    assert table.rows[0].params == 1  # the root's own parameter
    assert [r.depth for r in table.rows] == [0, 1, 2, 2, 1, 1, 2]
    assert table.rows[2].kernel == (3, 3)
    assert table.rows[2].output_shape == (2, 5, 5)


def test_finish_order_is_post_order() -> None:
    model = nn.Sequential(nn.Sequential(nn.Linear(2, 3), nn.ReLU()), nn.Linear(3, 1))
    table = collect(model, [(2,)])
    by_finish = sorted(table.rows, key=lambda r: r.finish)
    assert [r.path for r in by_finish] == ["0.0", "0.1", "0", "1", ""]
    assert [r.container for r in table.rows] == [True, True, False, False, False]


def test_meta_model_runs_on_meta_and_keeps_its_weights_where_they_are() -> None:
    with torch.device("meta"):
        meta = nn.Sequential(nn.Conv2d(3, 8, 3, stride=2), nn.BatchNorm2d(8))
    cpu = nn.Sequential(nn.Conv2d(3, 8, 3, stride=2), nn.BatchNorm2d(8))
    before = cpu[0].weight.detach().clone()
    a, b = collect(meta, [(3, 9, 9)]), collect(cpu, [(3, 9, 9)])
    assert a == b
    assert a.rows[1].output_shape == (8, 4, 4)
    assert a.mult_adds == 8 * 3 * 9 * 16  # 3x3 conv, 3 -> 8 channels, 4x4 outputs; BN: none
    assert cpu[0].weight.device.type == "cpu" and torch.equal(cpu[0].weight, before)
    assert meta[0].weight.is_meta


def test_pooling_kernel_is_spread_over_spatial_dims() -> None:
    assert collect(nn.MaxPool2d(3), [(1, 9, 9)]).rows[0].kernel == (3, 3)
    assert collect(nn.AvgPool1d(2), [(1, 8)]).rows[0].kernel == (2,)
    assert collect(nn.ReLU(), [(1, 8)]).rows[0].kernel is None


def test_sizes() -> None:
    table = collect(nn.Linear(10, 5), [(10,)])
    assert table.input_bytes == 40
    assert table.param_bytes == 55 * 4
    assert table.forward_backward_bytes == 2 * 5 * 4
    assert table.total_bytes == 40 + 220 + 40


def test_rejected_input_shape_is_one_clear_error() -> None:
    model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.Flatten(), nn.Linear(4 * 6 * 6, 2))
    with pytest.raises(InputShapeError, match=r"^Sequential rejects input shape 3x9x9: "):
        collect(model, [(3, 9, 9)])
    with pytest.raises(ModelForwardError, match="the forward pass of mine failed"):
        collect(model, [(3, 9, 9)], name="mine", shapes_given=False)


def test_hooks_are_removed_after_a_failure() -> None:
    model = nn.Sequential(nn.Linear(2, 2))
    with pytest.raises(InputShapeError):
        collect(model, [(3,)])
    assert not model[0]._forward_hooks and not model[0]._forward_pre_hooks
    assert collect(model, [(2,)]).total_params == 6


@pytest.mark.parametrize(
    ("name", "total"),
    [
        ("wrn28_2", 1_467_610),
        ("wrn28_10", 36_479_194),
        ("resnet18", 11_689_512),
        ("resnet50", 25_557_032),
        ("resnet152", 60_192_808),
        ("mdnc_bottleneck2d_ex1", 3_792),
        ("mdnc_bottleneck2d_ex2", 11_584),
    ],
)
def test_registered_model_totals(table_of, name: str, total: int) -> None:
    table = table_of(name)
    assert table.total_params == total == table.trainable_params
    assert sum(r.params for r in table.rows) == total
    assert table.mult_adds == sum(r.mult_adds for r in table.rows) > 0


def _resnet_macs(blocks: tuple[int, ...], bottleneck: bool, classes: int = 1000) -> int:
    """ResNet MACs at 224x224 written out layer by layer (seed 002's structure, torchvision v1.5)."""
    def conv(size: int, cin: int, cout: int, k: int) -> int:
        return size * size * cout * cin * k * k

    total = conv(112, 3, 64, 7)  # stem: 7x7/2 to 112x112, then max pool to 56x56
    size, cin = 56, 64
    for stage, count in enumerate(blocks):
        mid = 64 * 2**stage
        out = mid * (4 if bottleneck else 1)
        for index in range(count):
            stride = 2 if stage and index == 0 else 1
            after = size // stride
            if bottleneck:
                total += conv(size, cin, mid, 1) + conv(after, mid, mid, 3) + conv(after, mid, out, 1)
            else:
                total += conv(after, cin, mid, 3) + conv(after, mid, mid, 3)
            if stride != 1 or cin != out:
                total += conv(after, cin, out, 1)  # the projection shortcut
            size, cin = after, out
    return total + cin * classes  # the classifier (biases are not MACs)


@pytest.mark.parametrize(("name", "blocks", "bottleneck", "published"), [
    ("resnet18", (2, 2, 2, 2), False, 1.81),
    ("resnet50", (3, 4, 6, 3), True, 4.09),
    ("resnet152", (3, 8, 36, 3), True, 11.51),
])
def test_resnet_mult_adds_are_the_analytic_and_published_counts(
    table_of, name: str, blocks: tuple[int, ...], bottleneck: bool, published: float
) -> None:
    # torchvision's model table lists 1.81 / 4.09 / 11.51 "GFLOPS" (multiply-adds).
    macs = table_of(name).mult_adds
    assert macs == _resnet_macs(blocks, bottleneck)
    assert round(macs / 1e9, 2) == published


def test_wrn28_2_mult_adds_are_the_analytic_count(table_of) -> None:
    def conv(size: int, cin: int, cout: int, k: int) -> int:
        return size * size * cout * cin * k * k

    total, cin = conv(32, 3, 16, 3), 16
    for group, width in enumerate((32, 64, 128)):
        size = 32 >> group
        total += conv(size, cin, width, 3) + conv(size, width, width, 3) + conv(size, cin, width, 1)
        total += 3 * 2 * conv(size, width, width, 3)
        cin = width
    assert table_of("wrn28_2").mult_adds == total + 128 * 10


def test_collect_model_runs_a_model_that_meta_cannot_run(tmp_path) -> None:
    source = tmp_path / "cpuonly.py"
    source.write_text(
        "import torch\n"
        "from torch import nn\n"
        "class Net(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.fc = nn.Linear(4, 2)\n"
        "    def forward(self, x):\n"
        "        return self.fc(x) + torch.ones(2)  # a CPU tensor: fails on meta\n"
    )
    from netviz.summaries.collect import collect_model

    table = collect_model(f"{source}:Net", [(4,)])
    assert table.total_params == 10
    assert table.rows[1].output_shape == (2,)


def test_large_inputs_run_on_meta_with_the_same_result(table_of, monkeypatch, tmp_path) -> None:
    import netviz.summaries.collect as collect_module

    monkeypatch.setattr(collect_module, "META_ABOVE", 0)
    ran_on: list[str] = []
    real = collect_module.collect

    def spy(module, *args, **kwargs):
        ran_on.append(collect_module._device(module).type)
        return real(module, *args, **kwargs)

    monkeypatch.setattr(collect_module, "collect", spy)
    assert collect_module.collect_model("wrn28_2") == table_of("wrn28_2")
    assert ran_on == ["meta"]

    source = tmp_path / "cpuonly2.py"
    source.write_text(
        "import torch\n"
        "from torch import nn\n"
        "class Net(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.fc = nn.Linear(4, 2)\n"
        "    def forward(self, x):\n"
        "        y = self.fc(x)\n"
        "        return y if y.sum() > -1e9 else -y  # a value computed from a weight\n"
    )
    ran_on.clear()
    assert collect_module.collect_model(f"{source}:Net", [(4,)]).total_params == 10
    assert ran_on == ["meta", "cpu"]


def test_collect_keeps_no_reference_to_the_model() -> None:
    """torchinfo caches each class's last summary list (holding its modules); netviz empties it."""
    import gc
    import weakref

    model = Tied()
    collect(model, [(4,)])
    alive = weakref.ref(model)
    del model
    gc.collect()
    assert alive() is None


def test_modules_that_never_ran_sit_under_their_parent_and_no_path_is_listed_twice() -> None:
    class Encoder(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.attn = nn.MultiheadAttention(8, 2, batch_first=True)  # out_proj: read, not called
            self.head = nn.Linear(8, 3)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.head(self.attn(x, x, x, need_weights=False)[0])

    model = Encoder()
    table = collect(model, [(5, 8)])
    paths = [r.path for r in table.rows]
    assert paths == ["", "attn", "attn.out_proj", "head"]
    assert len(paths) == len(set(paths))
    assert table.total_params == sum(p.numel() for p in model.parameters())


def test_a_layer_traced_as_one_op_gives_its_inner_layers_their_macs() -> None:
    """nn.TransformerEncoder is one op to torch.fx; its rows still show where MACs are spent."""
    tokens, width, ff = 6, 16, 24
    encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(width, 2, ff, batch_first=True),
                                    2, enable_nested_tensor=False)
    table = collect(nn.Sequential(encoder), [(tokens, width)])
    by_path = {r.path: r.mult_adds for r in table.rows}
    attention = 4 * tokens * width * width + 2 * tokens * tokens * width
    for layer in ("0.layers.0", "0.layers.1"):
        assert by_path[f"{layer}.self_attn"] == attention
        assert by_path[f"{layer}.linear1"] == by_path[f"{layer}.linear2"] == tokens * width * ff
    assert by_path["0"] == 0  # all of it spread to the layers inside
    assert table.mult_adds == 2 * (attention + 2 * tokens * width * ff)


def _widths_by_module(module: nn.Module) -> dict[str, int]:
    """The width each layer's output has, from the layer's own attributes."""
    widths = {}
    for path, layer in module.named_modules():
        if isinstance(layer, nn.Linear):
            widths[path] = layer.out_features
        elif isinstance(layer, nn.modules.conv._ConvNd):
            widths[path] = layer.out_channels
        elif isinstance(layer, nn.LayerNorm):
            widths[path] = layer.normalized_shape[-1]
        elif isinstance(layer, nn.modules.batchnorm._BatchNorm):
            widths[path] = layer.num_features
        elif isinstance(layer, nn.Embedding):
            widths[path] = layer.embedding_dim
        elif isinstance(layer, nn.LSTM):
            widths[path] = layer.hidden_size * (2 if layer.bidirectional else 1)
    return widths


@pytest.mark.parametrize("name", ["vit_mini", "swin_mini", "convnext_mini", "wrn28_2", "lstm_tagger_mini"])
def test_each_rows_feature_axis_points_at_the_width_its_layer_makes(name: str) -> None:
    """Tokens ``(N, D)``, channels-last and NCHW tensors alike: ``output_shape[feature_axis]``
    is the layer's ``out_features`` / ``out_channels`` / normalized width."""
    from netviz.registry import load_model

    loaded = load_model(name)
    table = collect(loaded.module, loaded.input_shapes, name=name, input_dtypes=loaded.input_dtypes)
    expected = _widths_by_module(loaded.module)
    checked = 0
    for row in table.rows:
        if row.path in expected and row.executed and row.output_shape:
            assert row.feature_axis is not None, row.path
            assert row.output_shape[row.feature_axis] == expected[row.path], row.path
            checked += 1
    assert checked >= 3


def test_the_shapes_chart_plots_a_transformers_width_not_its_token_count(table_of) -> None:
    from netviz.summaries.plot import _shape_points

    table = table_of("vit_mini")
    norms = [row.output_shape for row in table.rows if row.type == "LayerNorm"]
    tokens, model_width = {s[0] for s in norms}, {s[-1] for s in norms}
    widths = {width for width, _ in _shape_points(table)}
    assert tokens and not tokens & widths  # 17 tokens of width 48: the chart says 48
    assert model_width <= widths
