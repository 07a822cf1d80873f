"""MobileNetV2: torchvision's layout, residual adds exactly where stride 1 keeps the channels."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from netviz_models.mobilenet import InvertedResidual, MobileNetV2, mobilenet_v2, mobilenet_v2_mini
from tests.models.conftest import build_meta


def test_residual_blocks_of_mobilenet_v2() -> None:
    features = build_meta(mobilenet_v2).features
    assert len(features) == 19
    residual = [i for i, m in enumerate(features) if getattr(m, "use_res_connect", False)]
    assert residual == [3, 5, 6, 8, 9, 10, 12, 13, 15, 16]
    keys = {k: list(v.shape) for k, v in build_meta(mobilenet_v2).state_dict().items()}
    assert keys["features.1.conv.0.0.weight"] == [32, 1, 3, 3]  # t = 1: no expansion conv
    assert keys["features.1.conv.1.weight"] == [16, 32, 1, 1]
    assert keys["features.2.conv.0.0.weight"] == [96, 16, 1, 1]
    assert keys["features.2.conv.1.0.weight"] == [96, 1, 3, 3]
    assert keys["features.18.0.weight"] == [1280, 320, 1, 1]
    assert keys["classifier.1.weight"] == [1000, 1280]


def test_block_layers_and_residual() -> None:
    block = InvertedResidual(8, 8, 1, 6).eval()
    layers = [type(m).__name__ for m in block.conv.modules()
              if not isinstance(m, nn.Sequential)]
    assert layers == ["Conv2d", "BatchNorm2d", "ReLU6", "Conv2d", "BatchNorm2d", "ReLU6",
                      "Conv2d", "BatchNorm2d"]
    assert block.conv[1][0].groups == 48  # depthwise
    with torch.no_grad():
        block.conv[3].weight.zero_(), block.conv[3].bias.zero_()  # branch → 0: identity
        x = torch.randn(1, 8, 4, 4)
        torch.testing.assert_close(block(x), x)
    assert not InvertedResidual(8, 8, 2, 6).use_res_connect
    assert not InvertedResidual(8, 16, 1, 6).use_res_connect


def test_compact_layout() -> None:
    model = build_meta(mobilenet_v2_mini)
    assert [getattr(m, "use_res_connect", None) for m in model.features] == [
        None, False, False, True, False, True, True, None]
    assert isinstance(model.classifier[0], nn.Dropout)


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="stride should be 1 or 2"):
        InvertedResidual(8, 8, 3, 6)
    with pytest.raises(ValueError, match=r"\(t, c, n, s\)"):
        MobileNetV2([(1, 8, 1)])
