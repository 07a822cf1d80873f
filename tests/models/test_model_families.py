"""The model families: parameter counts, MAC formulas, registry entries, forward passes.

Parameter counts are checked against layer-by-layer formulas (``family_params``)
and, for the full-size configurations, against torchvision's published counts;
the MAC formulas (``family_macs``) against torch's own ``FlopCounterMode`` in
training mode with the math attention kernel (the paths it can see) and against
torchvision's published GFLOPS.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Callable

import pytest
import torch
from torch import nn
from torch.nn.attention import SDPBackend, sdpa_kernel
from torch.utils.flop_counter import FlopCounterMode

from netviz.registry import ENTRY_POINT_GROUP, get_entry, list_models
from netviz_models import convnext, densenet, inception, mobilenet, regnet, sequence, swin, vit
from netviz_models.layers import LayerNorm2d
from tests.models import family_macs as macs
from tests.models import family_params as params
from tests.models.conftest import build_meta, param_count
from tests.models.family_macs import MINI_GOOGLENET_STAGES, PUBLISHED, ZOO

MINI_MOBILENET = [(1, 8, 1, 1), (6, 16, 2, 2), (6, 24, 3, 2)]

COMPACT: dict[str, tuple[Callable[..., nn.Module], int]] = {
    "vit_mini": (vit.vit_mini, params.vit_params(32, 8, 3, 48, 192, 10)),
    "vit_mini_qkv": (vit.vit_mini_qkv, params.vit_params(32, 8, 3, 48, 192, 10)),
    "swin_mini": (swin.swin_mini, params.swin_params(2, 24, [2, 2], [2, 4], 4, 10)),
    "convnext_mini": (convnext.convnext_mini, params.convnext_params([2, 2], [24, 48], 10)),
    "densenet_mini": (densenet.densenet_mini, params.densenet_params(8, [3, 6], 16, 4, 10)),
    "googlenet_mini": (
        inception.googlenet_mini,
        params.googlenet_params((16, 16, 32), MINI_GOOGLENET_STAGES, 5, 10),
    ),
    "mobilenet_v2_mini": (
        mobilenet.mobilenet_v2_mini, params.mobilenet_v2_params(MINI_MOBILENET, 16, 64, 10)
    ),
    "regnet_mini": (regnet.regnet_mini, params.regnet_y_params([16, 32, 64], [1, 3, 2], 8, 0.25,
                                                               16, 10)),
    "transformer_lm_mini": (
        sequence.transformer_lm_mini, params.transformer_lm_params(100, 32, 2, 64, 64)
    ),
    "lstm_tagger_mini": (sequence.lstm_tagger_mini, params.lstm_tagger_params(100, 32, 24, 5)),
}
"""Registered compact models: builder and analytic parameter count."""

FAITHFUL: dict[str, tuple[Callable[..., nn.Module], int]] = {
    "vit_b_16": (vit.vit_b_16, params.vit_params(224, 16, 12, 768, 3072, 1000)),
    "swin_t": (swin.swin_t, params.swin_params(4, 96, [2, 2, 6, 2], [3, 6, 12, 24], 7, 1000)),
    "convnext_tiny": (
        convnext.convnext_tiny, params.convnext_params([3, 3, 9, 3], [96, 192, 384, 768], 1000)
    ),
    "densenet121": (densenet.densenet121, params.densenet_params(32, [6, 12, 24, 16], 64, 4, 1000)),
    "googlenet": (
        inception.googlenet,
        params.googlenet_params((64, 64, 192), inception.GOOGLENET_STAGES, 3, 1000),
    ),
    "mobilenet_v2": (
        mobilenet.mobilenet_v2,
        params.mobilenet_v2_params(mobilenet.MOBILENET_V2_SETTING, 32, 1280, 1000),
    ),
    "regnet_y_400mf": (
        regnet.regnet_y_400mf,
        params.regnet_y_params([48, 104, 208, 440], [1, 3, 6, 6], 8, 0.25, 32, 1000),
    ),
}
"""Full-size torchvision configurations (not registered): builder and analytic count."""

FAMILY_MODULES = ["convnext", "densenet", "inception", "mobilenet", "regnet", "sequence", "swin",
                  "vit"]
NEEDS_CPU = {"regnet_mini", "regnet_y_400mf"}
"""Builders that compute widths with tensor ops: they cannot build on the meta device."""


def _build(name: str, builder: Callable[..., nn.Module]) -> nn.Module:
    return builder() if name in NEEDS_CPU else build_meta(builder)


def _example_input(name: str, device: str = "cpu") -> torch.Tensor:
    shape = get_entry(name).input_shapes[0]
    if len(shape) == 1:  # token ids
        return torch.randint(0, 100, (2, *shape), device=device)
    return torch.randn(2, *shape, device=device)


@pytest.mark.parametrize("name", sorted(COMPACT))
def test_compact_parameter_counts_equal_the_layer_formulas(name: str) -> None:
    builder, analytic = COMPACT[name]
    assert param_count(_build(name, builder)) == analytic


@pytest.mark.parametrize("name", sorted(FAITHFUL))
def test_faithful_parameter_counts_equal_torchvision(name: str) -> None:
    builder, analytic = FAITHFUL[name]
    published = PUBLISHED[name][1]
    assert analytic == published
    assert param_count(_build(name, builder)) == published


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_mac_formulas_give_the_published_gflops(name: str) -> None:
    """torchvision's GFLOPS column counts MACs, to three decimals."""
    analytic, _, gflops = PUBLISHED[name]
    assert abs(analytic / 1e9 - gflops) <= 0.0005


