"""Issue 19, item 4: each of the eight architectures fits one page.

Drawn from ``hf:`` specs (inputs made by netviz) of the small configurations, with three
layers per stack so that every stack has layers past its first to fold (T5's first layer
holds the relative position bias, so two layers fold nothing): at most 40 nodes, and each
stack drawn once as a folded ``x N`` cluster.
"""

from __future__ import annotations

import warnings

import pytest

pytest.importorskip("transformers", reason="transformers is not installed (pip install -e '.[test]')")

import netviz  # noqa: E402
from netviz.ir import Graph  # noqa: E402
from tests.huggingface.configs import SMALL  # noqa: E402

LAYERS = {"num_hidden_layers", "n_layer", "num_layers", "encoder_layers", "decoder_layers"}

STACKS = {  # how many stacks of layers each has
    "BertForMaskedLM": 1, "GPT2LMHeadModel": 1, "LlamaForCausalLM": 1,
    "MixtralForCausalLM": 1, "T5ForConditionalGeneration": 2,
    "WhisperForConditionalGeneration": 2, "CLIPModel": 2, "ViTForImageClassification": 1,
}


def _three_layers(values: dict) -> dict:
    out = {}
    for key, value in values.items():
        if isinstance(value, dict):
            out[key] = _three_layers(value)
        else:
            out[key] = 3 if key in LAYERS else value
    return out


def figure(name: str) -> Graph:
    values = ", ".join(f"{k}={v!r}" for k, v in _three_layers(SMALL[name]).items())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return netviz.diagram(f"hf:{name}({values})").graph


@pytest.mark.parametrize("name", sorted(STACKS))
def test_at_most_40_nodes_with_each_stack_folded(name: str) -> None:
    graph = figure(name)
    assert len(graph.nodes) <= 40, len(graph.nodes)
    folded = [c for c in graph.clusters if c.repeat > 1]
    assert len(folded) == STACKS[name], [c.title for c in graph.clusters]
    assert all("x (N - 1) = 1" not in c.title for c in graph.clusters)


def test_clip_pools_and_normalises_in_one_op_each() -> None:
    """CLIP's text tower pools its end-of-text token (``To/Eq/Int/Argmax/Getitem`` in code)
    and both towers L2-normalise their embeddings (``Pow/Sum/Pow/÷``): one box, one mark."""
    graph = figure("CLIPModel")
    texts = [n.label for n in graph.nodes]
    assert texts.count("Pool argmax token") == 1
    assert not {"Pow", "Sum", "÷", "Eq", "Int", "Argmax", "Getitem", "To"} & set(texts)
    assert [e.mark.label for e in graph.edges if e.mark is not None].count("L2") >= 2
