"""RegNet: widths from tensor ops (as torchvision), torchvision's names, SE and group convs."""

from __future__ import annotations

import pytest
import torch

from netviz_models.regnet import BlockParams, RegNet, regnet_mini, regnet_y_400mf


def test_block_params_of_regnet_y_400mf() -> None:
    """The widths and depths of the RegNet paper's RegNetY-400MF."""
    p = BlockParams.from_init_params(depth=16, w_0=48, w_a=27.89, w_m=2.09, group_width=8,
                                     se_ratio=0.25)
    assert (p.widths, p.depths) == ([48, 104, 208, 440], [1, 3, 6, 6])
    assert p.group_widths == [8, 8, 8, 8] and p.strides == [2, 2, 2, 2] and p.se_ratio == 0.25


def test_block_params_are_computed_with_tensors() -> None:
    with torch.device("meta"), pytest.raises(NotImplementedError, match="meta tensor"):
        BlockParams.from_init_params(depth=6, w_0=16, w_a=8.0, w_m=2.0, group_width=8)


@pytest.mark.parametrize(("w_0", "w_a", "w_m"), [(12, 8.0, 2.0), (16, -1.0, 2.0), (16, 8.0, 1.0)])
def test_bad_settings(w_0: int, w_a: float, w_m: float) -> None:
    with pytest.raises(ValueError, match="invalid RegNet settings"):
        BlockParams.from_init_params(depth=6, w_0=w_0, w_a=w_a, w_m=w_m, group_width=8)


def test_torchvision_names_and_shapes() -> None:
    keys = {k: list(v.shape) for k, v in regnet_y_400mf().state_dict().items()}
    assert keys["stem.0.weight"] == [32, 3, 3, 3]
    assert keys["trunk_output.block1.block1-0.proj.0.weight"] == [48, 32, 1, 1]
    assert keys["trunk_output.block1.block1-0.f.a.0.weight"] == [48, 32, 1, 1]
    assert keys["trunk_output.block1.block1-0.f.b.0.weight"] == [48, 8, 3, 3]  # 6 groups of 8
    assert keys["trunk_output.block1.block1-0.f.se.fc1.weight"] == [8, 48, 1, 1]  # 0.25 · 32
    assert keys["trunk_output.block4.block4-5.f.c.1.running_mean"] == [440]
    assert "trunk_output.block4.block4-5.proj.0.weight" not in keys
    assert keys["fc.weight"] == [1000, 440]


def test_compact_stages() -> None:
    model = regnet_mini()
    stages = [[n for n, _ in stage.named_children()] for stage in model.trunk_output]
    assert stages == [["block1-0"], ["block2-0", "block2-1", "block2-2"],
                      ["block3-0", "block3-1"]]
    assert isinstance(model, RegNet)
    with torch.no_grad():
        assert model.eval()(torch.randn(1, 3, 32, 32)).shape == (1, 10)
