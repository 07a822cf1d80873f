"""The long tail folds to a page, whoever wrote it (issue 21 items 1 and 5, issue 19 item 4).

Every model of [`tests.zoo.families`][] is written the way its family's code is, not
like netviz's builders. Each must draw in at most a page of nodes, and what the folded
figure stands for must add up to the model: parameters to
``sum(p.numel() for p in model.parameters())``, MACs to torch's ``FlopCounterMode``
over a real forward (half its FLOPs: one multiply-add is two), conv and linear calls
to the modules the model holds (each is called once), and the per-group summary to
its totals.
"""

from __future__ import annotations

import graphlib
import json
import warnings
from dataclasses import dataclass

import pytest
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

import netviz
from netviz.ir import Graph, Kind
from netviz.ir.accounting import count_macs, count_ops, count_params
from tests.zoo import families

PAGE = 60


@dataclass(frozen=True)
class Family:
    """A zoo model's input and the titles its folded figure must have."""

    shapes: tuple[tuple[int, ...], ...]
    dtypes: tuple[str, ...] | None = None

    def inputs(self) -> list[torch.Tensor]:
        dtypes = self.dtypes or ("float32",) * len(self.shapes)
        return [torch.randint(0, 50, (1, *s)) if d == "int64" else torch.randn(1, *s)
                for s, d in zip(self.shapes, dtypes)]


FAMILIES = {
    "ConvMixerLike": Family(((3, 32, 32),)),
    "HRNetLike": Family(((3, 32, 32),)),
    "Res2NetLike": Family(((3, 32, 32),)),
    "SKNetLike": Family(((3, 32, 32),)),
    "EfficientNetLike": Family(((3, 64, 64),)),
    "NASNetLike": Family(((3, 16, 16),)),
    "HybridLike": Family(((3, 64, 64),)),
    "MultiScaleHeadLike": Family(((3, 32, 32),)),
    "CoaTLike": Family(((3, 64, 64),)),
    "BertLike": Family(((16,),), ("int64",)),
    "EncoderDecoderLike": Family(((16,), (8,)), ("int64", "int64")),
    "GPT2LMLike": Family(((16,),), ("int64",)),
}


def build_family(name: str) -> nn.Module:
    torch.manual_seed(0)
    return getattr(families, name)().eval()


_graphs: dict[tuple[str, bool], Graph] = {}


def graph(name: str, *, fold: bool = True) -> Graph:
    """The notation graph of a zoo model (drawn once per test session)."""
    if (name, fold) not in _graphs:
        family = FAMILIES[name]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _graphs[name, fold] = netviz.diagram(
                build_family(name), list(family.shapes), fold=fold,
                input_dtypes=list(family.dtypes) if family.dtypes else None).graph
    return _graphs[name, fold]


def titles(name: str) -> list[str]:
    return [c.title for c in graph(name).clusters]


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_every_family_folds_to_a_page(name: str) -> None:
    folded, whole = graph(name), graph(name, fold=False)
    assert len(folded.nodes) <= PAGE < len(whole.nodes), (len(whole.nodes), len(folded.nodes))


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_folded_counts_add_up_to_the_model(name: str) -> None:
    model = build_family(name)
    calls = {nn.Conv2d: 0, nn.Linear: 0}  # a shared module is called once per caller

    def count_call(module: nn.Module, args: object) -> None:
        calls[type(module)] += 1

    hooks = [m.register_forward_pre_hook(count_call) for m in model.modules()
             if type(m) in calls]
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        model(*FAMILIES[name].inputs())
    for hook in hooks:
        hook.remove()
    params = sum(p.numel() for p in model.parameters())
    convs, linears = calls[nn.Conv2d], calls[nn.Linear]
    for drawn in (graph(name), graph(name, fold=False)):
        assert count_params(drawn) == params
        assert count_macs(drawn) == counter.get_total_flops() // 2
        assert count_ops(drawn, Kind.CONV) == convs
        assert count_ops(drawn, Kind.LINEAR) == linears
    for kind in (Kind.ADD, Kind.CAT, Kind.ATTENTION, Kind.NORM):
        assert count_ops(graph(name), kind) == count_ops(graph(name, fold=False), kind), kind


