"""Mixture-of-experts layers that loop over the experts hit, traced on meta.

Their routing (``topk``/``argmax`` of a router's scores, then ``nonzero`` and ``.item()``
of the expert indices) depends on weights, which a meta model has no values of; netviz
gives those picks a balanced value (``netviz.tracing.choices``) and draws them without a
real forward. ``NETVIZ_MAX_WEIGHT_BYTES=1K`` refuses any real forward, so each of these
runs on meta or fails.
"""

from __future__ import annotations

import warnings

import pytest
import torch

import netviz
from netviz.errors import MacsLowerBoundWarning
from netviz.ir import Graph


def _meta_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETVIZ_MAX_WEIGHT_BYTES", "1K")


def _traced(spec: str) -> tuple[Graph, list[warnings.WarningMessage]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        graph = netviz.trace(spec)
    return graph, list(caught)


def _reference(name: str, **values: object) -> int:
    import transformers

    cls = getattr(transformers, name)
    with torch.device("meta"):
        model = cls(cls.config_class(**values))
    return sum(p.numel() for p in model.parameters())


LONGCAT = dict(vocab_size=99, hidden_size=32, num_layers=1, num_attention_heads=2,
               ffn_hidden_size=64, q_lora_rank=16, kv_lora_rank=16, qk_nope_head_dim=8,
               qk_rope_head_dim=8, head_dim=8, v_head_dim=8, moe_topk=2, n_routed_experts=4,
               zero_expert_num=2, expert_ffn_hidden_size=16, max_position_embeddings=64)


def test_a_loop_over_the_experts_hit_runs_on_meta(monkeypatch: pytest.MonkeyPatch) -> None:
    """LongCat-Flash's experts loop over ``nonzero`` of the routing mask, with ``.item()``
    of each expert index: with balanced routing every expert is reached, so every
    parameter is drawn, and netviz says the mult-adds are an estimate."""
    _meta_only(monkeypatch)
    values = ", ".join(f"{k}={v!r}" for k, v in LONGCAT.items())
    graph, caught = _traced(f"hf:LongcatFlashModel({values})")
    assert sum(n.params for n in graph.nodes) == _reference("LongcatFlashModel", **LONGCAT)
    assert netviz.Diagram.of(graph).dot
    messages = [str(w.message) for w in caught if issubclass(w.category, MacsLowerBoundWarning)]
    assert any("balanced choice" in m for m in messages)


NLLB = dict(vocab_size=99, d_model=16, encoder_layers=2, decoder_layers=2,
            encoder_attention_heads=2, decoder_attention_heads=2, encoder_ffn_dim=32,
            decoder_ffn_dim=32, num_experts=4, expert_capacity=8, encoder_sparse_step=2,
            decoder_sparse_step=2, max_position_embeddings=64, pad_token_id=0,
            bos_token_id=1, eos_token_id=2, decoder_start_token_id=2)


def test_an_expert_named_by_a_formatted_index_runs_on_meta(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """NLLB-MoE picks by ``argmax`` and names each expert hit ``f"expert_{index}"``: the
    index formats as its number on meta too."""
    _meta_only(monkeypatch)
    values = ", ".join(f"{k}={v!r}" for k, v in NLLB.items())
    graph, _ = _traced(f"hf:NllbMoeModel({values})")
    drawn = sum(n.params for n in graph.nodes)
    assert 0 < drawn <= _reference("NllbMoeModel", **NLLB)
    assert any(".experts.expert_" in n.scope or ".experts.expert_" in n.id
               for n in graph.nodes)
    assert netviz.Diagram.of(graph).dot
