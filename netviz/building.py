"""Build models on a device, skipping weight initialisation on the meta device."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

# In-place initialisers of torch.nn.init that models and torch's own layers call.
_INITIALISERS = (
    "uniform_", "normal_", "trunc_normal_", "constant_", "ones_", "zeros_", "eye_",
    "dirac_", "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_",
    "orthogonal_", "sparse_",
)


@contextmanager
def building_on(device: str) -> Iterator[None]:
    """``with torch.device(device)``; on ``"meta"`` the ``torch.nn.init`` functions do nothing.

    Meta tensors hold no values, so initialising them is pure cost, and a random
    initialiser on meta imports ``torch._dynamo`` (seconds). The functions are
    restored on exit, whatever happens.
    """
    import torch
    from torch.nn import init

    if device != "meta":
        with torch.device(device):
            yield
        return
    saved = {name: getattr(init, name) for name in _INITIALISERS if hasattr(init, name)}
    try:
        for name in saved:
            setattr(init, name, _keep)
        with torch.device(device):
            yield
    finally:
        for name, function in saved.items():
            setattr(init, name, function)


def _keep(tensor, *args, **kwargs):  # type: ignore[no-untyped-def]
    return tensor
