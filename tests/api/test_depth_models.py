"""``--depth N`` on real models: ResNet-50 per stage and per block, a Llama per decoder
layer; each box's counts are its module's own (counted on the module), and with
``--annotate`` the boxes and the rest add up to the model's totals."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest
import torch

import netviz
from netviz.cli import main
from netviz.ir import Graph
from netviz.ir.accounting import count_macs, count_params
from netviz_models.resnet import resnet50
from tests.renderers.dot_parse import parse_dot

RESNET50_MACS = 4_089_184_256
"""ResNet-50's multiply-accumulates at 224x224 (torchvision's table: 4.09 GFLOPS)."""


def boxes(graph: Graph) -> list[str]:
    return [n.label for n in graph.nodes if n.attr("box") is not None]


@pytest.fixture(scope="module")
def model() -> torch.nn.Module:
    return resnet50().eval()


def test_resnet50_at_depth_1_is_a_dozen_nodes_one_box_per_stage(model: torch.nn.Module) -> None:
    graph = netviz.diagram("resnet50", depth=1).graph
    assert len(graph.nodes) <= 12
    assert boxes(graph) == [
        "Bottleneck x 3, 64C → 256C", "Bottleneck x 4, 256C → 512C",
        "Bottleneck x 6, 512C → 1024C", "Bottleneck x 3, 1024C → 2048C",
    ]
    stages = [n for n in graph.nodes if n.attr("box") is not None]
    for node, stage in zip(stages, (model.layer1, model.layer2, model.layer3, model.layer4)):
        assert node.params == sum(p.numel() for p in stage.parameters())
    assert count_params(graph) == sum(p.numel() for p in model.parameters())
    assert count_macs(graph) == RESNET50_MACS


def test_resnet50_at_depth_2_folds_the_identical_bottlenecks(model: torch.nn.Module) -> None:
    graph = netviz.diagram("resnet50", depth=2).graph
    assert boxes(graph) == [
        "Bottleneck 64C → 256C", "Bottleneck x 2, 256C → 256C",
        "Bottleneck 256C → 512C", "Bottleneck x 3, 512C → 512C",
        "Bottleneck 512C → 1024C", "Bottleneck x 5, 1024C → 1024C",
        "Bottleneck 1024C → 2048C", "Bottleneck x 2, 2048C → 2048C",
    ]
    assert len(graph.nodes) == 14
    second = next(n for n in graph.nodes if n.label == "Bottleneck x 5, 1024C → 1024C")
    assert second.params == sum(p.numel() for b in list(model.layer3)[1:] for p in b.parameters())


def _counts(line: str) -> tuple[int, float]:
    """``75,008 params · 231.21 M MACs each`` → (75008, 231.21e6)."""
    params = int(re.search(r"([\d,]+) params", line).group(1).replace(",", ""))  # type: ignore[union-attr]
    number, unit = re.search(r"([\d.]+) ([MG]) MACs", line).groups()  # type: ignore[union-attr]
    return params, float(number) * (1e6 if unit == "M" else 1e9)


def _macs(module: torch.nn.Module, shape: tuple[int, ...]) -> int:
    """MACs of one eager forward, counted by torch's FlopCounterMode (2 FLOPs a MAC)."""
    from torch.utils.flop_counter import FlopCounterMode

    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        module(torch.zeros(1, *shape))
    return counter.get_total_flops() // 2


def test_annotated_boxes_carry_their_modules_counts_and_add_up(
    model: torch.nn.Module, tmp_path: Path
) -> None:
    out = tmp_path / "r50.dot"
    assert main(["render", "resnet50", "--depth", "2", "--annotate", "params,macs",
                 "-o", str(out)]) == 0
    figure = parse_dot(out.read_text())
    texts = [a.get("label", "").replace("\\n", "\n") for a in figure.nodes.values()]
    lines = {t.split("\n")[0]: t.split("\n")[1] for t in texts if "params" in t}
    blocks = [b for layer in (model.layer1, model.layer2, model.layer3, model.layer4)
              for b in layer]
    first = lines["Bottleneck 64C → 256C"]
    assert _counts(first)[0] == sum(p.numel() for p in blocks[0].parameters())
    assert _counts(first)[1] == pytest.approx(_macs(blocks[0], (64, 56, 56)), abs=0.006e6)
    each = lines["Bottleneck x 5, 1024C → 1024C"]
    assert each.endswith(" each")
    assert _counts(each)[0] == sum(p.numel() for p in blocks[8].parameters())
    total_params = 0
    total_macs = 0.0
    for text, line in lines.items():
        repeat = int(m.group(1)) if (m := re.search(r" x (\d+),", text)) else 1
        params, macs = _counts(line)
        total_params += params * repeat
        total_macs += macs * repeat
    rest = [model.conv1, model.bn1, model.fc]
    assert total_params + sum(p.numel() for m in rest for p in m.parameters()) == sum(
        p.numel() for p in model.parameters())
    assert figure.graph["label"] == "25,557,032 params · 4.09 G MACs"
    stem_and_head = _macs(torch.nn.Sequential(model.conv1), (3, 224, 224)) + 2048 * 1000
    assert total_macs + stem_and_head == pytest.approx(RESNET50_MACS, rel=1e-4)


@pytest.fixture(scope="module")
def llama() -> torch.nn.Module:
    transformers = pytest.importorskip("transformers")
    config = transformers.LlamaConfig(
        vocab_size=128, hidden_size=16, intermediate_size=32, num_hidden_layers=32,
        num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=32)
    return transformers.LlamaForCausalLM(config).eval()


def test_a_llama_at_depth_2_is_its_embedding_one_decoder_layer_box_norm_and_head(
    llama: torch.nn.Module,
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.fx cannot trace it: hooks, said once
        graph = netviz.diagram(llama, [(8,)], input_dtypes=["int64"], depth=2).graph
    assert [n.label for n in graph.nodes] == [
        "Input 8 tokens", "Embedding 16D", "LlamaRotaryEmbedding",
        "LlamaDecoderLayer x 32, 16D → 16D",
        "Linear 128D", "Output logits",
    ]
    # the final LlamaRMSNorm computes an RMS norm: the norm mark on the head's edge
    assert [e.mark.label for e in graph.edges if e.mark is not None] == ["RMSNorm"]
    layers = graph.nodes[3]
    assert layers.params == sum(p.numel() for p in llama.model.layers.parameters())
    assert count_params(graph) == sum(p.numel() for p in llama.parameters())


@pytest.mark.parametrize("value", ["-1", "two", "1.5"])
def test_a_bad_depth_is_one_line_exit_2_and_no_file(
    value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "x.svg"
    assert main(["render", "wrn28_2", "--depth", value, "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("netviz: error: ") and "depth must be" in err
    assert err.count("\n") == 1
    assert not out.exists()
