"""ResNet: torchvision-identical state_dict keys/shapes, parameter counts, forward passes."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import torch
from torch import nn

from netviz_models.resnet import (
    BasicBlock,
    Bottleneck,
    ResNet,
    resnet18,
    resnet34,
    resnet50,
    resnet101,
    resnet152,
)
from tests.models.conftest import ExpectedListing, build_meta, param_count, state_dict_listing

BUILDERS: dict[str, Callable[..., ResNet]] = {
    "resnet18": resnet18,
    "resnet34": resnet34,
    "resnet50": resnet50,
    "resnet101": resnet101,
    "resnet152": resnet152,
}
LAYOUT = {
    "resnet18": ("basic", [2, 2, 2, 2]),
    "resnet34": ("basic", [3, 4, 6, 3]),
    "resnet50": ("bottleneck", [3, 4, 6, 3]),
    "resnet101": ("bottleneck", [3, 4, 23, 3]),
    "resnet152": ("bottleneck", [3, 8, 36, 3]),
}


def torchvision_listing(kind: str, layers: list[int]) -> str:
    """torchvision's ResNet state_dict (key and shape), derived from its naming rules."""
    listing = ExpectedListing()
    conv, bn = listing.conv, listing.bn
    conv("conv1", [64, 3, 7, 7])
    bn("bn1", 64)
    expansion = 1 if kind == "basic" else 4
    inplanes = 64
    for stage, (planes, count) in enumerate(zip((64, 128, 256, 512), layers), start=1):
        for i in range(count):
            p = f"layer{stage}.{i}"
            if kind == "basic":
                conv(f"{p}.conv1", [planes, inplanes, 3, 3])
                bn(f"{p}.bn1", planes)
                conv(f"{p}.conv2", [planes, planes, 3, 3])
                bn(f"{p}.bn2", planes)
            else:
                conv(f"{p}.conv1", [planes, inplanes, 1, 1])
                bn(f"{p}.bn1", planes)
                conv(f"{p}.conv2", [planes, planes, 3, 3])
                bn(f"{p}.bn2", planes)
                conv(f"{p}.conv3", [planes * 4, planes, 1, 1])
                bn(f"{p}.bn3", planes * 4)
            if i == 0 and (stage > 1 or inplanes != planes * expansion):
                conv(f"{p}.downsample.0", [planes * expansion, inplanes, 1, 1])
                bn(f"{p}.downsample.1", planes * expansion)
            inplanes = planes * expansion
    listing.add("fc.weight", [1000, 512 * expansion])
    listing.add("fc.bias", [1000])
    return listing.text()


@pytest.fixture(scope="module")
def meta_models() -> dict[str, ResNet]:
    return {name: build_meta(b) for name, b in BUILDERS.items()}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("resnet18", 11_689_512),
        ("resnet34", 21_797_672),
        ("resnet50", 25_557_032),
        ("resnet101", 44_549_160),
        ("resnet152", 60_192_808),
    ],
)
def test_parameter_counts(meta_models: dict[str, ResNet], name: str, expected: int) -> None:
    assert param_count(meta_models[name]) == expected


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_state_dict_matches_torchvision(
    meta_models: dict[str, ResNet], name: str, golden: Callable[[str, str], None]
) -> None:
    listing = state_dict_listing(meta_models[name])
    assert listing == torchvision_listing(*LAYOUT[name])
    golden(f"models/{name}.state_dict.txt", listing)


@pytest.mark.parametrize(("name", "entries"), [("resnet18", 122), ("resnet50", 320)])
def test_state_dict_sizes(meta_models: dict[str, ResNet], name: str, entries: int) -> None:
    assert len(meta_models[name].state_dict()) == entries


def test_state_dict_round_trip() -> None:
    a = ResNet(Bottleneck, [1, 1, 1, 1], num_classes=10)
    b = ResNet(Bottleneck, [1, 1, 1, 1], num_classes=10)
    b.load_state_dict(a.state_dict(), strict=True)
    x = torch.randn(1, 3, 64, 64)
    a.eval(), b.eval()
    with torch.no_grad():
        torch.testing.assert_close(a(x), b(x))


def test_module_names(meta_models: dict[str, ResNet]) -> None:
    r18, r50 = meta_models["resnet18"], meta_models["resnet50"]
    top = [n for n, _ in r18.named_children()]
    assert top == ["conv1", "bn1", "relu", "maxpool", "layer1", "layer2", "layer3", "layer4",
                   "avgpool", "fc"]
    assert [n for n, _ in r18.layer2[0].named_children()] == [
        "conv1", "bn1", "relu", "conv2", "bn2", "downsample"]
    assert [n for n, _ in r50.layer1[0].named_children()] == [
        "conv1", "bn1", "conv2", "bn2", "conv3", "bn3", "relu", "downsample"]
    assert r18.layer1[0].downsample is None
    assert isinstance(r50.layer1[0].downsample, nn.Sequential)
    assert r50.layer2[0].conv2.stride == (2, 2)  # v1.5: stride on the 3x3
    assert r50.layer2[0].conv1.stride == (1, 1)
    assert BasicBlock.expansion == 1 and Bottleneck.expansion == 4


@pytest.mark.parametrize("name", ["resnet18", "resnet50"])
def test_forward_cpu_small_input(name: str) -> None:
    model = BUILDERS[name]().eval()
    with torch.no_grad():
        out = model(torch.randn(2, 3, 64, 64))
    assert out.shape == (2, 1000)
    assert torch.isfinite(out).all()


def test_forward_meta_full_size(meta_models: dict[str, ResNet]) -> None:
    out = meta_models["resnet152"](torch.empty(1, 3, 224, 224, device="meta"))
    assert out.shape == (1, 1000)


def test_builders_keyword_only_num_classes() -> None:
    with pytest.raises(TypeError):
        resnet18(10)  # type: ignore[misc]
    assert build_meta(lambda: resnet50(num_classes=10)).fc.weight.shape == (10, 2048)


def test_zero_init_residual() -> None:
    model = build_meta(lambda: ResNet(BasicBlock, [1, 1, 1, 1], zero_init_residual=True))
    assert isinstance(model.layer1[0].bn2, nn.BatchNorm2d)
    real = ResNet(Bottleneck, [1, 1, 1, 1], num_classes=10, zero_init_residual=True)
    assert torch.count_nonzero(real.layer1[0].bn3.weight) == 0


@pytest.mark.parametrize("layers", [[2, 2, 2], [2, 2, 0, 2], [2, 2, 2, 2, 2]])
def test_bad_layers(layers: list[int]) -> None:
    with pytest.raises(ValueError, match="four positive"):
        ResNet(BasicBlock, layers)
