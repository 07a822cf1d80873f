"""Small models written the way real research code is, for robustness tests (issue 6).

Every class builds with no arguments, so each one is also a valid file spec
(``tests/zoo/models.py:FunctionalOps``) for CLI tests. [`tests.zoo.ZOO`][] says
what each must give: its conv-call count, its parameter count, or the error.

Conventions the expectations follow:

- **convs** counts conv *calls*: a module called twice is two convs in the
  figure (the figure draws data flow, and both calls are drawn);
- **params** counts each ``nn.Parameter`` once, however often it is used or tied,
  the parameters no op of the forward reads included (netviz reports them as not
  reached): every total is ``sum(p.numel() for p in model.parameters())``.
"""

from __future__ import annotations

import torch
import torch.fx
import torch.nn.functional as F
from torch import nn

NASTY_NAME = 'We<ird&Name|"q\'{x}%d\\n\\\nline2'
"""A class / function name with every character some output format treats specially."""
NASTY_ATTR = 'c<&"|{}%\\\nz'
"""An attribute (module path) name: ``add_module`` accepts anything but ``.`` and ``""``."""


def _nasty_fn(x: torch.Tensor) -> torch.Tensor:
    return x * 2.0 + 1.0


_nasty_fn.__name__ = NASTY_NAME
_nasty_fn.__qualname__ = NASTY_NAME
torch.fx.wrap("_nasty_fn")  # a leaf function for fx: one call_function node named NASTY_NAME

ONE_LINE_NAME = NASTY_NAME.replace("\n", " ")
""":data:`NASTY_NAME` without its newline (every other special character kept)."""
ONE_LINE_ATTR = NASTY_ATTR.replace("\n", " ")


def _one_line_fn(x: torch.Tensor) -> torch.Tensor:
    return x * 2.0 + 1.0


_one_line_fn.__name__ = ONE_LINE_NAME
_one_line_fn.__qualname__ = ONE_LINE_NAME
torch.fx.wrap("_one_line_fn")


def conv_bn(cin: int, cout: int, stride: int = 1) -> nn.Sequential:
    """3x3 conv → BN → ReLU."""
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()
    )


class FunctionalOps(nn.Module):
    """``F.relu``, ``torch.add``, ``x + y``, in-place ``+=``, ``torch.cat``, ``F.conv2d``."""

    def __init__(self) -> None:
        super().__init__()
        self.a = nn.Conv2d(3, 8, 3, padding=1)
        self.b = nn.Conv2d(8, 8, 3, padding=1)
        self.c = nn.Conv2d(16, 8, 1)
        self.weight = nn.Parameter(torch.randn(8, 8, 3, 3))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        a = F.relu(self.a(x))
        b = torch.add(self.b(a), a)
        b = F.relu(b, inplace=True)
        y = self.c(torch.cat([a, b], dim=1)) + b
        y += a
        z = F.conv2d(y, self.weight, padding=1)
        return torch.relu(z).mean(dim=(2, 3))


class ModuleListNet(nn.Module):
    """Layers in an ``nn.ModuleList``, an ``nn.ModuleDict`` and plain attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, padding=1)
        self.blocks = nn.ModuleList(conv_bn(8, 8) for _ in range(3))
        self.heads = nn.ModuleDict({"left": nn.Conv2d(8, 4, 1), "right": nn.Conv2d(8, 4, 1)})
        self.scale = 0.5  # a plain float attribute
        self.config = {"depth": 3}  # a plain dict attribute

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stem(x)
        for block in self.blocks:
            x = x + block(x) * self.scale
        return self.heads["left"](x) + self.heads["right"](x)


class PlainListNet(nn.Module):
    """Layers kept in a plain Python list: not registered submodules (torchview crashes)."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, padding=1)
        self.layers = [nn.Conv2d(8, 8, 3, padding=1), nn.Conv2d(8, 8, 3, padding=1)]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stem(x)
        for layer in self.layers:
            x = layer(x)
        return x


