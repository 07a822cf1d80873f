"""Small layers the model families share: stochastic depth, the transformer MLP, permutes.

Each matches the torchvision (or timm) layer of the same job in behaviour and in
``state_dict`` keys, so the families that use them stay checkpoint-compatible.

Examples:
    >>> import torch
    >>> from netviz_models.layers import DropPath, transformer_mlp
    >>> mlp = transformer_mlp(8, 32)
    >>> mlp(torch.zeros(2, 5, 8)).shape
    torch.Size([2, 5, 8])
    >>> drop = DropPath(0.5).eval()
    >>> x = torch.ones(2, 3)
    >>> bool(torch.equal(drop(x), x))
    True
"""

from __future__ import annotations

from collections.abc import Sequence

import torch.nn.functional as F
from torch import Tensor, nn

__all__ = ["DropPath", "LayerNorm2d", "Permute", "transformer_mlp"]


class DropPath(nn.Module):
    """Stochastic depth per sample (timm's ``DropPath``, torchvision's ``StochasticDepth``).

    In training, each sample's residual branch is zeroed with probability ``p``
    and the survivors are scaled by ``1 / (1 - p)``, from a random tensor drawn
    on every call; in eval (and with ``p = 0``) it returns its input unchanged,
    and diagrams (drawn in eval mode by default) leave it out. Drawn in training
    mode (``train: true``), it is the cluster on the branch of a ConvNeXt
    [`Block`][netviz_models.convnext.Block]: the branch times a per-sample mask,
    divided by ``1 - p``:

    ```netviz
    model: netviz_models.convnext:Block(24, drop_path=0.1)
    input_shape: 24,8,8
    train: true
    ```

    Args:
        p: Drop probability in ``[0, 1)``.

    Raises:
        ValueError: ``p`` is outside ``[0, 1)``.

    Attributes:
        p: Probability of dropping a sample's branch.

    Examples:
        >>> import torch
        >>> drop = DropPath(0.5)
        >>> x = torch.ones(8, 3)
        >>> bool(torch.equal(drop.eval()(x), x))
        True
        >>> out = drop.train()(x)  # each row: all 0 (dropped) or all 1 / (1 - 0.5)
        >>> {tuple(row) for row in out.tolist()} <= {(0.0, 0.0, 0.0), (2.0, 2.0, 2.0)}
        True
    """

    def __init__(self, p: float = 0.0) -> None:
        super().__init__()
        if not 0.0 <= p < 1.0:
            raise ValueError(f"drop probability must be in [0, 1), got {p!r}")
        self.p = p

    def forward(self, x: Tensor) -> Tensor:
        """Return ``x`` in eval, else ``x`` times a per-sample Bernoulli mask / (1 - p)."""
        if self.p == 0.0 or not self.training:
            return x
        keep = 1.0 - self.p
        shape = (x.shape[0],) + (1,) * (x.ndim - 1)
        mask = x.new_empty(shape).bernoulli_(keep)
        return x * mask / keep

    def extra_repr(self) -> str:
        """``p=...`` in ``repr``."""
        return f"p={self.p}"


class Permute(nn.Module):
    """``x.permute(*dims)`` as a module (torchvision's ``ops.misc.Permute``).

    It changes no values, only their order, so diagrams leave it out as they
    leave out views (NCHW to NHWC, drawn: nothing between input and output):

    ```netviz
    model: netviz_models.layers:Permute((0, 2, 3, 1))
    input_shape: 24,8,8
    ```

    The pseudocode listing keeps every op:

    ```netviz
    model: netviz_models.layers:Permute((0, 2, 3, 1))
    input_shape: 24,8,8
    show: pseudocode
    ```

    Args:
        dims: The new order of the dimensions, e.g. ``(0, 2, 3, 1)`` for NCHW → NHWC.

    Attributes:
        dims: The new order of the dimensions.

    Examples:
        >>> import torch
        >>> Permute((0, 2, 3, 1))(torch.zeros(1, 24, 8, 6)).shape
        torch.Size([1, 8, 6, 24])
    """

    def __init__(self, dims: Sequence[int]) -> None:
        super().__init__()
        self.dims = tuple(dims)

    def forward(self, x: Tensor) -> Tensor:
        """Return ``x.permute(*dims)``."""
        return x.permute(*self.dims)


class LayerNorm2d(nn.LayerNorm):
    """LayerNorm over the channels of an NCHW tensor (torchvision's ``LayerNorm2d``).

    Permutes to NHWC, normalises the last dimension, permutes back; its
    arguments and parameters are those of ``nn.LayerNorm(channels)``. Drawn as
    the ``LN`` mark it is (the permutes are left out; 24 channels):

    ```netviz
    model: netviz_models.layers:LayerNorm2d(24)
    input_shape: 24,8,8
    ```

    Examples:
        >>> import torch
        >>> norm = LayerNorm2d(24, eps=1e-6)
        >>> norm(torch.randn(1, 24, 8, 8)).mean(dim=1).abs().max() < 1e-5
        tensor(True)
        >>> sum(p.numel() for p in norm.parameters())  # weight and bias, 24 each
        48
    """

    def forward(self, x: Tensor) -> Tensor:
        """Normalise ``(B, C, H, W)`` over ``C``."""
        x = x.permute(0, 2, 3, 1)
        x = F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)
        return x.permute(0, 3, 1, 2)


def transformer_mlp(dim: int, hidden_dim: int, dropout: float = 0.0) -> nn.Sequential:
    """The transformer MLP: ``Linear → GELU → Dropout → Linear → Dropout``.

    The indices (``0`` and ``3`` hold the weights) are those of torchvision's
    ``MLP`` in ViT and Swin, so ``state_dict`` keys match.

    Args:
        dim: Input and output width.
        hidden_dim: Width of the hidden layer (usually ``4 * dim``).
        dropout: Dropout probability after each linear layer.

    Returns:
        The MLP.
    """
    return nn.Sequential(
        nn.Linear(dim, hidden_dim),
        nn.GELU(),
        nn.Dropout(dropout),
        nn.Linear(hidden_dim, dim),
        nn.Dropout(dropout),
    )
