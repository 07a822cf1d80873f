"""Small models written the way the long tail of architecture families writes its code.

Each class builds with no arguments (so each is also a file spec,
``tests/zoo/families.py:ConvMixerLike``), small enough to run a real forward on the CPU
in milliseconds, and is written like its family's reference code, not like netviz's own
builders: a generic ``Residual`` wrapper around a ``Sequential`` (ConvMixer), parallel
resolution streams with fuse layers (HRNet), split-and-concat scales (Res2Net),
selective kernels (SKNet), stages whose blocks differ only in width (EfficientNet), NAS
cells with ``comb_iter`` branches, blocks handing a hidden state to a multi-scale head
(EfficientViM), a position encoding shared by a stage's blocks (CoaT), stages alike but for their widths (EdgeNeXt), and
transformer stacks written like ``transformers``' (a BERT-like encoder, an
encoder-decoder with cross-attention, a GPT-2-like LM). [`FAMILIES`][] says what each
takes as input and how its figure must fold.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

# -- convolutional families ------------------------------------------------------------------


class Residual(nn.Module):
    """ConvMixer's wrapper: ``fn(x) + x``."""

    def __init__(self, fn: nn.Module) -> None:
        super().__init__()
        self.fn = fn

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fn(x) + x


class ConvMixerLike(nn.Sequential):
    """ConvMixer as its paper writes it: a patch stem, then ``depth`` times
    ``Sequential(Residual(Sequential(dwconv, GELU, BN)), conv1x1, GELU, BN)``."""

    def __init__(self, dim: int = 16, depth: int = 24, kernel: int = 5, patch: int = 4) -> None:
        super().__init__(
            nn.Conv2d(3, dim, patch, stride=patch), nn.GELU(), nn.BatchNorm2d(dim),
            *[nn.Sequential(
                Residual(nn.Sequential(
                    nn.Conv2d(dim, dim, kernel, groups=dim, padding="same"),
                    nn.GELU(), nn.BatchNorm2d(dim))),
                nn.Conv2d(dim, dim, 1), nn.GELU(), nn.BatchNorm2d(dim),
            ) for _ in range(depth)],
            nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.Linear(dim, 10),
        )


class BasicBlock(nn.Module):
    """ResNet's basic block (identity shortcut)."""

    def __init__(self, width: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(width, width, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(width)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(out)) + x)


class HighResolutionModule(nn.Module):
    """HRNet's module: one stream of basic blocks per resolution, then every stream
    fused into every other (upsampled 1x1 convs from lower resolutions, strided 3x3
    convs from higher ones), summed per output stream."""

    def __init__(self, widths: tuple[int, ...], depth: int = 2) -> None:
        super().__init__()
        self.branches = nn.ModuleList(
            nn.Sequential(*[BasicBlock(w) for _ in range(depth)]) for w in widths)
        fuse = []
        for i, wi in enumerate(widths):
            row = []
            for j, wj in enumerate(widths):
                if j > i:
                    row.append(nn.Sequential(nn.Conv2d(wj, wi, 1, bias=False),
                                             nn.BatchNorm2d(wi),
                                             nn.Upsample(scale_factor=2 ** (j - i))))
                elif j < i:
                    steps = [nn.Sequential(nn.Conv2d(wj, wj if k < i - j - 1 else wi, 3, 2, 1,
                                                     bias=False),
                                           nn.BatchNorm2d(wj if k < i - j - 1 else wi))
                             for k in range(i - j)]
                    row.append(nn.Sequential(*steps))
                else:
                    row.append(nn.Identity())
            fuse.append(nn.ModuleList(row))
        self.fuse_layers = nn.ModuleList(fuse)

    def forward(self, xs: list[torch.Tensor]) -> list[torch.Tensor]:
        xs = [branch(x) for branch, x in zip(self.branches, xs)]
        out = []
        for i, row in enumerate(self.fuse_layers):
            y = xs[i]
            for j, layer in enumerate(row):
                if j != i:
                    y = y + layer(xs[j])
            out.append(F.relu(y))
        return out


