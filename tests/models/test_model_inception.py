"""GoogLeNet: torchvision's module names, four branches joined by concat, identical runs."""

from __future__ import annotations

import pytest
import torch

from netviz_models.inception import GoogLeNet, Inception, googlenet, googlenet_mini
from tests.models.conftest import build_meta


def test_module_names_and_torchvision_shapes() -> None:
    model = build_meta(googlenet)
    assert [n for n, _ in model.named_children()] == [
        "conv1", "maxpool1", "conv2", "conv3", "maxpool2", "inception3a", "inception3b",
        "maxpool3", "inception4a", "inception4b", "inception4c", "inception4d", "inception4e",
        "maxpool4", "inception5a", "inception5b", "avgpool", "dropout", "fc"]
    keys = {k: list(v.shape) for k, v in model.state_dict().items()}
    assert keys["conv1.conv.weight"] == [64, 3, 7, 7]
    assert keys["conv1.bn.running_var"] == [64]
    assert keys["inception3a.branch2.1.conv.weight"] == [128, 96, 3, 3]
    assert keys["inception3a.branch3.1.conv.weight"] == [32, 16, 3, 3]  # torchvision's 3x3
    assert keys["inception3a.branch4.1.conv.weight"] == [32, 192, 1, 1]
    assert keys["fc.weight"] == [1000, 1024]
    assert not any(k.startswith("aux") for k in keys)
    assert (model.maxpool3.kernel_size, model.maxpool4.kernel_size) == (3, 2)


def test_branches_are_concatenated() -> None:
    block = Inception(8, 2, 3, 4, 1, 5, 6, branch3_kernel=5).eval()
    x = torch.randn(1, 8, 6, 6)
    with torch.no_grad():
        out = block(x)
        parts = [block.branch1(x), block.branch2(x), block.branch3(x), block.branch4(x)]
    assert out.shape == (1, 2 + 4 + 5 + 6, 6, 6)
    torch.testing.assert_close(out, torch.cat(parts, 1))
    assert block.branch3[1].conv.kernel_size == (5, 5)


def test_compact_model_has_three_identical_modules_in_a_row() -> None:
    model = build_meta(googlenet_mini)
    texts = [repr(getattr(model, f"inception4{x}")) for x in "abc"]
    assert texts[0] == texts[1] == texts[2]
    assert repr(model.inception3a) != repr(model.inception3b)
    shapes = []
    for x in "abc":
        getattr(model, f"inception4{x}").register_forward_hook(
            lambda m, a, o: shapes.append((a[0].shape[1], o.shape[1])))
    model(torch.empty(1, 3, 32, 32, device="meta"))
    assert shapes == [(64, 64)] * 3


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="three stem widths"):
        GoogLeNet((16, 32), [[(1, 1, 1, 1, 1, 1)]])
    with pytest.raises(ValueError, match="non-empty stages"):
        GoogLeNet((16, 16, 32), [[]])
