"""MACs and parameters of eight transformers architectures against independent counts.

netviz traces each small configuration (an instance, positional inputs) and counts its
multiply-accumulates by the op table's rules and, for calls without one, at the dispatch
level. The reference is torch's own ``FlopCounterMode`` over one real forward of the same
configuration built with ``attn_implementation="eager"`` (attention as ``matmul`` and
``softmax``) and, for Mixtral, eager experts (a loop of ``F.linear`` over the experts each
token was routed to): its FLOPs / 2. A mixture of experts counts in the active-expert
convention: each token through its top-k experts, plus the router. Parameters equal
``sum(p.numel() for p in model.parameters())``.
"""

from __future__ import annotations

import json
import warnings
from functools import cache

import pytest

pytest.importorskip("transformers", reason="transformers is not installed (pip install -e '.[test]')")

import torch  # noqa: E402
from torch.utils.flop_counter import FlopCounterMode  # noqa: E402

import netviz  # noqa: E402
from netviz.ir.accounting import count_macs, count_params  # noqa: E402
from tests.huggingface.small import EAGER, MODELS, MORE_MOE, TOKENS, example_inputs  # noqa: E402

NAMES = sorted(MODELS)


@pytest.fixture(autouse=True)
def quiet_transformers() -> None:
    """transformers logs config warnings to stderr; keep the test output to the point."""
    import transformers

    transformers.logging.set_verbosity_error()


@cache
def reference_macs(name: str) -> int:
    """FlopCounterMode's FLOPs / 2 over one forward of the eager build."""
    build, _ = {**MODELS, **MORE_MOE}[name]
    torch.manual_seed(0)
    model = build(attn_implementation="eager", **EAGER.get(name, {}))
    flops = FlopCounterMode(display=False)
    with torch.no_grad(), flops:
        model(*example_inputs(name))
    return flops.get_total_flops() // 2


def traced(name: str) -> tuple[netviz.ir.Graph, torch.nn.Module]:
    build, (shapes, dtypes) = {**MODELS, **MORE_MOE}[name]
    model = build()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return netviz.trace(model, shapes, input_dtypes=dtypes), model


@pytest.mark.parametrize("name", NAMES)
def test_macs_equal_torchs_flop_counter_on_the_eager_build(name: str) -> None:
    graph, _ = traced(name)
    assert count_macs(graph) == reference_macs(name)


@pytest.mark.parametrize("name", sorted(MORE_MOE))
def test_mixtures_with_shared_experts_count_active_experts(name: str) -> None:
    """DeepSeek-V3 (group routing, a shared expert, latent attention) and Qwen2-MoE (a gated
    shared expert): the routed experts' grouped products count each token's top-k."""
    graph, _ = traced(name)
    assert count_macs(graph) == reference_macs(name)


@pytest.mark.parametrize("name", NAMES)
def test_the_summary_counts_the_same_macs_and_the_modules_params(name: str) -> None:
    build, (shapes, dtypes) = MODELS[name]
    model = build()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = json.loads(netviz.summary(model, "json", input_shapes=shapes,
                                          input_dtypes=dtypes))
    assert table["mult_adds"] == reference_macs(name)
    assert table["total_params"] == sum(p.numel() for p in model.parameters())


@pytest.mark.parametrize("name", NAMES)
def test_the_graph_counts_every_parameter_once(name: str) -> None:
    graph, model = traced(name)
    assert count_params(graph) == sum(p.numel() for p in model.parameters())


def test_mixtral_counts_active_experts_and_the_router() -> None:
    """The active-expert convention, by hand: per layer, attention (q, o: 64 x 64; k, v:
    64 x 32; QKᵀ and A·V over 4 heads of 16), the router (64 x 4 experts) and each token
    through 2 of the 4 experts (gate and up 64 x 128 each, down 128 x 64); then the head."""
    t, d, kv, f, e, k, heads, layers, vocab = TOKENS, 64, 32, 128, 4, 2, 4, 2, 256
    attention = t * (2 * d * d + 2 * d * kv) + heads * t * t * 2 * (d // heads)
    router = t * d * e
    experts = t * k * 3 * d * f
    want = layers * (attention + router + experts) + t * d * vocab
    graph, _ = traced("mixtral")
    assert count_macs(graph) == want == reference_macs("mixtral")
