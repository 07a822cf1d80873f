"""Swin: torchvision's state_dict, window partition and shift mask, attention on a window."""

from __future__ import annotations

import pytest
import torch

from netviz_models.swin import (
    PatchMerging,
    ShiftedWindowAttention,
    SwinTransformer,
    swin_mini,
    swin_t,
    window_partition,
    window_reverse,
)
from netviz_models.vit import Attention
from tests.models.conftest import build_meta


def torchvision_swin_listing(embed: int, depths: list[int], heads: list[int], window: int) -> dict:
    """torchvision's Swin state_dict (key → shape), from its naming rules."""
    keys = {"features.0.0.weight": [embed, 3, 4, 4], "features.0.0.bias": [embed],
            "features.0.2.weight": [embed], "features.0.2.bias": [embed]}
    dim, index = embed, 1
    for stage, (depth, h) in enumerate(zip(depths, heads)):
        for b in range(depth):
            p = f"features.{index}.{b}"
            keys.update({
                f"{p}.norm1.weight": [dim], f"{p}.norm1.bias": [dim],
                f"{p}.attn.relative_position_bias_table": [(2 * window - 1) ** 2, h],
                f"{p}.attn.relative_position_index": [window**4],
                f"{p}.attn.qkv.weight": [3 * dim, dim], f"{p}.attn.qkv.bias": [3 * dim],
                f"{p}.attn.proj.weight": [dim, dim], f"{p}.attn.proj.bias": [dim],
                f"{p}.norm2.weight": [dim], f"{p}.norm2.bias": [dim],
                f"{p}.mlp.0.weight": [4 * dim, dim], f"{p}.mlp.0.bias": [4 * dim],
                f"{p}.mlp.3.weight": [dim, 4 * dim], f"{p}.mlp.3.bias": [dim],
            })
        if stage < len(depths) - 1:
            p = f"features.{index + 1}"
            keys.update({f"{p}.reduction.weight": [2 * dim, 4 * dim],
                         f"{p}.norm.weight": [4 * dim], f"{p}.norm.bias": [4 * dim]})
            dim *= 2
        index += 2
    keys.update({"norm.weight": [dim], "norm.bias": [dim], "head.weight": [1000, dim],
                 "head.bias": [1000]})
    return keys


def test_state_dict_matches_torchvision_swin_t() -> None:
    listing = {k: list(v.shape) for k, v in build_meta(swin_t).state_dict().items()}
    assert listing == torchvision_swin_listing(96, [2, 2, 6, 2], [3, 6, 12, 24], 7)


def test_window_partition_round_trip() -> None:
    x = torch.arange(2 * 8 * 8 * 3, dtype=torch.float32).reshape(2, 8, 8, 3)
    windows = window_partition(x, 4)
    assert windows.shape == (8, 16, 3)
    torch.testing.assert_close(windows[1], x[0, :4, 4:].reshape(16, 3))  # 2nd window: top right
    torch.testing.assert_close(window_reverse(windows, 4, 8, 8), x)


def _tensor_index(window: int) -> torch.Tensor:
    """The relative-position index as torchvision computes it, with tensor ops."""
    coords = torch.stack(torch.meshgrid(torch.arange(window), torch.arange(window), indexing="ij"))
    flat = torch.flatten(coords, 1)
    relative = (flat[:, :, None] - flat[:, None, :]).permute(1, 2, 0).contiguous()
    relative[:, :, 0] += window - 1
    relative[:, :, 1] += window - 1
    relative[:, :, 0] *= 2 * window - 1
    return relative.sum(-1).flatten()


def _tensor_mask(size: tuple[int, int], window: int, shift: int) -> torch.Tensor:
    """The shift mask as timm computes it, with tensor ops."""
    regions = torch.zeros(1, *size, 1)
    label = 0
    for h in (slice(0, -window), slice(-window, -shift), slice(-shift, None)):
        for w in (slice(0, -window), slice(-window, -shift), slice(-shift, None)):
            regions[:, h, w, :] = label
            label += 1
    labels = window_partition(regions, window).squeeze(-1)
    diff = labels.unsqueeze(1) - labels.unsqueeze(2)
    return diff.masked_fill(diff != 0, -100.0).masked_fill(diff == 0, 0.0)