class HRNetLike(nn.Module):
    """HRNet: a stem, transitions that open one more (half-resolution) stream per
    stage, high-resolution modules, and a head that upsamples every stream and
    concatenates them."""

    def __init__(self, widths: tuple[int, ...] = (8, 16, 32)) -> None:
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, widths[0], 3, 2, 1, bias=False),
                                  nn.BatchNorm2d(widths[0]), nn.ReLU())
        self.transition1 = nn.Sequential(nn.Conv2d(widths[0], widths[1], 3, 2, 1, bias=False),
                                         nn.BatchNorm2d(widths[1]), nn.ReLU())
        self.stage2 = HighResolutionModule(widths[:2])
        self.transition2 = nn.Sequential(nn.Conv2d(widths[1], widths[2], 3, 2, 1, bias=False),
                                         nn.BatchNorm2d(widths[2]), nn.ReLU())
        self.stage3 = nn.Sequential(HighResolutionModule(widths), HighResolutionModule(widths))
        self.head = nn.Conv2d(sum(widths), 10, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stem(x)
        xs = self.stage2([x, self.transition1(x)])
        xs = [xs[0], xs[1], self.transition2(xs[1])]
        for module in self.stage3:
            xs = module(xs)
        size = xs[0].shape[-2:]
        up = [xs[0]] + [F.interpolate(t, size=size, mode="nearest") for t in xs[1:]]
        return self.head(torch.cat(up, 1)).mean((2, 3))


class Bottle2neck(nn.Module):
    """Res2Net's block: a 1x1 conv, the channels split into ``scale`` groups, each group
    (from the second on) convolved after adding the previous group's output, the groups
    concatenated, a 1x1 conv, and the shortcut (a 1x1 projection where the shape
    changes)."""

    def __init__(self, cin: int, width: int, cout: int, stride: int = 1, scale: int = 4) -> None:
        super().__init__()
        self.scale, self.width = scale, width
        self.conv1 = nn.Conv2d(cin, width * scale, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width * scale)
        self.convs = nn.ModuleList(nn.Conv2d(width, width, 3, stride, 1, bias=False)
                                   for _ in range(scale - 1))
        self.bns = nn.ModuleList(nn.BatchNorm2d(width) for _ in range(scale - 1))
        self.pool = nn.AvgPool2d(3, stride, 1) if stride > 1 else None
        self.conv3 = nn.Conv2d(width * scale, cout, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(cout)
        self.downsample = None
        if stride > 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False),
                                            nn.BatchNorm2d(cout))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.relu(self.bn1(self.conv1(x)))
        spx = torch.split(out, self.width, 1)
        parts = []
        sp = spx[0]
        for i, (conv, bn) in enumerate(zip(self.convs, self.bns)):
            sp = spx[i] if i == 0 or self.pool is not None else sp + spx[i]
            sp = F.relu(bn(conv(sp)))
            parts.append(sp)
        parts.append(self.pool(spx[-1]) if self.pool is not None else spx[-1])
        out = self.bn3(self.conv3(torch.cat(parts, 1)))
        shortcut = x if self.downsample is None else self.downsample(x)
        return F.relu(out + shortcut)


class Res2NetLike(nn.Module):
    """Res2Net-50-shaped, small: a stem and stages of ``Bottle2neck`` blocks."""

    def __init__(self, depths: tuple[int, ...] = (2, 3, 3)) -> None:
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 16, 3, 2, 1, bias=False), nn.BatchNorm2d(16),
                                  nn.ReLU())
        stages, cin = [], 16
        for i, depth in enumerate(depths):
            width, cout = 4 * 2 ** i, 32 * 2 ** i
            stages.append(nn.Sequential(*[
                Bottle2neck(cin if k == 0 else cout, width, cout, stride=2 if k == 0 and i else 1)
                for k in range(depth)]))
            cin = cout
        self.stages = nn.Sequential(*stages)
        self.fc = nn.Linear(cin, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.stages(self.stem(x)).mean((2, 3)))


class SelectiveKernel(nn.Module):
    """SKNet's selection: two branches (3x3, and 3x3 dilated 2) summed, pooled, squeezed,
    then per-branch attention weights (softmax across branches) mix the branches."""

    def __init__(self, width: int, reduce: int = 4) -> None:
        super().__init__()
        self.paths = nn.ModuleList(
            nn.Sequential(nn.Conv2d(width, width, 3, padding=d, dilation=d, bias=False),
                          nn.BatchNorm2d(width), nn.ReLU())
            for d in (1, 2))
        self.fc_reduce = nn.Conv2d(width, width // reduce, 1)
        self.fc_select = nn.Conv2d(width // reduce, width * 2, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        paths = torch.stack([path(x) for path in self.paths], 1)  # B, 2, C, H, W
        attn = self.fc_select(F.relu(self.fc_reduce(paths.sum(1).mean((2, 3), keepdim=True))))
        b, _, c, _, _ = paths.shape
        attn = torch.softmax(attn.view(b, 2, c, 1, 1), 1)
        return (paths * attn).sum(1)


class SelectiveKernelBasic(nn.Module):
    """SKResNet's basic block: a selective-kernel conv, a 3x3 conv, the shortcut."""

    def __init__(self, cin: int, cout: int, stride: int = 1) -> None:
        super().__init__()
        self.conv0 = nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1, bias=False),
                                   nn.BatchNorm2d(cout), nn.ReLU())
        self.conv1 = SelectiveKernel(cout)
        self.conv2 = nn.Sequential(nn.Conv2d(cout, cout, 3, 1, 1, bias=False),
                                   nn.BatchNorm2d(cout))
        self.downsample = None
        if stride > 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False),
                                            nn.BatchNorm2d(cout))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shortcut = x if self.downsample is None else self.downsample(x)
        return F.relu(self.conv2(self.conv1(self.conv0(x))) + shortcut)