@pytest.mark.parametrize("name", sorted(set(ZOO) - {"lstm_tagger_mini"}))
def test_mac_formulas_match_torch_flop_counter(name: str) -> None:
    """In training mode with math attention, FlopCounterMode sees every matmul and conv.

    (In eval mode it misses ``nn.MultiheadAttention``'s fused path and CPU SDPA:
    see ``test_flop_counter_misses_fused_attention_in_eval``.)
    """
    model = get_entry(name).build("cpu").train()
    with sdpa_kernel(SDPBackend.MATH), FlopCounterMode(display=False) as counter:
        model(_example_input(name)[:1])
    assert counter.get_total_flops() == 2 * ZOO[name].macs


def test_flop_counter_misses_fused_attention_in_eval() -> None:
    """Why the MAC formulas are not checked against FlopCounterMode in eval mode."""
    model = get_entry("transformer_lm_mini").build("cpu").eval()
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        model(_example_input("transformer_lm_mini")[:1])
    head_only = macs.linear(16, 32, 100)
    assert counter.get_total_flops() == 2 * head_only < 2 * ZOO["transformer_lm_mini"].macs


def _feature_width(module: nn.Module, out: object) -> int | None:
    """The width a layer's output has: dim 1 of NCHW layers, the last dim of token layers."""
    tensor = out[0] if isinstance(out, tuple) else out
    if not isinstance(tensor, torch.Tensor):
        return None
    if isinstance(module, (nn.Conv2d, nn.BatchNorm2d, LayerNorm2d)):
        return tensor.shape[1]
    if isinstance(module, (nn.Linear, nn.LayerNorm, nn.Embedding, nn.LSTM,
                           nn.MultiheadAttention)):
        return tensor.shape[-1]
    return None  # activations, pools, dropout: no width of their own


@pytest.mark.parametrize("name", sorted(ZOO))
def test_expected_widths_are_the_widths_of_the_layers(name: str) -> None:
    """Every layer's output width is one ``ZOO`` allows (which adds the widths of concats)."""
    model = get_entry(name).build("cpu").eval()
    widths: set[int] = set()
    hooks = [m.register_forward_hook(
        lambda mod, args, out: widths.add(w) if (w := _feature_width(mod, out)) else None)
        for m in model.modules()]
    with torch.no_grad():
        model(_example_input(name))
    for hook in hooks:
        hook.remove()
    classes = {"transformer_lm_mini": 100, "lstm_tagger_mini": 5}.get(name, 10)
    expected = ZOO[name]
    assert widths - {classes} <= expected.widths
    assert expected.main_width is None or expected.main_width in widths
    assert not expected.widths & expected.not_widths


