"""WideResNet: parameter counts, module layout, layer sequence of the seed listing."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import torch
from torch import nn

from netviz_models.wideresnet import (
    BasicBlock,
    WideResNet,
    wrn16_4,
    wrn28_2,
    wrn28_10,
    wrn40_2,
)
from tests.models.conftest import build_meta, param_count, state_dict_listing

BUILDERS: dict[str, Callable[..., WideResNet]] = {
    "wrn16_4": wrn16_4,
    "wrn28_2": wrn28_2,
    "wrn28_10": wrn28_10,
    "wrn40_2": wrn40_2,
}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("wrn28_2", 1_467_610),
        ("wrn28_10", 36_479_194),
        ("wrn16_4", 2_748_890),
        ("wrn40_2", 2_243_546),
    ],
)
def test_parameter_counts(name: str, expected: int) -> None:
    assert param_count(build_meta(BUILDERS[name])) == expected


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_state_dict_golden(name: str, golden: Callable[[str, str], None]) -> None:
    golden(f"models/{name}.state_dict.txt", state_dict_listing(build_meta(BUILDERS[name])))


def test_meta_build_allocates_nothing() -> None:
    model = build_meta(wrn28_10)
    assert all(p.device.type == "meta" for p in model.parameters())


@pytest.mark.parametrize(("depth", "n"), [(10, 1), (16, 2), (28, 4), (40, 6)])
def test_blocks_per_group(depth: int, n: int) -> None:
    model = build_meta(lambda: WideResNet(depth, 1))
    for group in (model.layer1, model.layer2, model.layer3):
        assert isinstance(group, nn.Sequential)
        assert len(group) == n
        assert all(isinstance(b, BasicBlock) for b in group)


@pytest.mark.parametrize("depth", [0, 9, 11, 27, 29, -2, 28.0, "28"])
def test_bad_depth_raises(depth: object) -> None:
    with pytest.raises(ValueError, match=r"6N \+ 4"):
        WideResNet(depth, 2)  # type: ignore[arg-type]


@pytest.mark.parametrize("widen", [0, -1, 1.5])
def test_bad_widen_factor_raises(widen: object) -> None:
    with pytest.raises(ValueError, match="widen_factor"):
        WideResNet(28, widen)  # type: ignore[arg-type]


def test_bad_num_classes_raises() -> None:
    with pytest.raises(ValueError, match="num_classes"):
        WideResNet(16, 1, num_classes=0)


def test_builders_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        wrn28_2(100)  # type: ignore[misc]
    assert build_meta(lambda: wrn28_2(num_classes=100)).fc.out_features == 100


def test_module_names_and_projection_blocks() -> None:
    model = build_meta(wrn28_2)
    top = [name for name, _ in model.named_children()]
    assert top == ["conv1", "layer1", "layer2", "layer3", "bn", "relu", "avgpool", "fc"]
    block = model.layer2[0]
    assert [n for n, _ in block.named_children()] == [
        "bn1", "relu1", "conv1", "bn2", "relu2", "conv2", "shortcut",
    ]
    # projections exactly where channels or stride change: the first block of each group
    for group in (model.layer1, model.layer2, model.layer3):
        assert isinstance(group[0].shortcut, nn.Conv2d)
        assert group[0].shortcut.kernel_size == (1, 1)
        assert all(b.shortcut is None for b in group[1:])
    # widen_factor 1: group 0 keeps 16 channels at stride 1, so no projection there
    narrow = build_meta(lambda: WideResNet(16, 1))
    assert narrow.layer1[0].shortcut is None
    assert narrow.layer2[0].shortcut is not None
    assert isinstance(model.avgpool, nn.AvgPool2d)
    assert (model.avgpool.kernel_size, model.avgpool.stride, model.avgpool.padding) == (8, 1, 0)
    assert all(m.bias is None for m in model.modules() if isinstance(m, nn.Conv2d))


def _layer_line(module: nn.Module) -> str:
    if isinstance(module, nn.Conv2d):
        return (
            f"Conv {module.weight.shape} Stride {module.stride[0]} Pad {module.padding[0]}"
        )
    if isinstance(module, nn.AvgPool2d):
        return f"AvgPool {module.kernel_size} Stride {module.stride} Pad {module.padding}"
    return f"Linear {module.weight.shape}"


def test_call_order_matches_seed_listing(golden: Callable[[str, str], None]) -> None:
    """Convs, pool and linear run in the order of the seed's pseudocode listing."""
    model = wrn28_2().eval()
    lines: list[str] = []
    kinds = (nn.Conv2d, nn.AvgPool2d, nn.Linear)
    handles = [
        m.register_forward_hook(lambda mod, a, o: lines.append(_layer_line(mod)))
        for m in model.modules()
        if isinstance(m, kinds)
    ]
    try:
        with torch.no_grad():
            model(torch.zeros(1, 3, 32, 32))
    finally:
        for h in handles:
            h.remove()
    # the golden file holds the Conv/AvgPool/Linear lines of the reference listing
    golden("models/wrn28_2.layers.txt", "".join(f"{line}\n" for line in lines))


def test_block_uses_preactivation_for_both_branches() -> None:
    """Identity skip adds X = ReLU(BN(input)), not the raw input."""
    block = BasicBlock(4, 4).eval()
    nn.init.zeros_(block.conv2.weight)  # conv branch contributes 0
    with torch.no_grad():
        block.bn1.running_mean.fill_(1.0)
        x = torch.randn(2, 4, 5, 5)
        expected = torch.relu(block.bn1(x))
        torch.testing.assert_close(block(x), expected)


@pytest.mark.parametrize("name", ["wrn16_4", "wrn28_2", "wrn40_2"])
def test_forward_cpu(name: str) -> None:
    model = BUILDERS[name]().eval()
    with torch.no_grad():
        out = model(torch.randn(2, 3, 32, 32))
    assert out.shape == (2, 10)
    assert torch.isfinite(out).all()


def test_forward_meta_wide() -> None:
    model = build_meta(wrn28_10)
    assert model(torch.empty(2, 3, 32, 32, device="meta")).shape == (2, 10)


def test_init_is_standard() -> None:
    model = WideResNet(10, 1)
    bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    assert all(torch.equal(m.weight, torch.ones_like(m.weight)) for m in bns)
    assert all(torch.equal(m.bias, torch.zeros_like(m.bias)) for m in bns)
    assert torch.equal(model.fc.bias, torch.zeros_like(model.fc.bias))
    assert model.conv1.weight.std() > 0
