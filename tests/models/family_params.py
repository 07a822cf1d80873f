"""Analytic parameter counts of the model families, layer by layer.

Written from the architectures' definitions (weights and biases of each layer;
BatchNorm and LayerNorm have a weight and a bias per channel, their running
statistics are buffers), never from the modules, so a model whose
``sum(p.numel())`` equals these is checked against an independent source; the
full-size configurations equal torchvision's published counts too.
"""

from __future__ import annotations

from collections.abc import Sequence


def conv(c_in: int, c_out: int, kernel: int, groups: int = 1, bias: bool = True) -> int:
    """A square conv: ``C_out × C_in/groups × k²`` weights (+ ``C_out`` biases)."""
    return c_out * (c_in // groups) * kernel * kernel + (c_out if bias else 0)


def linear(f_in: int, f_out: int, bias: bool = True) -> int:
    """A linear layer: ``f_in × f_out`` weights (+ ``f_out`` biases)."""
    return f_in * f_out + (f_out if bias else 0)


def norm(channels: int) -> int:
    """BatchNorm / LayerNorm: a weight and a bias per channel."""
    return 2 * channels


def conv_bn(c_in: int, c_out: int, kernel: int, groups: int = 1) -> int:
    """Conv without bias, then BN."""
    return conv(c_in, c_out, kernel, groups, bias=False) + norm(c_out)


def mha(dim: int) -> int:
    """``nn.MultiheadAttention`` / a qkv attention: in-projection 3D x D, out-projection D x D."""
    return linear(dim, 3 * dim) + linear(dim, dim)


def vit_params(image: int, patch: int, layers: int, dim: int, mlp: int, classes: int) -> int:
    """ViT: patch conv, class token, position embedding, blocks, final LN, head."""
    tokens = (image // patch) ** 2 + 1
    block = norm(dim) + mha(dim) + norm(dim) + linear(dim, mlp) + linear(mlp, dim)
    return (
        conv(3, dim, patch)  # conv_proj
        + dim  # class_token
        + tokens * dim  # pos_embedding
        + layers * block
        + norm(dim)  # encoder.ln
        + linear(dim, classes)  # heads.head
    )


def swin_params(patch: int, embed: int, depths: Sequence[int], heads: Sequence[int],
                window: int, classes: int) -> int:
    """Swin: patch conv + LN, blocks (with relative-position tables), patch merging, head."""
    total = conv(3, embed, patch) + norm(embed)
    dim = embed
    for stage, (depth, h) in enumerate(zip(depths, heads)):
        table = (2 * window - 1) ** 2 * h  # relative_position_bias_table
        mlp = linear(dim, 4 * dim) + linear(4 * dim, dim)
        block = norm(dim) + mha(dim) + table + norm(dim) + mlp
        total += depth * block
        if stage < len(depths) - 1:
            total += norm(4 * dim) + linear(4 * dim, 2 * dim, bias=False)  # patch merging
            dim *= 2
    return total + norm(dim) + linear(dim, classes)


def convnext_params(depths: Sequence[int], dims: Sequence[int], classes: int) -> int:
    """ConvNeXt: stem conv + LN, downsampling LN + conv, blocks with layer scale, LN, head."""
    total = conv(3, dims[0], 4) + norm(dims[0])
    for i, (depth, dim) in enumerate(zip(depths, dims)):
        if i:
            total += norm(dims[i - 1]) + conv(dims[i - 1], dim, 2)
        block = (
            conv(dim, dim, 7, groups=dim)  # dwconv
            + norm(dim)
            + linear(dim, 4 * dim)  # pwconv1
            + linear(4 * dim, dim)  # pwconv2
            + dim  # gamma
        )
        total += depth * block
    return total + norm(dims[-1]) + linear(dims[-1], classes)


def densenet_params(growth: int, blocks: Sequence[int], init: int, bn_size: int,
                    classes: int) -> int:
    """DenseNet-BC: stem, dense layers, transitions, final BN, classifier."""
    total = conv(3, init, 7, bias=False) + norm(init)
    channels = init
    inner = bn_size * growth
    for i, layers in enumerate(blocks):
        for j in range(layers):
            c_in = channels + j * growth
            total += norm(c_in) + conv(c_in, inner, 1, bias=False)
            total += norm(inner) + conv(inner, growth, 3, bias=False)
        channels += layers * growth
        if i < len(blocks) - 1:
            total += norm(channels) + conv(channels, channels // 2, 1, bias=False)
            channels //= 2
    return total + norm(channels) + linear(channels, classes)


def googlenet_params(stem: Sequence[int], stages: Sequence[Sequence[Sequence[int]]],
                     branch3_kernel: int, classes: int) -> int:
    """GoogLeNet: BasicConv2d stem, Inception modules (four branches), fc."""
    total = conv_bn(3, stem[0], 7) + conv_bn(stem[0], stem[1], 1) + conv_bn(stem[1], stem[2], 3)
    channels = stem[2]
    for modules in stages:
        for c1, c3r, c3, c5r, c5, pool_proj in modules:
            total += conv_bn(channels, c1, 1)
            total += conv_bn(channels, c3r, 1) + conv_bn(c3r, c3, 3)
            total += conv_bn(channels, c5r, 1) + conv_bn(c5r, c5, branch3_kernel)
            total += conv_bn(channels, pool_proj, 1)
            channels = c1 + c3 + c5 + pool_proj
    return total + linear(channels, classes)


def mobilenet_v2_params(setting: Sequence[Sequence[int]], stem: int, last: int,
                        classes: int) -> int:
    """MobileNetV2: stem, inverted residuals, last 1x1, classifier."""
    total = conv_bn(3, stem, 3)
    channels = stem
    for t, c_out, n, _ in setting:
        for _ in range(n):
            hidden = channels * t
            if t != 1:
                total += conv_bn(channels, hidden, 1)  # expand
            total += conv_bn(hidden, hidden, 3, groups=hidden)  # depthwise
            total += conv_bn(hidden, c_out, 1)  # project + BN
            channels = c_out
    return total + conv_bn(channels, last, 1) + linear(last, classes)


def regnet_y_params(widths: Sequence[int], depths: Sequence[int], group_width: int,
                    se_ratio: float, stem: int, classes: int) -> int:
    """RegNetY: stem, residual bottlenecks with SE, fc."""
    total = conv_bn(3, stem, 3)
    channels = stem
    for width, depth in zip(widths, depths):
        for i in range(depth):
            if i == 0:
                total += conv_bn(channels, width, 1)  # projection
            squeeze = round(se_ratio * channels)
            total += conv_bn(channels, width, 1)  # a
            total += conv_bn(width, width, 3, groups=width // group_width)  # b
            total += conv(width, squeeze, 1) + conv(squeeze, width, 1)  # se.fc1, se.fc2
            total += conv_bn(width, width, 1)  # c
            channels = width
    return total + linear(channels, classes)


def transformer_lm_params(vocab: int, dim: int, layers: int, ff: int, max_len: int) -> int:
    """Token and position embeddings, encoder layers, final LN, LM head."""
    layer = mha(dim) + linear(dim, ff) + linear(ff, dim) + norm(dim) + norm(dim)
    return vocab * dim + max_len * dim + layers * layer + norm(dim) + linear(dim, vocab)


def lstm_tagger_params(vocab: int, embedding: int, hidden: int, tags: int) -> int:
    """Embedding, a bidirectional LSTM layer (two biases per gate set), classifier."""
    direction = 4 * hidden * embedding + 4 * hidden * hidden + 2 * 4 * hidden
    return vocab * embedding + 2 * direction + linear(2 * hidden, tags)
