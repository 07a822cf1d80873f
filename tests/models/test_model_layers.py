"""Shared layers: stochastic depth, channels-first LayerNorm, permute, the transformer MLP."""

from __future__ import annotations

import pytest
import torch

from netviz_models.layers import DropPath, LayerNorm2d, Permute, transformer_mlp


def test_drop_path_is_the_identity_in_eval_and_at_zero() -> None:
    x = torch.randn(4, 3, 2, 2)
    assert torch.equal(DropPath(0.5).eval()(x), x)
    assert torch.equal(DropPath(0.0).train()(x), x)


def test_drop_path_drops_whole_samples_in_training() -> None:
    drop = DropPath(0.5).train()
    x = torch.ones(64, 3, 2, 2)
    out = drop(x)
    per_sample = out.flatten(1)
    assert set(per_sample.unique().tolist()) <= {0.0, 2.0}  # dropped, or kept and scaled by 2
    assert torch.all(per_sample.min(1).values == per_sample.max(1).values)  # whole samples
    assert 0 < int((per_sample[:, 0] == 0).sum()) < 64
    assert not torch.equal(drop(x), out)  # a new random draw on every call


@pytest.mark.parametrize("p", [-0.1, 1.0])
def test_drop_path_rejects_bad_probabilities(p: float) -> None:
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        DropPath(p)


def test_layer_norm_2d_normalises_each_pixel_over_channels() -> None:
    norm = LayerNorm2d(6, eps=1e-6)
    x = torch.randn(2, 6, 3, 4)
    expected = torch.nn.functional.layer_norm(x.permute(0, 2, 3, 1), (6,), eps=1e-6)
    torch.testing.assert_close(norm(x), expected.permute(0, 3, 1, 2))


def test_permute_and_mlp() -> None:
    assert Permute([0, 2, 3, 1])(torch.zeros(1, 2, 3, 4)).shape == (1, 3, 4, 2)
    mlp = transformer_mlp(4, 16)
    assert list(mlp.state_dict()) == ["0.weight", "0.bias", "3.weight", "3.bias"]
    assert mlp(torch.zeros(2, 5, 4)).shape == (2, 5, 4)