class SKNetLike(nn.Module):
    """SKResNet-18-shaped, small: stages of selective-kernel basic blocks."""

    def __init__(self, depths: tuple[int, ...] = (2, 2, 2, 2)) -> None:
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16),
                                  nn.ReLU())
        layers, cin = [], 16
        for i, depth in enumerate(depths):
            cout = 16 * 2 ** i
            layers.append(nn.Sequential(*[
                SelectiveKernelBasic(cin if k == 0 else cout, cout, 2 if k == 0 and i else 1)
                for k in range(depth)]))
            cin = cout
        self.layers = nn.Sequential(*layers)
        self.fc = nn.Linear(cin, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.layers(self.stem(x)).mean((2, 3)))


class SqueezeExcite(nn.Module):
    """The squeeze-and-excitation gate of MBConv blocks."""

    def __init__(self, width: int, squeeze: int) -> None:
        super().__init__()
        self.conv_reduce = nn.Conv2d(width, squeeze, 1)
        self.conv_expand = nn.Conv2d(squeeze, width, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        s = self.conv_expand(F.silu(self.conv_reduce(x.mean((2, 3), keepdim=True))))
        return x * torch.sigmoid(s)


class InvertedResidual(nn.Module):
    """EfficientNet's MBConv as timm writes it: expand, depthwise, SE, project; the
    residual sum only where the shape is kept."""

    def __init__(self, cin: int, cout: int, kernel: int, stride: int, expand: int = 4) -> None:
        super().__init__()
        mid = cin * expand
        self.has_skip = stride == 1 and cin == cout
        self.conv_pw = nn.Conv2d(cin, mid, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(mid)
        self.conv_dw = nn.Conv2d(mid, mid, kernel, stride, kernel // 2, groups=mid, bias=False)
        self.bn2 = nn.BatchNorm2d(mid)
        self.se = SqueezeExcite(mid, max(1, cin // 4))
        self.conv_pwl = nn.Conv2d(mid, cout, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(cout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shortcut = x
        x = F.silu(self.bn1(self.conv_pw(x)))
        x = F.silu(self.bn2(self.conv_dw(x)))
        x = self.bn3(self.conv_pwl(self.se(x)))
        return x + shortcut if self.has_skip else x


class EfficientNetLike(nn.Module):
    """EfficientNet-B0-shaped, small: seven stages of MBConv blocks whose blocks differ
    in width (and the first block of a stage in stride), as timm nests them
    (``blocks.<stage>.<block>``)."""

    STAGES = ((16, 3, 1, 1), (24, 3, 2, 2), (32, 5, 2, 2), (48, 3, 2, 3), (64, 5, 1, 3),
              (96, 5, 2, 4), (128, 3, 1, 1))
    """(width, kernel, stride, repeats) per stage."""

    def __init__(self) -> None:
        super().__init__()
        self.conv_stem = nn.Conv2d(3, 16, 3, 2, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        stages, cin = [], 16
        for width, kernel, stride, repeats in self.STAGES:
            stages.append(nn.Sequential(*[
                InvertedResidual(cin if k == 0 else width, width, kernel, stride if k == 0 else 1)
                for k in range(repeats)]))
            cin = width
        self.blocks = nn.Sequential(*stages)
        self.conv_head = nn.Conv2d(cin, 256, 1, bias=False)
        self.classifier = nn.Linear(256, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.blocks(F.silu(self.bn1(self.conv_stem(x))))
        return self.classifier(F.silu(self.conv_head(x)).mean((2, 3)))


class SeparableConv(nn.Module):
    """NASNet's branch: ReLU, depthwise, pointwise, BN, twice."""

    def __init__(self, cin: int, cout: int, kernel: int, stride: int = 1) -> None:
        super().__init__()
        self.dw1 = nn.Conv2d(cin, cin, kernel, stride, kernel // 2, groups=cin, bias=False)
        self.pw1 = nn.Conv2d(cin, cin, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cin)
        self.dw2 = nn.Conv2d(cin, cin, kernel, 1, kernel // 2, groups=cin, bias=False)
        self.pw2 = nn.Conv2d(cin, cout, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.bn1(self.pw1(self.dw1(F.relu(x))))
        return self.bn2(self.pw2(self.dw2(F.relu(x))))


class NormalCell(nn.Module):
    """A NASNet cell: both inputs (this and the previous cell's output) squeezed by 1x1
    convs, five ``comb_iter`` sums of two branches each (separable convs, pools, the
    identity), and the concatenation of the hidden states. A reduction cell strides by 2."""

    def __init__(self, cin: int, cin_prev: int, width: int, stride: int = 1,
                 prev_stride: int = 1) -> None:
        super().__init__()
        self.stride, self.prev_stride = stride, prev_stride
        self.conv_1x1 = nn.Sequential(nn.ReLU(), nn.Conv2d(cin, width, 1, bias=False),
                                      nn.BatchNorm2d(width))
        self.conv_prev_1x1 = nn.Sequential(nn.ReLU(), nn.Conv2d(cin_prev, width, 1, bias=False),
                                           nn.BatchNorm2d(width))
        self.comb_iter_0_left = SeparableConv(width, width, 5, stride)
        self.comb_iter_0_right = SeparableConv(width, width, 3, stride)
        self.comb_iter_1_left = SeparableConv(width, width, 5, stride)
        self.comb_iter_1_right = SeparableConv(width, width, 3, stride)
        self.comb_iter_2_left = nn.AvgPool2d(3, stride, 1, count_include_pad=False)
        self.comb_iter_3_left = nn.MaxPool2d(3, stride, 1)
        self.comb_iter_4_left = SeparableConv(width, width, 3, stride)

    def forward(self, x: torch.Tensor, x_prev: torch.Tensor) -> torch.Tensor:
        left, right = self.conv_1x1(x), self.conv_prev_1x1(x_prev)
        if self.prev_stride > 1:  # the previous cell's output is at twice the resolution
            right = F.avg_pool2d(right, self.prev_stride)
        c0 = self.comb_iter_0_left(left) + self.comb_iter_0_right(right)
        c1 = self.comb_iter_1_left(right) + self.comb_iter_1_right(right)
        c2 = self.comb_iter_2_left(left) + (
            F.avg_pool2d(right, self.stride) if self.stride > 1 else right)
        c3 = self.comb_iter_3_left(right) + F.avg_pool2d(c0, 1)
        c4 = self.comb_iter_4_left(left) + (F.max_pool2d(left, self.stride)
                                            if self.stride > 1 else left)
        return torch.cat([c0, c1, c2, c3, c4], 1)


class NASNetLike(nn.Module):
    """NASNet-shaped, small: a stem, then stages of normal cells separated by reduction
    cells, each cell reading the two previous outputs."""

    def __init__(self, cells: int = 4, width: int = 8) -> None:
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 4 * width, 3, 1, 1, bias=False),
                                  nn.BatchNorm2d(4 * width))
        layers: list[nn.Module] = []
        prev = cur = 4 * width
        prev_stride = 1
        for stage in range(3):
            w = width * 2 ** stage
            if stage:
                layers.append(NormalCell(cur, prev, w, stride=2))
                prev, cur, prev_stride = cur, 5 * w, 2
            for _ in range(cells):
                layers.append(NormalCell(cur, prev, w, prev_stride=prev_stride))
                prev, cur, prev_stride = cur, 5 * w, 1
        self.cells = nn.ModuleList(layers)
        self.fc = nn.Linear(cur, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        prev = cur = self.stem(x)
        for cell in self.cells:
            prev, cur = cur, cell(cur, prev)
        return self.fc(F.relu(cur).mean((2, 3)))


class StateMixer(nn.Module):
    """EfficientViM's HSMSSD: a hidden state of a few slots mixed from the positions by
    softmax weights, gated, and read back out; returns the mixed map *and* the state."""

    def __init__(self, width: int, slots: int = 8) -> None:
        super().__init__()
        self.bcdt = nn.Conv2d(width, 3 * slots, 1)
        self.dw = nn.Conv2d(3 * slots, 3 * slots, 3, padding=1, groups=3 * slots)
        self.hz = nn.Conv2d(width, 2 * width, 1)
        self.out = nn.Conv2d(width, width, 1)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        b, c, height, width = x.shape
        B, C, dt = self.dw(self.bcdt(x)).flatten(2).chunk(3, 1)
        h = x.flatten(2) @ (dt.softmax(-1) * B).transpose(1, 2)  # (b, c, slots)
        h, z = self.hz(h.unsqueeze(-1)).squeeze(-1).chunk(2, 1)
        h = h * F.silu(z)
        return self.out((h @ C).view(b, c, height, width)), h


class StateBlock(nn.Module):
    """EfficientViM's block: four layer-scaled mixes (depthwise conv, the state mixer,
    depthwise conv, FFN); returns the map and the mixer's hidden state."""

    def __init__(self, width: int) -> None:
        super().__init__()
        self.dw1 = nn.Sequential(nn.Conv2d(width, width, 3, padding=1, groups=width, bias=False),
                                 nn.BatchNorm2d(width))
        self.norm = nn.GroupNorm(1, width)
        self.mixer = StateMixer(width)
        self.dw2 = nn.Sequential(nn.Conv2d(width, width, 3, padding=1, groups=width, bias=False),
                                 nn.BatchNorm2d(width))
        self.ffn = nn.Sequential(nn.Conv2d(width, 2 * width, 1), nn.GELU(),
                                 nn.Conv2d(2 * width, width, 1))
        self.alpha = nn.Parameter(torch.full((4, width), 1e-4))

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        a = torch.sigmoid(self.alpha).view(4, -1, 1, 1)
        x = (1 - a[0]) * x + a[0] * self.dw1(x)
        y, h = self.mixer(self.norm(x))
        x = (1 - a[1]) * x + a[1] * y
        x = (1 - a[2]) * x + a[2] * self.dw2(x)
        x = (1 - a[3]) * x + a[3] * self.ffn(x)
        return x, h


class StateStage(nn.Module):
    """A downsampling conv, then blocks; the last block's hidden state leaves the stage."""

    def __init__(self, cin: int, cout: int, depth: int = 2) -> None:
        super().__init__()
        self.downsample = (nn.Sequential(nn.Conv2d(cin, cout, 3, 2, 1), nn.BatchNorm2d(cout))
                           if cin != cout else nn.Identity())
        self.blocks = nn.ModuleList(StateBlock(cout) for _ in range(depth))

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        x = self.downsample(x)
        for block in self.blocks:
            x, h = block(x)
        return x, h


class MultiScaleHeadLike(nn.Module):
    """EfficientViM-shaped: stages whose last block also hands its hidden state to a head
    per stage, the heads' logits summed with learnt weights (a block with two outputs)."""

    def __init__(self, widths: tuple[int, ...] = (16, 24, 32)) -> None:
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, widths[0], 4, 4), nn.BatchNorm2d(widths[0]))
        self.stages = nn.ModuleList(
            StateStage(cin, cout) for cin, cout in zip((widths[0], *widths), widths))
        self.norms = nn.ModuleList(nn.LayerNorm(w) for w in widths)
        self.heads = nn.ModuleList(nn.Linear(w, 10) for w in widths)
        self.weights = nn.Parameter(torch.ones(len(widths)))
        self.fc = nn.Linear(widths[-1], 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stem(x)
        logits = []
        for stage, norm, head in zip(self.stages, self.norms, self.heads):
            x, h = stage(x)
            logits.append(head(norm(h.mean(-1))))
        weights = self.weights.softmax(0)
        return self.fc(x.mean((2, 3))) + sum(w * z for w, z in zip(weights, logits))


class ConvEncoder(nn.Module):
    """A ConvNeXt-style block of a hybrid stage: depthwise 7x7, MLP, layer scale."""

    def __init__(self, width: int) -> None:
        super().__init__()
        self.dwconv = nn.Conv2d(width, width, 7, padding=3, groups=width)
        self.norm = nn.BatchNorm2d(width)
        self.pwconv1 = nn.Conv2d(width, 4 * width, 1)
        self.pwconv2 = nn.Conv2d(4 * width, width, 1)
        self.gamma = nn.Parameter(torch.ones(width, 1, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.pwconv2(F.gelu(self.pwconv1(self.norm(self.dwconv(x)))))
        return x + self.gamma * y


class TokenAttention(nn.Module):
    """Multi-head self-attention over a feature map's positions, written out."""

    def __init__(self, width: int, heads: int = 2) -> None:
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(width, 3 * width)
        self.proj = nn.Linear(width, width)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, n, c = x.shape
        qkv = self.qkv(x).reshape(b, n, 3, self.heads, c // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv.unbind(0)
        attn = (q @ k.transpose(-2, -1)) * (c // self.heads) ** -0.5
        out = (attn.softmax(-1) @ v).transpose(1, 2).reshape(b, n, c)
        return self.proj(out)


class HybridBlock(nn.Module):
    """The transformer block closing each hybrid stage."""

    def __init__(self, width: int) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(width)
        self.attn = TokenAttention(width)
        self.norm2 = nn.LayerNorm(width)
        self.fc1 = nn.Linear(width, 2 * width)
        self.fc2 = nn.Linear(2 * width, width)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, c, h, w = x.shape
        t = x.flatten(2).transpose(1, 2)
        t = t + self.attn(self.norm1(t))
        t = t + self.fc2(F.gelu(self.fc1(self.norm2(t))))
        return t.transpose(1, 2).reshape(b, c, h, w)


class HybridStage(nn.Module):
    """EdgeNeXt/SwiftFormer-style stage: a downsampling conv, conv blocks, a transformer
    block."""

    def __init__(self, cin: int, cout: int, depth: int, stride: int = 2) -> None:
        super().__init__()
        self.downsample = nn.Sequential(nn.BatchNorm2d(cin), nn.Conv2d(cin, cout, 3, stride, 1))
        self.blocks = nn.Sequential(*[ConvEncoder(cout) for _ in range(depth)],
                                    HybridBlock(cout))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.blocks(self.downsample(x))


class HybridLike(nn.Module):
    """Stages alike but for their widths and depths: they fold into one ``Groups`` cluster
    per place when the figure is over a page."""

    def __init__(self, widths: tuple[int, ...] = tuple(range(8, 96, 8)),
                 depths: tuple[int, ...] = (2, 2, 3, 3, 2, 2, 3, 2, 2, 3, 2)) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, widths[0], 3, 1, 1)
        cins = (widths[0], *widths[:-1])
        self.stages = nn.Sequential(*[HybridStage(i, o, d, 2 if k < 3 else 1)
                                      for k, (i, o, d) in enumerate(zip(cins, widths, depths))])
        self.head = nn.Linear(widths[-1], 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.stages(self.stem(x)).mean((2, 3)))


class ConvPosEnc(nn.Module):
    """CoaT's convolutional position encoding: the tokens folded back to their map, a
    depthwise 3x3, the sum with the tokens. One per stage, shared by its blocks."""

    def __init__(self, width: int) -> None:
        super().__init__()
        self.proj = nn.Conv2d(width, width, 3, padding=1, groups=width)

    def forward(self, x: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
        b, n, c = x.shape
        feat = x.transpose(1, 2).reshape(b, c, *size)
        return x + self.proj(feat).flatten(2).transpose(1, 2)


class SerialBlock(nn.Module):
    """CoaT's serial block: it is handed its stage's position encoding (``shared_cpe``)
    and calls it first; then attention and an MLP, each with its residual sum."""

    def __init__(self, width: int, shared_cpe: ConvPosEnc) -> None:
        super().__init__()
        self.cpe = shared_cpe
        self.norm1 = nn.LayerNorm(width)
        self.attn = TokenAttention(width)
        self.norm2 = nn.LayerNorm(width)
        self.fc1 = nn.Linear(width, 2 * width)
        self.fc2 = nn.Linear(2 * width, width)

    def forward(self, x: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
        x = self.cpe(x, size)
        x = x + self.attn(self.norm1(x))
        return x + self.fc2(F.gelu(self.fc1(self.norm2(x))))


class CoaTLike(nn.Module):
    """CoaT-Lite-shaped, small: per stage a patch embedding, one position encoding
    (``cpe1`` ... registered on the model, before the blocks that share it) and serial
    blocks. By module path the shared encoding is one module; it runs once per block."""

    def __init__(self, widths: tuple[int, ...] = (8, 16, 24, 32), depth: int = 2) -> None:
        super().__init__()
        cins = (3, *widths[:-1])
        for i, (cin, width) in enumerate(zip(cins, widths), 1):
            setattr(self, f"patch_embed{i}", nn.Conv2d(cin, width, 2, 2))
            cpe = ConvPosEnc(width)
            setattr(self, f"cpe{i}", cpe)
            setattr(self, f"serial_blocks{i}",
                    nn.ModuleList(SerialBlock(width, cpe) for _ in range(depth)))
        self.stages = len(widths)
        self.head = nn.Linear(widths[-1], 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for i in range(1, self.stages + 1):
            x = getattr(self, f"patch_embed{i}")(x)
            b, c, h, w = x.shape
            t = x.flatten(2).transpose(1, 2)
            for block in getattr(self, f"serial_blocks{i}"):
                t = block(t, (h, w))
            x = t.transpose(1, 2).reshape(b, c, h, w)
        return self.head(x.mean((2, 3)))


# -- transformer stacks, written like ``transformers`` ---------------------------------------


def _attend(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, heads: int) -> torch.Tensor:
    b, nq, d = q.shape
    nk = k.shape[1]

    def split(t: torch.Tensor, n: int) -> torch.Tensor:
        return t.view(b, n, heads, d // heads).transpose(1, 2)

    scores = split(q, nq) @ split(k, nk).transpose(-1, -2) / math.sqrt(d // heads)
    out = torch.softmax(scores, -1) @ split(v, nk)
    return out.transpose(1, 2).reshape(b, nq, d)


class SelfAttention(nn.Module):
    """BERT's ``BertSelfAttention``: query, key and value projections, attention."""

    def __init__(self, hidden: int, heads: int) -> None:
        super().__init__()
        self.heads = heads
        self.query = nn.Linear(hidden, hidden)
        self.key = nn.Linear(hidden, hidden)
        self.value = nn.Linear(hidden, hidden)

    def forward(self, x: torch.Tensor, context: torch.Tensor | None = None) -> torch.Tensor:
        kv = x if context is None else context
        return _attend(self.query(x), self.key(kv), self.value(kv), self.heads)


class SelfOutput(nn.Module):
    """``BertSelfOutput``: dense, then ``LayerNorm(hidden + input)``: the residual sum
    lives here, in its own module."""

    def __init__(self, hidden: int) -> None:
        super().__init__()
        self.dense = nn.Linear(hidden, hidden)
        self.LayerNorm = nn.LayerNorm(hidden)

    def forward(self, hidden_states: torch.Tensor, input_tensor: torch.Tensor) -> torch.Tensor:
        return self.LayerNorm(self.dense(hidden_states) + input_tensor)


class Attention(nn.Module):
    """``BertAttention``: self-attention and its output module."""

    def __init__(self, hidden: int, heads: int) -> None:
        super().__init__()
        self.self = SelfAttention(hidden, heads)
        self.output = SelfOutput(hidden)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.output(self.self(x), x)


class Intermediate(nn.Module):
    """``BertIntermediate``: the feed-forward's first layer and GELU."""

    def __init__(self, hidden: int, inner: int) -> None:
        super().__init__()
        self.dense = nn.Linear(hidden, inner)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.gelu(self.dense(x))


class Output(nn.Module):
    """``BertOutput``: the feed-forward's second layer and its residual sum."""

    def __init__(self, inner: int, hidden: int) -> None:
        super().__init__()
        self.dense = nn.Linear(inner, hidden)
        self.LayerNorm = nn.LayerNorm(hidden)

    def forward(self, hidden_states: torch.Tensor, input_tensor: torch.Tensor) -> torch.Tensor:
        return self.LayerNorm(self.dense(hidden_states) + input_tensor)


class Layer(nn.Module):
    """``BertLayer``: two residual sums, each in a module of its own."""

    def __init__(self, hidden: int, heads: int, inner: int) -> None:
        super().__init__()
        self.attention = Attention(hidden, heads)
        self.intermediate = Intermediate(hidden, inner)
        self.output = Output(inner, hidden)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.attention(x)
        return self.output(self.intermediate(x), x)


class Embeddings(nn.Module):
    """``BertEmbeddings``: word, position and token-type embeddings summed, then
    LayerNorm: a sum of table lookups, no residual."""

    def __init__(self, vocab: int, hidden: int, positions: int) -> None:
        super().__init__()
        self.word_embeddings = nn.Embedding(vocab, hidden)
        self.position_embeddings = nn.Embedding(positions, hidden)
        self.token_type_embeddings = nn.Embedding(2, hidden)
        self.LayerNorm = nn.LayerNorm(hidden)
        self.register_buffer("position_ids", torch.arange(positions).unsqueeze(0),
                             persistent=False)
        self.register_buffer("token_type_ids", torch.zeros(1, positions, dtype=torch.long),
                             persistent=False)

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        n = input_ids.shape[1]
        x = self.word_embeddings(input_ids) + self.token_type_embeddings(
            self.token_type_ids[:, :n])
        return self.LayerNorm(x + self.position_embeddings(self.position_ids[:, :n]))


class BertLike(nn.Module):
    """A BERT-shaped encoder: embeddings, 12 ``Layer`` modules in ``encoder.layer``, a
    pooler."""

    def __init__(self, vocab: int = 100, hidden: int = 32, layers: int = 12, heads: int = 2,
                 positions: int = 32) -> None:
        super().__init__()
        self.embeddings = Embeddings(vocab, hidden, positions)
        self.encoder = nn.Module()
        self.encoder.layer = nn.ModuleList(Layer(hidden, heads, 2 * hidden) for _ in range(layers))
        self.pooler = nn.Linear(hidden, hidden)

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        x = self.embeddings(input_ids)
        for layer in self.encoder.layer:
            x = layer(x)
        return torch.tanh(self.pooler(x[:, 0]))


class DecoderLayer(nn.Module):
    """A pre-norm decoder layer written like BART's/Whisper's: self-attention,
    cross-attention over the encoder's output, feed-forward, each with its residual sum
    in the layer's own forward."""

    def __init__(self, hidden: int, heads: int, cross: bool) -> None:
        super().__init__()
        self.self_attn_layer_norm = nn.LayerNorm(hidden)
        self.self_attn = SelfAttention(hidden, heads)
        self.self_attn_out = nn.Linear(hidden, hidden)
        self.cross = cross
        if cross:
            self.encoder_attn_layer_norm = nn.LayerNorm(hidden)
            self.encoder_attn = SelfAttention(hidden, heads)
            self.encoder_attn_out = nn.Linear(hidden, hidden)
        self.final_layer_norm = nn.LayerNorm(hidden)
        self.fc1 = nn.Linear(hidden, 2 * hidden)
        self.fc2 = nn.Linear(2 * hidden, hidden)

    def forward(self, x: torch.Tensor, memory: torch.Tensor | None = None) -> torch.Tensor:
        x = x + self.self_attn_out(self.self_attn(self.self_attn_layer_norm(x)))
        if memory is not None:
            x = x + self.encoder_attn_out(self.encoder_attn(self.encoder_attn_layer_norm(x),
                                                            memory))
        return x + self.fc2(F.gelu(self.fc1(self.final_layer_norm(x))))


class Stack(nn.Module):
    """An encoder or decoder stack: token and position embeddings summed, layers, a
    final norm."""

    def __init__(self, vocab: int, hidden: int, layers: int, heads: int, cross: bool) -> None:
        super().__init__()
        self.embed_tokens = nn.Embedding(vocab, hidden)
        self.embed_positions = nn.Embedding(64, hidden)
        self.layers = nn.ModuleList(DecoderLayer(hidden, heads, cross) for _ in range(layers))
        self.layer_norm = nn.LayerNorm(hidden)

    def forward(self, ids: torch.Tensor, memory: torch.Tensor | None = None) -> torch.Tensor:
        positions = torch.arange(ids.shape[1], device=ids.device)
        x = self.embed_tokens(ids) + self.embed_positions(positions)
        for layer in self.layers:
            x = layer(x, memory)
        return self.layer_norm(x)


class EncoderDecoderLike(nn.Module):
    """A BART/Whisper-shaped encoder-decoder: two stacks of 6 layers; every decoder layer
    reads the encoder's output in its cross-attention. Two inputs: source and target ids."""

    def __init__(self, vocab: int = 100, hidden: int = 32, layers: int = 6, heads: int = 2) -> None:
        super().__init__()
        self.encoder = Stack(vocab, hidden, layers, heads, cross=False)
        self.decoder = Stack(vocab, hidden, layers, heads, cross=True)
        self.lm_head = nn.Linear(hidden, vocab, bias=False)

    def forward(self, input_ids: torch.Tensor, decoder_input_ids: torch.Tensor) -> torch.Tensor:
        memory = self.encoder(input_ids)
        return self.lm_head(self.decoder(decoder_input_ids, memory))


class GPT2Block(nn.Module):
    """GPT-2's block: pre-norm attention and MLP, the residual sums in the block."""

    def __init__(self, hidden: int, heads: int) -> None:
        super().__init__()
        self.ln_1 = nn.LayerNorm(hidden)
        self.attn = SelfAttention(hidden, heads)
        self.c_proj = nn.Linear(hidden, hidden)
        self.ln_2 = nn.LayerNorm(hidden)
        self.c_fc = nn.Linear(hidden, 4 * hidden)
        self.mlp_proj = nn.Linear(4 * hidden, hidden)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.c_proj(self.attn(self.ln_1(x)))
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x))))


class GPT2Model(nn.Module):
    """``GPT2Model``: ``wte(ids) + wpe(positions)`` in this module's own forward, the
    positions computed from the ids (a sum of two lookups of the input, which must not
    make the whole model one residual block), blocks in ``h``, ``ln_f``."""

    def __init__(self, vocab: int, hidden: int, layers: int, heads: int) -> None:
        super().__init__()
        self.wte = nn.Embedding(vocab, hidden)
        self.wpe = nn.Embedding(64, hidden)
        self.h = nn.ModuleList(GPT2Block(hidden, heads) for _ in range(layers))
        self.ln_f = nn.LayerNorm(hidden)

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        # positions from the ids themselves, as RoBERTa's create_position_ids_from_input_ids
        positions = (input_ids >= 0).long().cumsum(1) - 1
        x = self.wte(input_ids) + self.wpe(positions)
        for block in self.h:
            x = block(x)
        return self.ln_f(x)


class GPT2LMLike(nn.Module):
    """``GPT2LMHeadModel``: ``transformer`` and an LM head."""

    def __init__(self, vocab: int = 100, hidden: int = 32, layers: int = 12,
                 heads: int = 2) -> None:
        super().__init__()
        self.transformer = GPT2Model(vocab, hidden, layers, heads)
        self.lm_head = nn.Linear(hidden, vocab, bias=False)

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        return self.lm_head(self.transformer(input_ids))