class SharedConv(nn.Module):
    """One conv called twice (shared weights): two convs drawn, parameters once."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, padding=1)
        self.shared = nn.Conv2d(8, 8, 3, padding=1)
        self.bn = nn.BatchNorm2d(8)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stem(x)
        y = F.relu(self.bn(self.shared(x)))
        return self.shared(y) + x


class TiedParams(nn.Module):
    """Two layers holding the same ``nn.Parameter`` objects (tied weights)."""

    def __init__(self) -> None:
        super().__init__()
        self.enc = nn.Conv2d(4, 4, 3, padding=1)
        self.dec = nn.Conv2d(4, 4, 3, padding=1)
        self.dec.weight = self.enc.weight
        self.fc1 = nn.Linear(4, 4)
        self.fc2 = nn.Linear(4, 4, bias=False)
        self.fc2.weight = self.fc1.weight

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.dec(F.relu(self.enc(x)))
        x = x.mean(dim=(2, 3))
        return self.fc2(self.fc1(x))


class DataDependent(nn.Module):
    """Python control flow on tensor values: torch.fx cannot trace it (hooks fallback)."""

    def __init__(self) -> None:
        super().__init__()
        self.a = nn.Conv2d(3, 8, 3, padding=1)
        self.b = nn.Conv2d(8, 8, 3, padding=1)
        self.bn = nn.BatchNorm2d(8)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.a(x)
        if float(y.abs().sum()) >= 0:  # always true, but fx cannot know
            y = F.relu(self.bn(y))
        return self.b(y) + y


class TwoInputs(nn.Module):
    """Two inputs of different shapes, merged by an addition."""

    def __init__(self) -> None:
        super().__init__()
        self.img = nn.Conv2d(3, 8, 3, stride=2, padding=1)
        self.aux = nn.Conv2d(1, 8, 1)

    def forward(self, image: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return F.relu(self.img(image) + self.aux(mask))


class TwoOutputs(nn.Module):
    """A trunk and two heads returned as a tuple."""

    def __init__(self) -> None:
        super().__init__()
        self.trunk = conv_bn(3, 8)
        self.cls = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 5))
        self.seg = nn.Conv2d(8, 2, 1)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.trunk(x)
        return self.cls(h), self.seg(h)


class DictOutput(nn.Module):
    """Outputs returned in a dict."""

    def __init__(self) -> None:
        super().__init__()
        self.a = nn.Conv2d(3, 4, 3, padding=1)
        self.b = nn.Conv2d(4, 4, 1)

    def forward(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        h = self.a(x)
        return {"features": h, "logits": self.b(h)}


class Anisotropic(nn.Module):
    """Non-square kernels, anisotropic strides and paddings."""

    def __init__(self) -> None:
        super().__init__()
        self.row = nn.Conv2d(3, 8, (1, 3), stride=(1, 2), padding=(0, 1))
        self.col = nn.Conv2d(8, 8, (3, 1), stride=(2, 1), padding=(1, 0))
        self.pool = nn.MaxPool2d((2, 1), stride=(2, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.pool(F.relu(self.col(F.relu(self.row(x)))))


class GroupedConvs(nn.Module):
    """Grouped, depthwise and pointwise convs (MobileNet style) with dilation."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 16, 3, padding=1)
        self.grouped = nn.Conv2d(16, 16, 3, padding=1, groups=4)
        self.depthwise = nn.Conv2d(16, 16, 3, padding=2, dilation=2, groups=16, bias=False)
        self.pointwise = nn.Conv2d(16, 32, 1, bias=False)
        self.bn = nn.BatchNorm2d(32)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu(self.grouped(self.stem(x)))
        return F.relu6(self.bn(self.pointwise(self.depthwise(x))))


