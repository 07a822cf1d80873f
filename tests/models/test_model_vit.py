"""ViT: torchvision's state_dict, the two ways of writing attention agree, bad arguments."""

from __future__ import annotations

import pytest
import torch

from netviz_models.vit import Attention, VisionTransformer, vit_b_16, vit_mini, vit_mini_qkv
from tests.models.conftest import build_meta


def torchvision_vit_listing(layers: int, dim: int, mlp: int, tokens: int, patch: int) -> dict:
    """torchvision's ViT state_dict (key → shape), from its naming rules."""
    keys = {
        "class_token": [1, 1, dim],
        "conv_proj.weight": [dim, 3, patch, patch],
        "conv_proj.bias": [dim],
        "encoder.pos_embedding": [1, tokens, dim],
        "encoder.ln.weight": [dim],
        "encoder.ln.bias": [dim],
        "heads.head.weight": [1000, dim],
        "heads.head.bias": [1000],
    }
    for i in range(layers):
        p = f"encoder.layers.encoder_layer_{i}"
        keys.update({
            f"{p}.ln_1.weight": [dim], f"{p}.ln_1.bias": [dim],
            f"{p}.self_attention.in_proj_weight": [3 * dim, dim],
            f"{p}.self_attention.in_proj_bias": [3 * dim],
            f"{p}.self_attention.out_proj.weight": [dim, dim],
            f"{p}.self_attention.out_proj.bias": [dim],
            f"{p}.ln_2.weight": [dim], f"{p}.ln_2.bias": [dim],
            f"{p}.mlp.0.weight": [mlp, dim], f"{p}.mlp.0.bias": [mlp],
            f"{p}.mlp.3.weight": [dim, mlp], f"{p}.mlp.3.bias": [dim],
        })
    return keys


def test_state_dict_matches_torchvision_vit_b_16() -> None:
    model = build_meta(vit_b_16)
    listing = {k: list(v.shape) for k, v in model.state_dict().items()}
    assert listing == torchvision_vit_listing(12, 768, 3072, 197, 16)


def test_qkv_attention_computes_what_multihead_attention_does() -> None:
    mha_model, qkv_model = vit_mini().eval(), vit_mini_qkv().eval()
    state = mha_model.state_dict()
    renamed = {}
    for key, value in state.items():  # in_proj_* → qkv.*, out_proj.* → proj.*
        key = key.replace("self_attention.in_proj_weight", "self_attention.qkv.weight")
        key = key.replace("self_attention.in_proj_bias", "self_attention.qkv.bias")
        key = key.replace("self_attention.out_proj.", "self_attention.proj.")
        renamed[key] = value
    qkv_model.load_state_dict(renamed, strict=True)
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        torch.testing.assert_close(qkv_model(x), mha_model(x), rtol=1e-4, atol=1e-5)


def test_structure_of_the_compact_model() -> None:
    model = build_meta(vit_mini)
    assert model.encoder.pos_embedding.shape == (1, 17, 48)
    assert [n for n, _ in model.encoder.layers.named_children()] == [
        "encoder_layer_0", "encoder_layer_1", "encoder_layer_2"]
    assert isinstance(model.encoder.layers[0].self_attention, torch.nn.MultiheadAttention)
    assert model.encoder.layers[0].self_attention.batch_first
    assert isinstance(build_meta(vit_mini_qkv).encoder.layers[0].self_attention, Attention)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"image_size": 30}, "does not divide"),
        ({"attention": "flash"}, "'mha' or 'qkv'"),
        ({"num_heads": 5}, "not divisible by 5 heads"),
    ],
)
def test_bad_arguments(kwargs: dict, message: str) -> None:
    args = {"image_size": 32, "patch_size": 8, "num_layers": 1, "num_heads": 3,
            "hidden_dim": 48, "mlp_dim": 96, **kwargs}
    with pytest.raises(ValueError, match=message):
        VisionTransformer(**args)
