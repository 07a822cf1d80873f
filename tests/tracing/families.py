"""Tiny models of the families beyond ResNet, written as research code writes them.

Each has a function giving its multiply-accumulates per sample, written out layer by
layer in the convention of published model tables (conv, linear on every token,
attention ``QKᵀ`` and ``A·V``; norms, activations and element-wise ops are free).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

D, HEADS, PATCH, IMAGE, MLP = 32, 4, 4, 16, 64
TOKENS = (IMAGE // PATCH) ** 2 + 1  # patches and the class token


class QKVAttention(nn.Module):
    """timm-style attention: one qkv projection, heads by reshape, ``unbind``, matmuls."""

    def __init__(self, dim: int, heads: int) -> None:
        super().__init__()
        self.heads, self.scale = heads, (dim // heads) ** -0.5
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x: Tensor) -> Tensor:
        b, n, c = x.shape
        qkv = self.qkv(x).reshape(b, n, 3, self.heads, c // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv.unbind(0)
        attn = ((q @ k.transpose(-2, -1)) * self.scale).softmax(dim=-1)
        return self.proj((attn @ v).transpose(1, 2).reshape(b, n, c))


class PreNormBlock(nn.Module):
    """``x + attn(LN(x))``, then ``x + mlp(LN(x))``: two residual sums."""

    def __init__(self, dim: int, heads: int, mha: bool) -> None:
        super().__init__()
        self.norm1, self.norm2 = nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.mha = mha
        self.attn = nn.MultiheadAttention(dim, heads, batch_first=True) if mha else QKVAttention(
            dim, heads)
        self.mlp = nn.Sequential(nn.Linear(dim, MLP), nn.GELU(), nn.Dropout(0.1), nn.Linear(MLP, dim))

    def forward(self, x: Tensor) -> Tensor:
        y = self.norm1(x)
        y = self.attn(y, y, y, need_weights=False)[0] if self.mha else self.attn(y)
        x = x + y
        return x + self.mlp(self.norm2(x))


class ViT(nn.Module):
    """Patch conv, class token, position embedding, pre-norm blocks, head on the class token."""

    def __init__(self, mha: bool = True, depth: int = 2) -> None:
        super().__init__()
        self.patch = nn.Conv2d(3, D, PATCH, PATCH)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, D))
        self.pos_embedding = nn.Parameter(torch.zeros(1, TOKENS, D))
        self.blocks = nn.Sequential(*[PreNormBlock(D, HEADS, mha) for _ in range(depth)])
        self.norm = nn.LayerNorm(D)
        self.head = nn.Linear(D, 10)

    def forward(self, x: Tensor) -> Tensor:
        x = self.patch(x).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], dim=1)
        x = self.blocks(x + self.pos_embedding)
        return self.head(self.norm(x)[:, 0])


def vit_qkv() -> ViT:
    return ViT(mha=False)


def vit_macs(depth: int = 2) -> int:
    n, d = TOKENS, D
    patch = (IMAGE // PATCH) ** 2 * d * 3 * PATCH * PATCH
    block = 4 * n * d * d + 2 * n * n * d + 2 * n * d * MLP
    return patch + depth * block + d * 10


class WindowAttention(nn.Module):
    """Swin-style window attention with a relative position bias parameter."""

    def __init__(self, dim: int, heads: int, window: int) -> None:
        super().__init__()
        self.heads, self.scale = heads, (dim // heads) ** -0.5
        self.qkv = nn.Linear(dim, 3 * dim)
        self.bias = nn.Parameter(torch.zeros(heads, window * window, window * window))
        self.proj = nn.Linear(dim, dim)

    def forward(self, x: Tensor) -> Tensor:
        b, n, c = x.shape
        qkv = self.qkv(x).reshape(b, n, 3, self.heads, c // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        attn = (q * self.scale) @ k.transpose(-2, -1)
        attn = (attn + self.bias.unsqueeze(0)).softmax(dim=-1)
        return self.proj((attn @ v).transpose(1, 2).reshape(b, n, c))


class SwinBlock(nn.Module):
    """Window attention and MLP on channels-last ``(B, H, W, C)`` tensors, shifted or not."""

    def __init__(self, dim: int, heads: int, window: int, shift: int) -> None:
        super().__init__()
        self.window, self.shift = window, shift
        self.norm1, self.norm2 = nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.attn = WindowAttention(dim, heads, window)
        self.mlp = nn.Sequential(nn.Linear(dim, 2 * dim), nn.GELU(), nn.Linear(2 * dim, dim))

    def forward(self, x: Tensor) -> Tensor:
        b, h, w, c = x.shape
        s, ws = self.shift, self.window
        y = self.norm1(x)
        if s:
            y = torch.roll(y, shifts=(-s, -s), dims=(1, 2))
        y = y.view(b, h // ws, ws, w // ws, ws, c).permute(0, 1, 3, 2, 4, 5).reshape(-1, ws * ws, c)
        y = self.attn(y).view(b, h // ws, w // ws, ws, ws, c).permute(0, 1, 3, 2, 4, 5)
        y = y.reshape(b, h, w, c)
        if s:
            y = torch.roll(y, shifts=(s, s), dims=(1, 2))
        x = x + y
        return x + self.mlp(self.norm2(x))


class Swin(nn.Module):
    """Patch embedding to NHWC, a LayerNorm, two window blocks (the second shifted)."""

    def __init__(self) -> None:
        super().__init__()
        self.patch = nn.Conv2d(3, D, 2, 2)
        self.norm = nn.LayerNorm(D)
        self.blocks = nn.Sequential(SwinBlock(D, 2, 4, 0), SwinBlock(D, 2, 4, 2))
        self.head = nn.Linear(D, 10)

    def forward(self, x: Tensor) -> Tensor:
        x = self.norm(self.patch(x).permute(0, 2, 3, 1))
        return self.head(self.blocks(x).mean(dim=(1, 2)))


def swin_macs() -> int:
    side = IMAGE // 2
    tokens, window = side * side, 16
    patch = tokens * D * 3 * 4
    block = (4 * tokens * D * D  # qkv and proj
             + 2 * tokens * window * D  # QK^T and A·V inside each window
             + 2 * tokens * D * 2 * D)  # MLP
    return patch + 2 * block + D * 10


class DropPath(nn.Module):
    """Stochastic depth: the identity in eval mode, random tensors in training."""

    def __init__(self, p: float) -> None:
        super().__init__()
        self.p = p

    def forward(self, x: Tensor) -> Tensor:
        if not self.training:
            return x
        keep = torch.rand(x.shape[0], 1, 1, 1, device=x.device) > self.p
        return x * keep / (1 - self.p)


class ConvNeXtBlock(nn.Module):
    """7x7 depthwise conv, LayerNorm over channels-last, MLP, layer scale, stochastic depth."""

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.dwconv = nn.Conv2d(dim, dim, 7, padding=3, groups=dim)
        self.norm = nn.LayerNorm(dim)
        self.pwconv1, self.act, self.pwconv2 = nn.Linear(dim, 4 * dim), nn.GELU(), nn.Linear(4 * dim, dim)
        self.gamma = nn.Parameter(torch.full((dim,), 1e-6))
        self.drop_path = DropPath(0.1)

    def forward(self, x: Tensor) -> Tensor:
        y = self.dwconv(x).permute(0, 2, 3, 1)
        y = self.pwconv2(self.act(self.pwconv1(self.norm(y))))
        y = (self.gamma * y).permute(0, 3, 1, 2)
        return x + self.drop_path(y)


class ConvNeXt(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, D, 4, 4)
        self.stages = nn.Sequential(ConvNeXtBlock(D), ConvNeXtBlock(D))
        self.head = nn.Linear(D, 10)

    def forward(self, x: Tensor) -> Tensor:
        return self.head(self.stages(self.stem(x)).mean(dim=(-2, -1)))


def convnext_macs() -> int:
    pixels = (IMAGE // 4) ** 2
    block = pixels * D * 49 + 2 * pixels * D * 4 * D
    return pixels * D * 3 * 16 + 2 * block + D * 10


VOCAB, WIDTH, LENGTH = 50, 32, 12


class TinyLM(nn.Module):
    """Token ids → embedding → ``nn.TransformerEncoder`` (2 layers) → logits over the vocabulary."""

    input_dtype = "int64"

    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Embedding(VOCAB, WIDTH)
        layer = nn.TransformerEncoderLayer(WIDTH, 4, 64, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
        self.lm_head = nn.Linear(WIDTH, VOCAB)

    def forward(self, tokens: Tensor) -> Tensor:
        return self.lm_head(self.encoder(self.embed(tokens)))


def lm_macs() -> int:
    t, d = LENGTH, WIDTH
    layer = 4 * t * d * d + 2 * t * t * d + 2 * t * d * 64
    return 2 * layer + t * d * VOCAB


class Tagger(nn.Module):
    """Embedding → bidirectional 2-layer LSTM → tags; returns a dict, drops the LSTM's (h, c)."""

    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Embedding(VOCAB, WIDTH)
        self.lstm = nn.LSTM(WIDTH, 24, num_layers=2, batch_first=True, bidirectional=True)
        self.tags = nn.Linear(48, 5)

    def forward(self, tokens: Tensor) -> dict[str, Tensor]:
        out, _ = self.lstm(self.embed(tokens))
        return {"tags": self.tags(out), "features": out}


def tagger_macs() -> int:
    t, h = LENGTH, 24
    return (2 * t * 4 * h * (WIDTH + h) + 2 * t * 4 * h * (2 * h + h)) + t * 48 * 5


def regnet_like() -> nn.Module:
    """Stage widths computed with tensor ops, as torchvision's RegNet builder does."""
    widths = torch.round(torch.arange(1, 4) * 8.0).int().tolist()
    layers: list[nn.Module] = []
    cin = 3
    for width in widths:
        layers += [nn.Conv2d(cin, width, 3, padding=1), nn.ReLU()]
        cin = width
    return nn.Sequential(*layers)


def regnet_macs() -> int:
    return IMAGE * IMAGE * 9 * (3 * 8 + 8 * 16 + 16 * 24)


class TrainingBranch(nn.Module):
    """A branch only training takes (an auxiliary loss head, data-dependent noise)."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.aux = nn.Conv2d(8, 8, 1)

    def forward(self, x: Tensor) -> Tensor:
        x = self.conv(x)
        if self.training:
            noise = torch.randn_like(x)
            x = torch.where(x.abs().sum() > 0, x + noise[:, :1], x)
            x = self.aux(F.relu(x))
        return x