@pytest.mark.parametrize(("size", "window", "shift"), [((8, 8), 4, 2), ((16, 8), 4, 2),
                                                       ((56, 56), 7, 3)])
def test_index_and_mask_equal_the_tensor_computations(
    size: tuple[int, int], window: int, shift: int
) -> None:
    attn = ShiftedWindowAttention(6, 2, window, shift, size)
    assert torch.equal(attn.relative_position_index, _tensor_index(window))
    assert attn.attn_mask is not None
    assert torch.equal(attn.attn_mask, _tensor_mask(size, window, shift))


def test_shift_mask_separates_the_regions_rolled_together() -> None:
    attn = ShiftedWindowAttention(8, 2, 4, 2, (8, 8))
    mask = attn.attn_mask
    assert mask is not None and mask.shape == (4, 16, 16)
    assert torch.equal(mask, mask.transpose(1, 2))
    assert torch.all(torch.diagonal(mask, dim1=1, dim2=2) == 0)
    assert torch.all(mask[0] == 0)  # top-left window: one region, nothing masked
    assert set(mask[3].unique().tolist()) == {-100.0, 0.0}  # bottom-right: four regions
    assert "attn_mask" not in attn.state_dict()


def test_no_shift_where_one_window_covers_the_map() -> None:
    model = build_meta(swin_t)
    last_stage = model.features[7]
    assert [block.attn.shift_size for block in last_stage] == [0, 0]
    assert [block.attn.shift_size for block in model.features[5]][:2] == [0, 3]
    assert all(block.attn.attn_mask is None for block in last_stage)


def test_window_attention_over_one_window_is_plain_attention() -> None:
    """No shift, a window as large as the map, zero bias: multi-head attention of all tokens."""
    window = ShiftedWindowAttention(12, 3, 4, 0, (4, 4)).eval()
    torch.nn.init.zeros_(window.relative_position_bias_table)
    plain = Attention(12, 3).eval()
    plain.load_state_dict({k: v for k, v in window.state_dict().items() if k.split(".")[0] in
                           ("qkv", "proj")})
    x = torch.randn(2, 4, 4, 12)
    with torch.no_grad():
        torch.testing.assert_close(window(x), plain(x.reshape(2, 16, 12)).reshape(2, 4, 4, 12))


def test_patch_merging_takes_the_four_strided_slices() -> None:
    merge = PatchMerging(3)
    x = torch.randn(1, 4, 4, 3)
    with torch.no_grad():
        merge.norm.weight.fill_(1.0), merge.norm.bias.zero_()
        taken = []
        merge.norm.register_forward_hook(lambda m, a, o: taken.append(a[0]))
        assert merge(x).shape == (1, 2, 2, 6)
    slices = [x[:, 0::2, 0::2], x[:, 1::2, 0::2], x[:, 0::2, 1::2], x[:, 1::2, 1::2]]
    expected = torch.cat(slices, -1)
    torch.testing.assert_close(taken[0], expected)


def test_compact_model_works_on_nhwc_tensors() -> None:
    model = build_meta(swin_mini)
    shapes = []
    for block in (model.features[1][0], model.features[3][1]):
        block.register_forward_hook(lambda m, a, o: shapes.append(tuple(o.shape)))
    model(torch.empty(1, 3, 32, 32, device="meta"))
    assert shapes == [(1, 16, 16, 24), (1, 8, 8, 48)]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"window_size": 3}, "does not tile"), ({"num_heads": [2]}, "one head count per stage")],
)
def test_bad_arguments(kwargs: dict, message: str) -> None:
    args = {"image_size": 32, "patch_size": 2, "embed_dim": 24, "depths": [2, 2],
            "num_heads": [2, 4], "window_size": 4, **kwargs}
    with pytest.raises(ValueError, match=message):
        SwinTransformer(**args)
