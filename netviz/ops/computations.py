"""What modules of any class are recognised by: the computations of the op table.

A model library writes its own classes for ops torch has (``LlamaRMSNorm``,
``T5LayerNorm``, GPT-2's ``Conv1D``, ``NewGELUActivation``, ``QuickGELUActivation``).
Each is drawn as the op it computes, read from the ops its forward calls, never
from its class's name: the signatures here are attached to the table's entries
(``computes=``), and [`recognize`][netviz.ops.recognize] matches a module's ops
against them. Ops that change no values (views, casts, size queries) are ignored.
"""

from __future__ import annotations

from netviz.ir.kinds import Kind
from netviz.ops import shows
from netviz.ops.record import Op, computes

PASSIVE = frozenset({"to", "float", "half", "bfloat16", "double", "type", "type_as", "size",
                     "dim", "get", "clone"})
"""Calls that change no values (besides the table's views and dropouts)."""

LINEAR = (computes("addmm"), computes("matmul", "add"), computes("linear", "add"))
"""A projection on the module's own weight: GPT-2's ``Conv1D`` (``addmm`` on a transposed
weight), ``x @ W + b``, a class wrapping ``F.linear``."""

RMS_NORM = (computes("mean rsqrt", "pow mul add"), computes("mean sqrt", "pow mul add div"),
            computes("rms_norm", "mul add"))
"""``x * rsqrt(mean(x²) + ε) * w`` (no mean subtracted): ``LlamaRMSNorm``, ``T5LayerNorm``,
Gemma's ``(1 + w)`` form."""

LAYER_NORM = (computes("mean sub rsqrt", "pow mul add var"),
              computes("mean sub sqrt", "pow mul add div var"), computes("layer_norm", "mul add"))
"""``(x - mean) / sqrt(var + ε) * w + b`` written out, or a class wrapping ``F.layer_norm``
(channels-first layer norms)."""

GELU = (computes("tanh pow", "mul add"), computes("tanh mul add", scalar=True),
        computes("erf", "mul add div"), computes("gelu", "clamp clip"))
"""GELU's tanh approximation written out (GPT-2's ``NewGELUActivation``, ``FastGELU``),
its erf form, a class wrapping ``F.gelu`` (and clipping it)."""

EMBEDDING = (computes("embedding", "mul"),)
"""A table lookup, scaled or not (Gemma's ``x_embed * sqrt(d)``)."""

SILU = (computes("sigmoid mul", scalar=False),)
"""``x * sigmoid(x)``."""

QUICK_GELU = (computes("sigmoid mul", scalar=True),)
"""``x * sigmoid(1.702 x)`` (CLIP's ``QuickGELUActivation``)."""

ROTATION = (computes("neg cat mul add", only=False), computes("neg stack mul add", only=False),
            computes("sub add mul cat", only=False),
            computes("view_as_complex mul view_as_real", only=False))
"""Rotary position embeddings applied inside attention: ``x cos + rotate_half(x) sin``
(halves swapped with a sign, or interleaved pairs), ``(x₁ cos - x₂ sin, x₂ cos + x₁ sin)``
written out, or a product of complex numbers."""

EXPERTS = (computes("_grouped_mm", only=False), computes("repeat_interleave bmm", only=False),
           computes("repeat_interleave matmul", only=False))
"""A mixture of experts: tokens through their experts' matrices in one grouped product, or
each token copied k times through its experts' matrices picked per copy (batched products;
transformers' path on the meta device)."""

L2_NORM = (computes("pow sum div", "sqrt clamp clamp_min add"),
           computes("norm div", "clamp clamp_min add"),
           computes("linalg_vector_norm div", "clamp clamp_min add"))
"""``x / ‖x‖₂`` along an axis, the norm written out (``x.pow(2).sum(-1, keepdim=True).pow(0.5)``,
a ``sqrt``, an ε) or a norm call: CLIP's output embeddings. The exponents (2, then ½) are
checked where the chain is found ([`collapse_reductions`][netviz.transforms.reductions])."""

ARGMAX_PICK = (computes("argmax", "eq ne int long"),)
"""``h[arange(n), argmax(ids == eos)]``: the row of a tensor at an index found by
``argmax`` over values computed from nothing but the index's source (each sequence's
end-of-text token pooled: CLIP's text tower); the selection itself (a view) is checked
where the chain is found."""

RECOGNISED = (
    Op("quick_gelu", Kind.ACT, name="QuickGELU", computes=QUICK_GELU),
    Op("rotary_embedding", Kind.OTHER, name="RoPE", traits=frozenset({"rotary"}),
       computes=ROTATION),
    Op("rotary_table", Kind.OTHER, name="RoPE cos/sin", traits=frozenset({"rotary_table"})),
    Op("mixture_of_experts", Kind.OTHER, name="MoE", traits=frozenset({"moe"}),
       label=shows.experts_label, computes=EXPERTS),
    Op("l2_norm", Kind.NORM, name="L2Norm", short="L2", traits=frozenset({"l2_norm"}),
       computes=L2_NORM),
    Op("argmax_pick", Kind.OTHER, name="Pool argmax token", traits=frozenset({"argmax_pick"}),
       computes=ARGMAX_PICK),
)
"""Ops torch has no layer or function for, met only by what a module computes (or, for the
rotation's table, by what it feeds: only attention that applies rotary embeddings)."""
