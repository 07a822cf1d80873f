"""ConvNeXt: the authors' state_dict names, the block's data flow, stochastic-depth ramp."""

from __future__ import annotations

import pytest
import torch

from netviz_models.convnext import Block, ConvNeXt, convnext_mini, convnext_tiny
from netviz_models.layers import DropPath, LayerNorm2d
from tests.models.conftest import build_meta


def test_state_dict_names_of_the_original_code() -> None:
    keys = {k: list(v.shape) for k, v in build_meta(convnext_tiny).state_dict().items()}
    assert keys["downsample_layers.0.0.weight"] == [96, 3, 4, 4]
    assert keys["downsample_layers.0.1.weight"] == [96]
    assert keys["downsample_layers.3.1.weight"] == [768, 384, 2, 2]
    assert keys["stages.2.8.dwconv.weight"] == [384, 1, 7, 7]
    assert keys["stages.2.8.pwconv1.weight"] == [1536, 384]
    assert keys["stages.2.8.pwconv2.weight"] == [384, 1536]
    assert keys["stages.2.8.gamma"] == [384]
    assert keys["norm.weight"] == [768] and keys["head.weight"] == [1000, 768]
    assert len(keys) == 4 + 3 * 4 + 18 * 9 + 2 + 2  # stem, 3 downsamplings, 18 blocks, norm, head


def test_block_is_the_identity_when_layer_scale_is_zero() -> None:
    block = Block(8).eval()
    x = torch.randn(2, 8, 5, 5)
    with torch.no_grad():
        assert block.gamma is not None
        block.gamma.zero_()
        torch.testing.assert_close(block(x), x)


def test_block_data_flow() -> None:
    """dwconv on NCHW, then LayerNorm and the MLP on NHWC, scaled by gamma, added back."""
    block = Block(8, layer_scale=0.5).eval()
    x = torch.randn(2, 8, 5, 5)
    with torch.no_grad():
        y = block.dwconv(x).permute(0, 2, 3, 1)
        y = block.pwconv2(torch.nn.functional.gelu(block.pwconv1(block.norm(y))))
        expected = x + (0.5 * y).permute(0, 3, 1, 2)
        torch.testing.assert_close(block(x), expected)


def test_stem_and_downsampling_use_channels_first_layernorm() -> None:
    model = build_meta(convnext_mini)
    assert isinstance(model.downsample_layers[0][1], LayerNorm2d)
    assert isinstance(model.downsample_layers[1][0], LayerNorm2d)
    assert model.downsample_layers[1][1].stride == (2, 2)


def test_stochastic_depth_ramps_linearly_to_the_rate() -> None:
    model = build_meta(convnext_mini)
    rates = [block.drop_path.p for stage in model.stages for block in stage]
    assert rates == pytest.approx([0.0, 0.1 / 3, 0.2 / 3, 0.1])
    assert all(isinstance(block.drop_path, DropPath) for stage in model.stages for block in stage)


def test_without_layer_scale() -> None:
    model = ConvNeXt([1], [8], layer_scale=0.0, num_classes=3)
    assert model.stages[0][0].gamma is None
    assert model(torch.randn(1, 3, 16, 16)).shape == (1, 3)


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="one width per stage"):
        ConvNeXt([1, 1], [8])