@pytest.mark.parametrize("name", ["ConvMixerLike", "NASNetLike", "HybridLike", "BertLike"])
def test_the_summary_per_group_adds_up_to_its_totals(name: str) -> None:
    family = FAMILIES[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        summary = json.loads(netviz.summary(
            build_family(name), "json", input_shapes=list(family.shapes), by_group=True,
            input_dtypes=list(family.dtypes) if family.dtypes else None))
    rows = summary["rows"]
    assert sum(r["params"] for r in rows) == summary["total_params"]
    assert sum(r["mult_adds"] for r in rows) == summary["mult_adds"]
    clustered = [r for r in rows if r["group"].startswith("Group")]
    assert [r["group"] for r in clustered] == titles(name)


def test_a_wrapper_residual_repeated_folds_into_one_cluster() -> None:
    # Sequential(Residual(Sequential(dwconv, GELU, BN)), conv1x1, GELU, BN) x 24
    assert titles("ConvMixerLike") == ["Group 0 x N = 24"]


def test_each_multi_resolution_module_is_one_cluster() -> None:
    folded = graph("HRNetLike")
    assert titles("HRNetLike") == ["Group 0 High resolution module", "Group 1 x N = 2"]
    first, rest = folded.clusters
    assert first.blocks == ("stage2",) and rest.blocks == ("stage3.0", "stage3.1")
    # both streams in (two data nodes), both out, and every fuse conv inside
    for cluster, streams in ((first, 2), (rest, 3)):
        data = [i for i in cluster.node_ids if folded.node(i).kind is Kind.DATA]
        assert len(data) == streams
    assert all(folded.cluster_of(n.id) is not None for n in folded.nodes
               if n.kind is Kind.CONV and ".fuse_layers." in n.scope)


def test_split_and_concat_blocks_fold_by_stage() -> None:
    folded = graph("Res2NetLike")
    assert sum(c.repeat for c in folded.clusters) == sum(families.Res2NetLike().stages[i].__len__()
                                                         for i in range(3))
    assert all("Bottle2neck" in t for t in titles("Res2NetLike"))


def test_selective_kernel_blocks_keep_their_stages() -> None:
    assert titles("SKNetLike") == [
        "Group 0 x N = 2",
        "Group 1 Projection", "Group 1 Block 1",
        "Group 2 Projection", "Group 2 Block 1",
        "Group 3 Projection", "Group 3 Block 1",
    ]


def test_stages_differing_only_in_width_fold_with_their_channel_ranges() -> None:
    expected, cin = [], 16
    for group, (width, _, _, repeats) in enumerate(families.EfficientNetLike.STAGES):
        if repeats == 1:
            expected.append(f"Group {group} Inverted residual")
        else:
            expected.append(f"Group {group} Inverted residual x {repeats}, {cin}C → {width}C")
        cin = width
    assert titles("EfficientNetLike") == expected


def test_nas_cells_fold_by_their_repeated_cell() -> None:
    folded = graph("NASNetLike")
    assert sum(c.repeat for c in folded.clusters) == len(families.NASNetLike().cells)
    # stages 1 and 2 (a reduction cell, then four normal cells, the first of which reads
    # the reduction's input at twice the resolution) fold into one cluster per place,
    # each titled by the cells of each stage it stands for
    assert titles("NASNetLike") == [
        "Group 0 Normal cell x 4, 32C → 40C",
        "Groups 1-2 Block 0 of each: Normal cell x 2, 40C → 160C",
        "Groups 1-2 Block 1 of each: Normal cell x 2, 80C → 160C",
        "Groups 1-2 Blocks 2-4 of each: Normal cell x 6, 80C → 160C",
    ]


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_cluster_titles_are_unique(name: str) -> None:
    assert len(set(titles(name))) == len(titles(name)), titles(name)


def test_stages_alike_but_for_their_widths_fold_across_stages() -> None:
    model = families.HybridLike()
    folded = graph("HybridLike")
    assert sum(c.repeat for c in folded.clusters) == sum(len(s.blocks) for s in model.stages)
    # ten stages of two or three conv encoders then a hybrid block each
    assert titles("HybridLike")[2:] == [
        "Groups 1-10 Blocks 0-1 or 0-2 of each: Conv encoder x 24, 16C → 88C",
        "Groups 1-10 Block 2 or 3 of each: Hybrid block x 10, 16C → 88C",
    ]


def test_a_module_shared_by_blocks_runs_inside_each_caller() -> None:
    # one ConvPosEnc per stage (cpe1 ...), called first thing by each of its serial blocks
    folded = graph("CoaTLike")
    assert titles("CoaTLike") == [f"Group {g} Serial block x 2" for g in range(4)]
    assert all(".".join(c.blocks[0].split(".")[:-1]).startswith("serial_blocks")
               for c in folded.clusters)
    shared = [n for n in graph("CoaTLike", fold=False).nodes if n.scope.startswith("cpe")]
    assert len(shared) >= 16  # every call of the four encodings drawn (two per stage) ...
    clusters = graph("CoaTLike", fold=False).clusters
    assert len(clusters) == 8  # ... inside its caller's cluster, none of its own
    assert all(any(n.id in c.node_ids for c in clusters) for n in shared)


def test_an_encoder_is_one_cluster_of_its_layers() -> None:
    assert titles("BertLike") == ["Group 0 x N = 12"]  # no Projection, no embedding block


def test_gpt2s_embeddings_sum_does_not_make_the_model_one_block() -> None:
    assert titles("GPT2LMLike") == ["Group 0 x N = 12"]


def test_both_stacks_fold_and_the_encoder_output_enters_cross_attention() -> None:
    folded = graph("EncoderDecoderLike")
    assert titles("EncoderDecoderLike") == ["Group 0 x N = 6", "Group 1 x N = 6"]
    encoder, decoder = folded.clusters
    assert encoder.blocks[0].startswith("encoder.") and decoder.blocks[0].startswith("decoder.")
    inside = set(decoder.node_ids)
    memory = [e for i in decoder.node_ids for e in folded.in_edges(i)
              if e.src not in inside and folded.node(e.src).scope.startswith("encoder")]
    assert memory, "the encoder's output enters no decoder layer"
    (entry,) = {e.dst for e in memory}
    readers = {folded.node(e.dst).kind for e in folded.out_edges(entry)}
    assert Kind.ATTENTION in readers  # the cross-attention reads it


def test_a_block_with_two_outputs_collapses_into_a_box_with_both_arrows() -> None:
    # the state mixer returns the map and its hidden state, which leaves the stage for a
    # head: over a page, such modules become boxes with an arrow per output, and the
    # figure stays acyclic (no box whose output comes back into it)
    folded = graph("MultiScaleHeadLike")
    boxes = [n for n in folded.nodes if n.type_name == "module" and n.label == "State mixer"]
    assert boxes and all(len({e.dst for e in folded.out_edges(n.id)}) == 2 for n in boxes)
    sorter = graphlib.TopologicalSorter({n.id: [e.src for e in folded.in_edges(n.id)]
                                         for n in folded.nodes})
    assert len(list(sorter.static_order())) == len(folded.nodes)  # raises on a cycle