class Conv1dNet(nn.Module):
    """A 1d residual block on sequences."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv1d(4, 8, 5, padding=2)
        self.bn1 = nn.BatchNorm1d(8)
        self.conv1 = nn.Conv1d(8, 8, 3, padding=1)
        self.bn2 = nn.BatchNorm1d(8)
        self.conv2 = nn.Conv1d(8, 8, 3, padding=2, dilation=2)
        self.pool = nn.AdaptiveAvgPool1d(1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stem(x)
        y = self.conv2(F.relu(self.bn2(self.conv1(F.relu(self.bn1(x))))))
        return self.pool(x + y)


class Conv3dNet(nn.Module):
    """A 3d block with an anisotropic (temporal) stride, InstanceNorm and PReLU."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv3d(1, 4, (3, 3, 3), stride=(1, 2, 2), padding=1)
        self.norm = nn.InstanceNorm3d(4, affine=True)
        self.act = nn.PReLU(4)
        self.conv = nn.Conv3d(4, 4, (1, 3, 3), padding=(0, 1, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stem(x)
        return x + self.conv(self.act(self.norm(x)))


class PostActBlock(nn.Module):
    """torchvision BasicBlock style: conv → BN → ReLU → conv → BN, add, ReLU after the add."""

    def __init__(self, cin: int = 8, cout: int = 16, stride: int = 2) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + self.downsample(x))


class PostActNet(nn.Module):
    """Stem and two post-activation blocks (the second an identity block)."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = conv_bn(3, 8)
        self.layer1 = nn.Sequential(PostActBlock(8, 16, 2), _IdentityPostAct(16))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layer1(self.stem(x))


class _IdentityPostAct(nn.Module):
    def __init__(self, c: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(c, c, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(c)
        self.conv2 = nn.Conv2d(c, c, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(c)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(out)) + x)


class PreActBlock(nn.Module):
    """Pre-activation (WRN) block: X = ReLU(BN(x)); conv branch and projection both read X."""

    def __init__(self, cin: int, cout: int, stride: int) -> None:
        super().__init__()
        self.bn1 = nn.BatchNorm2d(cin)
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.shortcut = (
            nn.Conv2d(cin, cout, 1, stride, bias=False) if stride != 1 or cin != cout else None
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        o = F.relu(self.bn1(x))
        y = self.conv2(F.relu(self.bn2(self.conv1(o))))
        return y + (self.shortcut(o) if self.shortcut is not None else x)


class PreActNet(nn.Module):
    """Two groups of pre-activation blocks, the second folds (three identical blocks)."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, 1, 1, bias=False)
        self.group0 = nn.Sequential(PreActBlock(8, 8, 1), PreActBlock(8, 8, 1))
        self.group1 = nn.Sequential(*[PreActBlock(8 if i == 0 else 16, 16, 2 if i == 0 else 1)
                                      for i in range(4)])
        self.bn = nn.BatchNorm2d(16)
        self.fc = nn.Linear(16, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.group1(self.group0(self.conv(x)))
        x = F.adaptive_avg_pool2d(F.relu(self.bn(x)), 1)
        return self.fc(torch.flatten(x, 1))


class ResNeXtBlock(nn.Module):
    """ResNeXt bottleneck: 1x1 → grouped 3x3 (cardinality 8) → 1x1, projection skip."""

    def __init__(self, cin: int = 16, width: int = 32, cout: int = 64, groups: int = 8) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(cin, width, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, 3, 2, 1, groups=groups, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = nn.Conv2d(width, cout, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(cout)
        self.proj = nn.Sequential(nn.Conv2d(cin, cout, 1, 2, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = F.relu(self.bn1(self.conv1(x)))
        y = F.relu(self.bn2(self.conv2(y)))
        y = self.bn3(self.conv3(y))
        return F.relu(y + self.proj(x))


class EncoderDecoder(nn.Module):
    """Strided conv down, transposed conv and interpolate up, a skip concatenation."""

    def __init__(self) -> None:
        super().__init__()
        self.enc = nn.Conv2d(3, 8, 3, 2, 1)
        self.mid = nn.Conv2d(8, 8, 3, 1, 1)
        self.up = nn.ConvTranspose2d(8, 8, 2, 2)
        self.out = nn.Conv2d(11, 2, 1)
        self.drop = nn.Dropout2d(0.1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.up(F.relu(self.mid(F.relu(self.enc(x)))))
        h = h + F.interpolate(self.enc(x), scale_factor=2.0, mode="nearest")
        return torch.sigmoid(self.out(self.drop(torch.cat([h, x], 1))))


class CifarBlock(nn.Module):
    """The popular CIFAR ResNet block: ``self.shortcut = nn.Sequential()`` or ``nn.Identity()``."""

    def __init__(self, cin: int, cout: int, stride: int, identity: type[nn.Module]) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut: nn.Module = identity()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False),
                                          nn.BatchNorm2d(cout))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out += self.shortcut(x)
        return F.relu(out)


class CifarResNet(nn.Module):
    """Two stages of three CIFAR blocks; identity shortcuts are ``nn.Sequential()`` in
    the first stage and ``nn.Identity()`` in the second."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.layer1 = nn.Sequential(*[CifarBlock(8, 8, 1, nn.Sequential) for _ in range(3)])
        self.layer2 = nn.Sequential(
            *[CifarBlock(8 if i == 0 else 16, 16, 2 if i == 0 else 1, nn.Identity) for i in range(3)]
        )
        self.linear = nn.Linear(16, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.layer2(self.layer1(F.relu(self.bn1(self.conv1(x)))))
        out = F.avg_pool2d(out, out.size()[3])
        return self.linear(out.view(out.size(0), -1))


class SqueezeExcite(nn.Module):
    """A residual block with a squeeze-and-excitation gate (pool, 1x1 convs, sigmoid, mul)."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(8, 8, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(8)
        self.fc1 = nn.Conv2d(8, 2, 1)
        self.fc2 = nn.Conv2d(2, 8, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.bn(self.conv(x))
        w = torch.sigmoid(self.fc2(F.relu(self.fc1(F.adaptive_avg_pool2d(y, 1)))))
        return F.relu(x + y * w)


class ChunkNet(nn.Module):
    """ShuffleNet-style split: ``chunk`` into two halves, convolve one, concatenate."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, padding=1)
        self.branch = nn.Sequential(nn.Conv2d(4, 4, 1), nn.BatchNorm2d(4), nn.ReLU(),
                                    nn.Conv2d(4, 4, 3, padding=1, groups=4))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        a, b = self.stem(x).chunk(2, dim=1)
        return torch.cat([a, self.branch(b)], dim=1)


class BufferNormalize(nn.Module):
    """Input normalisation with registered buffers (``(x - mean) / std``), then a conv."""

    def __init__(self) -> None:
        super().__init__()
        self.register_buffer("mean", torch.tensor([0.5, 0.4, 0.3]).view(3, 1, 1))
        self.register_buffer("std", torch.tensor([0.2, 0.2, 0.2]).view(3, 1, 1))
        self.conv = nn.Conv2d(3, 4, 3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv((x - self.mean) / self.std)


class UnusedLayer(nn.Module):
    """A submodule that is never called: drawn nowhere, its parameters counted as not reached."""

    def __init__(self) -> None:
        super().__init__()
        self.used = nn.Conv2d(3, 4, 3, padding=1)
        self.unused = nn.Conv2d(4, 4, 3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.used(x)


class OptionalArg(nn.Module):
    """A second forward argument with a default (``mask=None``)."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        y = self.conv(x)
        return y if mask is None else y * mask


class EmptyModel(nn.Module):
    """No layers at all: the forward returns its input."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x


class EmptySequential(nn.Sequential):
    """``nn.Sequential()`` with nothing in it."""

    def __init__(self) -> None:
        super().__init__()


class ForwardRaises(nn.Module):
    """A model whose forward raises (a bug in user code)."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.conv(x)
        raise RuntimeError("boom: the user's forward is broken")


class UntraceableRaises(nn.Module):
    """fx cannot trace it (data-dependent ``if``) and the real forward raises too."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.conv(x)
        if float(x.sum()) > -1e30:
            raise KeyError("no such head: 'missing'")
        return x


class WrongChannels(nn.Module):
    """Its two layers disagree on channels: any input fails inside the model."""

    def __init__(self) -> None:
        super().__init__()
        self.a = nn.Conv2d(3, 8, 3, padding=1)
        self.b = nn.Conv2d(16, 8, 3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.b(self.a(x))


class NotAModule:
    """A class that is not an ``nn.Module`` (a bad spec target)."""

    depth = 28


class CallableNotAModule:
    """A callable object that is not an ``nn.Module`` (``model = Wrapper()`` in user code)."""

    def __call__(self, x: object) -> object:
        return x


class NeedsArgs(nn.Module):
    """A model whose constructor has a required argument (a bad spec target)."""

    def __init__(self, width: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, width, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(x)


NOT_A_MODULE_INSTANCE = NotAModule()
CALLABLE_INSTANCE = CallableNotAModule()
CONFIG = {"depth": 28, "widen_factor": 2}
A_NUMBER = 42
A_TENSOR = torch.zeros(3)


def needs_args_builder(width: int) -> nn.Module:
    """A builder with a required argument."""
    return NeedsArgs(width)


def builder_returns_none() -> None:
    """A builder that forgets to return its model."""
    NeedsArgs(4)


def builder_raises() -> nn.Module:
    """A builder that raises."""
    raise ValueError("depth should be 6n+4")


# --- names from user code that output formats must escape ---------------------------
# Each nasty model has a plain twin: same structure, plain names, so a test can
# check that a nasty name changes the words of an output but never its structure.


def _plain_fn(x: torch.Tensor) -> torch.Tensor:
    return x * 2.0 + 1.0


torch.fx.wrap("_plain_fn")


def _flip(self: nn.Module, x: torch.Tensor) -> torch.Tensor:
    return x.flip(1)


WeirdLeaf = type(
    NASTY_NAME, (nn.Module,), {"forward": _flip, "__module__": __name__, "__doc__": "Nasty."}
)
"""A leaf module class whose ``__name__`` is :data:`NASTY_NAME`."""
OneLineLeaf = type(ONE_LINE_NAME, (nn.Module,), {"forward": _flip, "__module__": __name__})
PlainLeaf = type("PlainLeaf", (nn.Module,), {"forward": _flip, "__module__": __name__})
"""``WeirdLeaf``'s plain twin."""


def _scale_init(self: nn.Module) -> None:
    nn.Module.__init__(self)
    self.scale = nn.Parameter(torch.ones(1))


def _scaled_flip(self: nn.Module, x: torch.Tensor) -> torch.Tensor:
    return x.flip(1) * self.scale


WeirdLayer = type(
    NASTY_NAME, (nn.Module,),
    {"__init__": _scale_init, "forward": _scaled_flip, "__module__": __name__, "__doc__": "Nasty."},
)
"""A custom layer (own weight, no submodules) whose ``__name__`` is :data:`NASTY_NAME`:
the hooks fallback draws it as one node named by its class."""
PlainLayer = type(
    "PlainLayer", (nn.Module,), {"__init__": _scale_init, "forward": _scaled_flip, "__module__": __name__}
)
"""``WeirdLayer``'s plain twin."""


class NastyNames(nn.Module):
    """Nasty names where fx sees them (a wrapped function, attribute paths) and
    where torchinfo does (a leaf class name).

    Args:
        names: ``"nasty"`` (with a newline), ``"oneline"`` (every special
            character but the newline) or ``"plain"`` (the twin).
    """

    def __init__(self, names: str = "nasty") -> None:
        super().__init__()
        self.kind = names
        self.names = {
            "nasty": (NASTY_ATTR, "a<b>&c"),
            "oneline": (ONE_LINE_ATTR, "a<b>&c"),
            "plain": ("first", "bnrelu"),
        }[names]
        self.add_module(self.names[0], nn.Conv2d(3, 4, 3, padding=1))
        self.add_module(self.names[1], nn.Sequential(nn.BatchNorm2d(4), nn.ReLU()))
        self.weird = {"nasty": WeirdLeaf, "oneline": OneLineLeaf, "plain": PlainLeaf}[names]()
        self.tail = nn.Conv2d(4, 4, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = getattr(self, self.names[1])(getattr(self, self.names[0])(x))
        if self.kind == "nasty":
            y = _nasty_fn(y)
        elif self.kind == "oneline":
            y = _one_line_fn(y)
        else:
            y = _plain_fn(y)
        return self.tail(self.weird(y)) + y


class NastyLeafFallback(nn.Module):
    """Data-dependent flow (hooks fallback), so its nasty custom layer is an OTHER node."""

    def __init__(self, nasty: bool = True) -> None:
        super().__init__()
        self.first_name = NASTY_ATTR if nasty else "first"
        self.add_module(self.first_name, nn.Conv2d(3, 4, 3, padding=1))
        self.weird = WeirdLayer() if nasty else PlainLayer()
        self.tail = nn.Conv2d(4, 4, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.weird(getattr(self, self.first_name)(x))
        if float(y.sum()) > -1e30:
            y = F.relu(y)
        return self.tail(y)


def _class_named(name: str) -> type[nn.Module]:
    def init(self: nn.Module) -> None:
        nn.Module.__init__(self)
        self.conv = nn.Conv2d(3, 4, 3)

    def forward(self: nn.Module, x: torch.Tensor) -> torch.Tensor:
        return F.relu(self.conv(x))

    return type(name, (nn.Module,), {"__init__": init, "forward": forward, "__module__": __name__})


NASTY_CLASS_NAME = 'Net<script>alert("x")</script>&{a|b}%\\'
NastyClassName = _class_named(NASTY_CLASS_NAME)
"""A whole model whose class name (the graph's name) is nasty."""
PlainClassName = _class_named("PlainClassName")


def plain_names() -> nn.Module:
    """``NastyNames``' plain twin."""
    return NastyNames("plain")


def one_line_names() -> nn.Module:
    """``NastyNames`` with every special character but the newline."""
    return NastyNames("oneline")


def plain_leaf_fallback() -> nn.Module:
    """``NastyLeafFallback``'s plain twin."""
    return NastyLeafFallback(nasty=False)


PLAIN_TWINS = {
    "NastyNames": "plain_names",
    "one_line_names": "plain_names",
    "NastyLeafFallback": "plain_leaf_fallback",
    "NastyClassName": "PlainClassName",
}
"""Nasty model → its plain twin (names in this module)."""