def test_lstm_formula_matches_an_unrolled_lstm() -> None:
    """FlopCounterMode has no LSTM formula: unroll nn.LSTM's gates into matmuls and count."""
    lstm = sequence.lstm_tagger_mini().lstm
    x = torch.randn(1, 16, 32)
    outputs = []
    for suffix, steps in (("", range(16)), ("_reverse", reversed(range(16)))):
        w_ih, w_hh = getattr(lstm, f"weight_ih_l0{suffix}"), getattr(lstm, f"weight_hh_l0{suffix}")
        bias = getattr(lstm, f"bias_ih_l0{suffix}") + getattr(lstm, f"bias_hh_l0{suffix}")
        h = c = torch.zeros(1, 24)
        out = [torch.empty(0)] * 16
        with FlopCounterMode(display=False) as counter:
            for t in steps:
                gates = x[:, t] @ w_ih.T + h @ w_hh.T + bias
                i, f, g, o = gates.chunk(4, dim=1)
                c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
                h = torch.sigmoid(o) * torch.tanh(c)
                out[t] = h
        assert counter.get_total_flops() == 2 * macs.lstm(16, 32, 24)
        outputs.append(torch.stack(out, 1))
    with torch.no_grad():
        expected, _ = lstm(x)
    torch.testing.assert_close(torch.cat(outputs, -1), expected)
    assert ZOO["lstm_tagger_mini"].macs == 2 * macs.lstm(16, 32, 24) + macs.linear(16, 48, 5)


@pytest.mark.parametrize("name", sorted(COMPACT))
def test_compact_models_are_registered(name: str) -> None:
    assert name in list_models()
    entry = get_entry(name)
    assert entry.description
    expected = (16,) if name in ("transformer_lm_mini", "lstm_tagger_mini") else (3, 32, 32)
    assert entry.input_shapes == (expected,)


def test_faithful_builders_are_not_registered() -> None:
    assert not set(FAITHFUL) & set(list_models())


def test_entry_points_name_every_family_module() -> None:
    values = {ep.value for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)}
    assert {f"netviz_models.{m}" for m in FAMILY_MODULES} <= values


@pytest.mark.parametrize("name", sorted(set(COMPACT) - NEEDS_CPU))
def test_compact_forward_on_meta(name: str) -> None:
    model = build_meta(COMPACT[name][0]).eval()
    out = model(_example_input(name, "meta"))
    tensor = out["tags"] if isinstance(out, dict) else out
    classes = {"transformer_lm_mini": (2, 16, 100), "lstm_tagger_mini": (2, 16, 5)}
    assert tuple(tensor.shape) == classes.get(name, (2, 10))


@pytest.mark.parametrize("name", sorted(COMPACT))
def test_compact_forward_on_cpu_is_finite(name: str) -> None:
    model = COMPACT[name][0]().eval()
    with torch.no_grad():
        out = model(_example_input(name))
    for tensor in out.values() if isinstance(out, dict) else [out]:
        assert torch.isfinite(tensor).all()


@pytest.mark.parametrize("name", sorted(set(FAITHFUL) - NEEDS_CPU))
def test_faithful_forward_on_meta_at_224(name: str) -> None:
    model = build_meta(FAITHFUL[name][0]).eval()
    assert model(torch.empty(1, 3, 224, 224, device="meta")).shape == (1, 1000)


def test_regnet_builders_fail_on_meta_and_build_on_cpu() -> None:
    """Their widths come from ``.tolist()`` of tensors: the point of the family."""
    for builder in (regnet.regnet_mini, regnet.regnet_y_400mf):
        with pytest.raises(NotImplementedError, match="Cannot copy out of meta tensor"):
            build_meta(builder)
    model = regnet.regnet_y_400mf().eval()
    with torch.no_grad():
        assert model(torch.randn(1, 3, 224, 224)).shape == (1, 1000)


@pytest.mark.parametrize("builder", [b for b, _ in COMPACT.values()] + [b for b, _ in
                                                                        FAITHFUL.values()])
def test_builders_take_keywords_only(builder: Callable[..., nn.Module]) -> None:
    with pytest.raises(TypeError):
        builder(10)


def test_sequence_models_declare_int64_inputs() -> None:
    assert sequence.INPUT_DTYPE == "int64"
    with pytest.raises(RuntimeError, match="indices"):
        sequence.transformer_lm_mini()(torch.zeros(1, 16))
