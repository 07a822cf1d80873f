"""Analytic multiply-accumulate counts (per sample) of the model families, layer by layer.

The convention of published model tables (torchvision's GFLOPS column, timm's GMACs):
one MAC per multiply-add of a conv (``output elements × C_in / groups × kH × kW``),
a linear layer (``output elements × in_features``: once per token), a matmul, and
attention (``2 × heads × N_q × N_k × d_head``: QKᵀ and A·V, on top of the q/k/v and
output projections, for ``nn.MultiheadAttention`` too); an LSTM layer costs
``4 × H × (in + H)`` per step and direction. Norms, activations, softmax, pools,
element-wise ops (residual adds, layer scale, position embeddings, masks) and
embedding lookups cost 0; biases are not counted.

These formulas know nothing of the modules: they are written from the architectures'
definitions, so a count that agrees with them (and with the published tables for the
full-size configurations, see ``PUBLISHED``) is checked independently.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

# -- one formula per layer kind --------------------------------------------------------


def conv(c_in: int, c_out: int, kernel: int, side: int, groups: int = 1) -> int:
    """A square conv producing a ``side x side`` map: ``out elems × C_in/groups × k²``."""
    return c_out * side * side * (c_in // groups) * kernel * kernel


def linear(tokens: int, f_in: int, f_out: int) -> int:
    """A linear layer applied to ``tokens`` vectors: ``tokens × f_in × f_out``."""
    return tokens * f_in * f_out


def attention(heads: int, n_q: int, n_k: int, d_head: int) -> int:
    """The two matmuls of attention, QKᵀ and A·V (projections not included)."""
    return 2 * heads * n_q * n_k * d_head


def lstm(steps: int, f_in: int, hidden: int, directions: int = 1) -> int:
    """One LSTM layer: four gates, ``4 × H × (in + H)`` per step and direction."""
    return steps * directions * 4 * hidden * (f_in + hidden)


def conv_out(side: int, kernel: int, stride: int = 1, padding: int = 0) -> int:
    """Output side of a conv (floor)."""
    return (side + 2 * padding - kernel) // stride + 1


def pool_out(side: int, kernel: int, stride: int, padding: int = 0, ceil: bool = False) -> int:
    """Output side of a max pool, with PyTorch's ``ceil_mode`` rule."""
    if not ceil:
        return conv_out(side, kernel, stride, padding)
    out = math.ceil((side + 2 * padding - kernel) / stride) + 1
    return out - 1 if (out - 1) * stride >= side + padding else out


# -- the families -------------------------------------------------------------------------


