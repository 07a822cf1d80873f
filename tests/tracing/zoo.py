"""Small models that exercise what the tracer must handle."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn


class Block(nn.Module):
    """Post-activation residual block with a functional add and ReLU."""

    def __init__(self, cin: int, cout: int, stride: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.down = None
        if stride != 1 or cin != cout:
            self.down = nn.Sequential(nn.Conv2d(cin, cout, 1, stride=stride, bias=False),
                                      nn.BatchNorm2d(cout))

    def forward(self, x: Tensor) -> Tensor:
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        skip = x if self.down is None else self.down(x)
        return F.relu(out + skip)


class TinyResNet(nn.Module):
    """Stem, one identity block, one projection block, pool, flatten, linear."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(8)
        self.relu = nn.ReLU(inplace=True)
        self.layer = nn.Sequential(Block(8, 8, 1), Block(8, 16, 2))
        self.pool = nn.AvgPool2d(8, stride=1)
        self.fc = nn.Linear(16, 10)

    def forward(self, x: Tensor) -> Tensor:
        x = self.relu(self.bn(self.conv(x)))
        x = self.layer(x)
        x = self.pool(x)
        x = x.view(x.size(0), -1)
        return self.fc(x)


class Functional(nn.Module):
    """Every spelling of add and relu, plus pooling/interpolation/cat functions."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(4, 4, 3, padding=1)

    def forward(self, x: Tensor) -> Tensor:
        y = self.conv(x)
        a = torch.add(y, x)
        b = a.add(x)
        b += a
        b.add_(x)
        c = F.relu(b)
        c = torch.relu(c)
        c = c.relu_()
        d = F.avg_pool2d(c, 2)
        e = F.interpolate(d, scale_factor=2.0, mode="nearest")
        f = torch.cat([e, c], dim=1)
        return f.flatten(1)


class SharedTwice(nn.Module):
    """One conv called twice: its parameters count once."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(4, 4, 3, padding=1)

    def forward(self, x: Tensor) -> Tensor:
        return self.conv(F.relu(self.conv(x)))


class Tied(nn.Module):
    """Two linear layers sharing one weight (biases separate)."""

    def __init__(self) -> None:
        super().__init__()
        self.enc = nn.Linear(6, 6)
        self.dec = nn.Linear(6, 6)
        self.dec.weight = self.enc.weight

    def forward(self, x: Tensor) -> Tensor:
        return self.dec(torch.tanh(self.enc(x)))


class RawWeight(nn.Module):
    """A parameter used through ``get_attr`` twice (counted at first use)."""

    def __init__(self) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.randn(4, 3, 3, 3))
        self.scale = nn.Parameter(torch.ones(1))

    def forward(self, x: Tensor) -> Tensor:
        y = F.conv2d(x, self.weight, padding=1)
        z = F.conv2d(x, self.weight, padding=1) * self.scale
        return y + z


class TwoInTwoOut(nn.Module):
    """Two inputs, a tuple of outputs and a non-tensor in the output."""

    def __init__(self) -> None:
        super().__init__()
        self.image = nn.Conv2d(3, 4, 3, padding=1)
        self.vector = nn.Linear(5, 4)

    def forward(self, img: Tensor, vec: Tensor) -> tuple[Tensor, Tensor, int]:
        feat = self.image(img).mean((2, 3))
        return feat, self.vector(vec) + feat, img.size(0)


class DictOut(nn.Module):
    """Outputs in a dict."""

    def __init__(self) -> None:
        super().__init__()
        self.a = nn.Linear(3, 2)
        self.b = nn.Linear(3, 5)

    def forward(self, x: Tensor) -> dict[str, Tensor]:
        return {"a": self.a(x), "b": self.b(x)}


class DataDependent(nn.Module):
    """A data-dependent ``if`` defeats torch.fx: traced with hooks instead.

    The branch is always taken (every value is finite), so the figure is fixed.
    """

    def __init__(self) -> None:
        super().__init__()
        self.c1 = nn.Conv2d(3, 4, 3, padding=1)
        self.c2 = nn.Conv2d(4, 4, 3, padding=1)
        self.c3 = nn.Conv2d(4, 4, 1)

    def forward(self, x: Tensor) -> Tensor:
        x = self.c1(x)
        if torch.isfinite(x).all():
            x = F.relu(x)
        y = self.c2(x)
        return self.c3(y) + y


class DataDependentShared(nn.Module):
    """Data-dependent control flow and a module called twice."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(4, 4, 3, padding=1)
        self.head = nn.Linear(4, 2)
        self.drop = nn.Dropout(0.5)

    def forward(self, x: Tensor) -> Tensor:
        x = self.conv(x)
        if x.abs().sum() >= 0:
            x = self.conv(x)
        return self.head(self.drop(x.mean((2, 3))))


class Raises(nn.Module):
    """A forward that always raises."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 3, 1)

    def forward(self, x: Tensor) -> Tensor:
        raise ValueError("this model is broken on purpose")


class BadDropout(nn.Module):
    """Traceable by fx, but an op raises a non-shape error while running."""

    def forward(self, x: Tensor) -> Tensor:
        return F.dropout(x, p=2.0)


class NothingRuns(nn.Module):
    """Untraceable by fx; no layer runs and no op reaches the output: nothing to draw."""

    def __init__(self) -> None:
        super().__init__()
        self.unused = nn.Linear(3, 3)

    def forward(self, x: Tensor) -> Tensor:
        if x.sum() > 0:  # the ops deciding the branch feed no output
            return x
        return x


class WithConstant(nn.Module):
    """Uses a tensor constant: fx stores it on the root while tracing."""

    def __init__(self) -> None:
        super().__init__()
        self.lin = nn.Linear(3, 3)

    def forward(self, x: Tensor) -> Tensor:
        return self.lin(x) * torch.tensor([1.0, 2.0, 3.0])


class PlainList(nn.Module):
    """Layers kept in a plain list: not registered, so fx fails; hooks still see them."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 4, 3, padding=1)
        self.layers = [nn.Conv2d(4, 4, 3, padding=1), nn.Conv2d(4, 4, 1)]

    def forward(self, x: Tensor) -> Tensor:
        x = self.stem(x)
        for layer in self.layers:
            x = layer(x)
        return x


class OptionalMask(nn.Module):
    """A second input with a ``None`` default."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)

    def forward(self, x: Tensor, mask: Tensor | None = None, *, scale: float = 1.0) -> Tensor:
        y = self.conv(x) * scale
        return y if mask is None else y * mask
