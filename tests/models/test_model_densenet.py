"""DenseNet: torchvision's state_dict, dense connectivity, transitions."""

from __future__ import annotations

import pytest
import torch

from netviz_models.densenet import DenseNet, densenet121, densenet_mini
from tests.models.conftest import ExpectedListing, build_meta, state_dict_listing


def torchvision_densenet_listing(growth: int, blocks: list[int], init: int, bn_size: int) -> str:
    """torchvision's DenseNet state_dict (key and shape), from its naming rules."""
    listing = ExpectedListing()
    conv, bn = listing.conv, listing.bn
    conv("features.conv0", [init, 3, 7, 7])
    bn("features.norm0", init)
    channels = init
    for b, layers in enumerate(blocks, start=1):
        for i in range(layers):
            p = f"features.denseblock{b}.denselayer{i + 1}"
            c_in = channels + i * growth
            bn(f"{p}.norm1", c_in)
            conv(f"{p}.conv1", [bn_size * growth, c_in, 1, 1])
            bn(f"{p}.norm2", bn_size * growth)
            conv(f"{p}.conv2", [growth, bn_size * growth, 3, 3])
        channels += layers * growth
        if b < len(blocks):
            bn(f"features.transition{b}.norm", channels)
            conv(f"features.transition{b}.conv", [channels // 2, channels, 1, 1])
            channels //= 2
    bn("features.norm5", channels)
    listing.add("classifier.weight", [1000, channels])
    listing.add("classifier.bias", [1000])
    return listing.text()


def test_state_dict_matches_torchvision_densenet121() -> None:
    listing = state_dict_listing(build_meta(densenet121))
    assert listing == torchvision_densenet_listing(32, [6, 12, 24, 16], 64, 4)


def test_each_dense_layer_reads_the_concat_of_all_earlier_outputs() -> None:
    model = densenet_mini().eval()
    seen: list[int] = []
    for layer in model.features.denseblock2.values():
        layer.conv1.register_forward_hook(lambda m, a, o: seen.append(a[0].shape[1]))
    outputs: dict[str, tuple[int, ...]] = {}

    def record(name: str):  # type: ignore[no-untyped-def]
        def hook(module: torch.nn.Module, args: object, out: torch.Tensor) -> None:
            outputs[name] = tuple(out.shape[1:])
        return hook

    for name in ("denseblock1", "transition1", "denseblock2", "norm5"):
        getattr(model.features, name).register_forward_hook(record(name))
    with torch.no_grad():
        model(torch.randn(1, 3, 32, 32))
    assert seen == [20, 28, 36, 44, 52, 60]  # 20 + 8 per earlier layer
    assert outputs == {"denseblock1": (40, 8, 8), "transition1": (20, 4, 4),
                       "denseblock2": (68, 4, 4), "norm5": (68, 4, 4)}


def test_feature_names() -> None:
    names = [n for n, _ in build_meta(densenet_mini).features.named_children()]
    assert names == ["conv0", "norm0", "relu0", "pool0", "denseblock1", "transition1",
                     "denseblock2", "norm5"]


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="at least one dense block"):
        DenseNet(8, ())