def vit_macs(image: int, patch: int, layers: int, heads: int, dim: int, mlp: int,
             classes: int) -> int:
    """ViT: patch-embedding conv, pre-norm blocks on ``N = patches + 1`` tokens, head."""
    grid = image // patch
    n = grid * grid + 1  # patches and the class token
    total = conv(3, dim, patch, grid)  # patch embedding
    block = (
        linear(n, dim, 3 * dim)  # q, k, v projections
        + attention(heads, n, n, dim // heads)  # QKᵀ and A·V
        + linear(n, dim, dim)  # output projection
        + linear(n, dim, mlp)  # MLP up
        + linear(n, mlp, dim)  # MLP down
    )
    return total + layers * block + linear(1, dim, classes)  # head on the class token


def swin_macs(image: int, patch: int, embed: int, depths: Sequence[int], heads: Sequence[int],
              window: int, classes: int) -> int:
    """Swin: patch embedding, window-attention blocks, patch merging, head."""
    side, dim = image // patch, embed
    total = conv(3, embed, patch, side)  # patch embedding
    for stage, (depth, h) in enumerate(zip(depths, heads)):
        tokens, n = side * side, window * window
        block = (
            linear(tokens, dim, 3 * dim)  # q, k, v projections
            + (tokens // n) * attention(h, n, n, dim // h)  # QKᵀ and A·V in every window
            + linear(tokens, dim, dim)  # output projection
            + linear(tokens, dim, 4 * dim)  # MLP up
            + linear(tokens, 4 * dim, dim)  # MLP down
        )
        total += depth * block
        if stage < len(depths) - 1:
            side //= 2
            total += linear(side * side, 4 * dim, 2 * dim)  # patch merging 4C → 2C
            dim *= 2
    return total + linear(1, dim, classes)


def convnext_macs(image: int, depths: Sequence[int], dims: Sequence[int], classes: int) -> int:
    """ConvNeXt: 4x4/4 stem, blocks (7x7 depthwise, MLP 4x on NHWC), 2x2/2 downsampling."""
    side = image // 4
    total = conv(3, dims[0], 4, side)  # stem
    for i, (depth, dim) in enumerate(zip(depths, dims)):
        if i:
            side //= 2
            total += conv(dims[i - 1], dim, 2, side)  # downsampling conv
        block = (
            conv(dim, dim, 7, side, groups=dim)  # depthwise 7x7
            + linear(side * side, dim, 4 * dim)  # pwconv1
            + linear(side * side, 4 * dim, dim)  # pwconv2
        )
        total += depth * block
    return total + linear(1, dims[-1], classes)


def densenet_macs(image: int, growth: int, blocks: Sequence[int], init: int, bn_size: int,
                  classes: int) -> int:
    """DenseNet-BC: stem, dense layers on the growing concat, transitions, classifier."""
    side = conv_out(image, 7, 2, 3)
    total = conv(3, init, 7, side)  # conv0
    side = pool_out(side, 3, 2, 1)  # pool0
    channels = init
    for i, layers in enumerate(blocks):
        for j in range(layers):
            c_in = channels + j * growth  # the concat of all earlier outputs
            total += conv(c_in, bn_size * growth, 1, side)  # conv1
            total += conv(bn_size * growth, growth, 3, side)  # conv2
        channels += layers * growth
        if i < len(blocks) - 1:
            total += conv(channels, channels // 2, 1, side)  # transition conv, then AvgPool 2
            channels //= 2
            side //= 2
    return total + linear(1, channels, classes)


def googlenet_macs(image: int, stem: Sequence[int], stages: Sequence[Sequence[Sequence[int]]],
                   branch3_kernel: int, classes: int) -> int:
    """GoogLeNet: stem, Inception modules (four branches), max pools, fc."""
    side = conv_out(image, 7, 2, 3)
    total = conv(3, stem[0], 7, side)  # conv1
    side = pool_out(side, 3, 2, ceil=True)  # maxpool1
    total += conv(stem[0], stem[1], 1, side) + conv(stem[1], stem[2], 3, side)  # conv2, conv3
    side = pool_out(side, 3, 2, ceil=True)  # maxpool2
    channels = stem[2]
    for s, modules in enumerate(stages):
        for c1, c3r, c3, c5r, c5, pool_proj in modules:
            total += conv(channels, c1, 1, side)  # branch1
            total += conv(channels, c3r, 1, side) + conv(c3r, c3, 3, side)  # branch2
            total += conv(channels, c5r, 1, side) + conv(c5r, c5, branch3_kernel, side)  # branch3
            total += conv(channels, pool_proj, 1, side)  # branch4 (after a 3x3/1 max pool)
            channels = c1 + c3 + c5 + pool_proj
        if s < len(stages) - 1:
            side = pool_out(side, 2 if s == len(stages) - 2 else 3, 2, ceil=True)
    return total + linear(1, channels, classes)


def mobilenet_v2_macs(image: int, setting: Sequence[Sequence[int]], stem: int, last: int,
                      classes: int) -> int:
    """MobileNetV2: stem, inverted residuals (expand, depthwise, project), last 1x1, classifier."""
    side = conv_out(image, 3, 2, 1)
    total = conv(3, stem, 3, side)  # features.0
    channels = stem
    for t, c_out, n, s in setting:
        for i in range(n):
            hidden = channels * t
            if t != 1:
                total += conv(channels, hidden, 1, side)  # expand
            side = conv_out(side, 3, s if i == 0 else 1, 1)
            total += conv(hidden, hidden, 3, side, groups=hidden)  # depthwise
            total += conv(hidden, c_out, 1, side)  # project
            channels = c_out
    total += conv(channels, last, 1, side)  # last 1x1
    return total + linear(1, last, classes)


def regnet_y_macs(image: int, widths: Sequence[int], depths: Sequence[int], group_width: int,
                  se_ratio: float, stem: int, classes: int) -> int:
    """RegNetY: stem, residual bottlenecks (1x1, 3x3 group conv, SE, 1x1), fc."""
    side = conv_out(image, 3, 2, 1)
    total = conv(3, stem, 3, side)  # stem
    channels = stem
    for width, depth in zip(widths, depths):
        for i in range(depth):
            out_side = conv_out(side, 3, 2 if i == 0 else 1, 1)
            if i == 0:
                total += conv(channels, width, 1, out_side)  # projection shortcut
            squeeze = round(se_ratio * channels)
            total += conv(channels, width, 1, side)  # a: 1x1
            total += conv(width, width, 3, out_side, groups=width // group_width)  # b: 3x3
            total += conv(width, squeeze, 1, 1) + conv(squeeze, width, 1, 1)  # SE fc1, fc2
            total += conv(width, width, 1, out_side)  # c: 1x1
            side, channels = out_side, width
    return total + linear(1, channels, classes)


def transformer_lm_macs(seq: int, vocab: int, dim: int, heads: int, layers: int, ff: int) -> int:
    """Embedding (0), encoder layers (MHA + MLP on every token), LM head on every token."""
    layer = (
        linear(seq, dim, 3 * dim)  # q, k, v projections
        + attention(heads, seq, seq, dim // heads)  # QKᵀ and A·V (full matrices, as published)
        + linear(seq, dim, dim)  # output projection
        + linear(seq, dim, ff)  # linear1
        + linear(seq, ff, dim)  # linear2
    )
    return layers * layer + linear(seq, dim, vocab)


def lstm_tagger_macs(seq: int, embedding: int, hidden: int, tags: int) -> int:
    """Embedding (0), a bidirectional LSTM layer, the tag classifier on every token."""
    return lstm(seq, embedding, hidden, directions=2) + linear(seq, 2 * hidden, tags)


# -- the zoo ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expected:
    """What netviz must report for one compact model.

    Attributes:
        macs: Analytic MACs per sample.
        widths: Every feature width a data node may show (the width the ops act on).
        main_width: A width that must appear in a data node (the embedding / channel width
            at a residual sum), or ``None`` when the model may have no data node.
        not_widths: Numbers that are *not* widths (token counts, spatial sizes).
    """

    macs: int
    widths: frozenset[int]
    main_width: int | None
    not_widths: frozenset[int]


MINI_GOOGLENET_STAGES = (
    ((8, 8, 16, 4, 8, 8), (16, 16, 24, 4, 12, 12)),
    ((16, 16, 24, 8, 12, 12),) * 3,
)

ZOO: dict[str, Expected] = {
    # 32x32, 8x8 patches: 16 + 1 tokens of width 48 (qkv 144, MLP 192)
    "vit_mini": Expected(
        vit_macs(32, 8, 3, 3, 48, 192, 10), frozenset({48, 144, 192}), 48,
        frozenset({17, 16, 4}),
    ),
    "vit_mini_qkv": Expected(
        vit_macs(32, 8, 3, 3, 48, 192, 10), frozenset({48, 144, 192}), 48,
        frozenset({17, 16, 4}),
    ),
    # NHWC maps: 16x16 of 24 channels, then 8x8 of 48 (qkv 3C, MLPs 4C, merging concat 4C)
    "swin_mini": Expected(
        swin_macs(32, 2, 24, [2, 2], [2, 4], 4, 10),
        frozenset({24, 48, 72, 96, 144, 192}), 24, frozenset({16, 8}),
    ),
    # 8x8 then 4x4 maps of 24 then 48 channels; 4C inside the NHWC MLP
    "convnext_mini": Expected(
        convnext_macs(32, [2, 2], [24, 48], 10),
        frozenset({24, 48, 96, 192}), 24, frozenset({8, 4}),
    ),
    # 16 stem channels; block 1: 16 → 40 (+8 each), transition → 20; block 2: 20 → 68;
    # bottlenecks 32; 8x8 then 4x4 maps (no residual sum: maybe no data node)
    "densenet_mini": Expected(
        densenet_macs(32, 8, [3, 6], 16, 4, 10),
        frozenset({16, 24, 32, 40, 20, 28, 36, 44, 52, 60, 68, 8}), None, frozenset({4}),
    ),
    # stem 16-16-32 (16x16, 8x8); inception3a → 40 and 3b → 64 on 4x4 maps, 4a-4c on 2x2;
    # branch widths 4 to 24
    "googlenet_mini": Expected(
        googlenet_macs(32, (16, 16, 32), MINI_GOOGLENET_STAGES, 5, 10),
        frozenset({16, 32, 40, 64, 8, 4, 24, 12}), None, frozenset({2}),
    ),
    # stem 16; stages 8, 16, 24; expansions 6x (48, 96, 144); last 64; maps 16, 16, 8, 4
    "mobilenet_v2_mini": Expected(
        mobilenet_v2_macs(32, [(1, 8, 1, 1), (6, 16, 2, 2), (6, 24, 3, 2)], 16, 64, 10),
        frozenset({8, 16, 24, 48, 96, 144, 64}), 16, frozenset({4}),
    ),
    # widths 16, 32, 64 with depths 1, 3, 2 (what BlockParams computes for these settings);
    # SE squeezes 4, 8, 16; maps 8, 4, 2
    "regnet_mini": Expected(
        regnet_y_macs(32, [16, 32, 64], [1, 3, 2], 8, 0.25, 16, 10),
        frozenset({4, 8, 16, 32, 64}), 32, frozenset({2}),
    ),
    # 16 tokens of width 32 (qkv 96 inside attention, MLP 64), vocabulary 100
    "transformer_lm_mini": Expected(
        transformer_lm_macs(16, 100, 32, 4, 2, 64), frozenset({32, 64, 96, 100}), None,
        frozenset({16}),
    ),
    # 16 tokens, embeddings 32, LSTM 2 x 24, 5 tags
    "lstm_tagger_mini": Expected(
        lstm_tagger_macs(16, 32, 24, 5), frozenset({32, 48, 5}), None, frozenset({16})
    ),
}
"""The compact registered models: analytic MACs and data-node widths."""

PUBLISHED: dict[str, tuple[int, int, float]] = {
    # name: (analytic MACs of the full-size configuration, torchvision's parameter count,
    #        torchvision's published GFLOPS, which are MACs)
    "vit_b_16": (vit_macs(224, 16, 12, 12, 768, 3072, 1000), 86_567_656, 17.564),
    "swin_t": (swin_macs(224, 4, 96, [2, 2, 6, 2], [3, 6, 12, 24], 7, 1000), 28_288_354, 4.491),
    "convnext_tiny": (convnext_macs(224, [3, 3, 9, 3], [96, 192, 384, 768], 1000),
                      28_589_128, 4.456),
    "densenet121": (densenet_macs(224, 32, [6, 12, 24, 16], 64, 4, 1000), 7_978_856, 2.834),
    "googlenet": (googlenet_macs(224, (64, 64, 192), (
        ((64, 96, 128, 16, 32, 32), (128, 128, 192, 32, 96, 64)),
        ((192, 96, 208, 16, 48, 64), (160, 112, 224, 24, 64, 64), (128, 128, 256, 24, 64, 64),
         (112, 144, 288, 32, 64, 64), (256, 160, 320, 32, 128, 128)),
        ((256, 160, 320, 32, 128, 128), (384, 192, 384, 48, 128, 128)),
    ), 3, 1000), 6_624_904, 1.498),
    "mobilenet_v2": (mobilenet_v2_macs(224, [
        (1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2),
        (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1),
    ], 32, 1280, 1000), 3_504_872, 0.301),
    # RegNetY-400MF: widths 48-104-208-440, depths 1-3-6-6 (Radosavovic et al., table of models)
    "regnet_y_400mf": (regnet_y_macs(224, [48, 104, 208, 440], [1, 3, 6, 6], 8, 0.25, 32, 1000),
                       4_344_144, 0.402),
}
"""Full-size configurations: analytic MACs next to torchvision's published numbers."""
