"""The pipeline loads the transforms a graph does not need only when it needs them.

A cold render pays for every module it imports: a convolutional network has no
attention to collapse and its folded figure fits a page, so the pipeline imports
attention and page collapsing only for a graph with an op an attention core starts from
or a figure over the page, and the modules those use (stages, spans, graphlib; the
depth collapsing for ``--depth``) only where they run. The steps give what the
transforms give, over random residual networks at every point of the pipeline.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import warnings

import torch
from hypothesis import given
from torch import nn

from netviz.ir import Graph, Kind
from netviz.tracing import trace_model
from netviz.transforms import NotationOptions, to_notation
from netviz.transforms import attention, collapse, fold, pipeline
from tests.properties import steady
from tests.robustness.random_nets import NetSpec, build, net_specs


def test_the_step_and_the_transform_agree_on_what_starts_a_core() -> None:
    assert pipeline.ATTENTION_TRAITS == attention.CORE_TRAITS
    assert collapse.PAGE == fold.PAGE


def _trace(spec: NetSpec) -> Graph:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return trace_model(build(spec, "meta"), [(3, spec.size, spec.size)], name="net")


@steady(30)
@given(net_specs())
def test_the_lazy_steps_give_what_the_transforms_give(spec: NetSpec) -> None:
    graph = _trace(spec)
    for options in (NotationOptions(), NotationOptions(shapes=True)):
        for name, step in pipeline.pipeline(options):
            assert pipeline._collapse_attention(graph) == attention.collapse_attention(graph)
            assert pipeline._collapse_to_page(graph) == collapse.collapse_to_page(graph)
            graph = step(graph)
        graph = _trace(spec)


class _Attention(nn.Module):
    """One head of self-attention written out: softmax(q kᵀ / √d) v."""

    def __init__(self) -> None:
        super().__init__()
        self.q, self.k, self.v = nn.Linear(8, 8), nn.Linear(8, 8), nn.Linear(8, 8)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        scores = self.q(x) @ self.k(x).transpose(-2, -1) / 8 ** 0.5
        return torch.softmax(scores, dim=-1) @ self.v(x)


def test_a_graph_with_attention_still_has_it_collapsed() -> None:
    graph = trace_model(_Attention(), [(4, 8)], name="attention")
    assert any(n.type_name == "softmax" for n in graph.nodes)
    drawn = to_notation(graph)
    assert [n.kind for n in drawn.nodes].count(Kind.ATTENTION) == 1
    assert not any(n.type_name == "softmax" for n in drawn.nodes)


def test_a_convnet_notation_loads_no_attention_nor_page_collapsing() -> None:
    """In a fresh interpreter: the notation graph of a small residual network."""
    code = textwrap.dedent("""
        import sys, warnings
        warnings.simplefilter("ignore")
        from netviz.tracing import trace_model
        from netviz.transforms import to_notation
        from tests.robustness.random_nets import NetSpec, build
        spec = NetSpec(stem=8, widths=(8, 16), strides=(1, 2), blocks=(2, 2),
                       block="basic", order="post", norm="batch", act="relu",
                       functional=False, head=True, size=16)
        graph = to_notation(trace_model(build(spec, "meta"), [(3, 16, 16)], name="net"))
        assert graph.clusters and len(graph.nodes) <= 60
        print(sorted(m for m in sys.modules if m.startswith(("netviz.transforms", "graphlib"))))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    loaded = eval(out)  # a list of module names
    for module in ("attention", "collapse", "spans", "stages", "depth"):
        assert f"netviz.transforms.{module}" not in loaded, module
    assert "graphlib" not in loaded
    assert "netviz.transforms.fold" in loaded  # the check sees what was loaded
