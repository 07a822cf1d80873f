"""Reference residual networks shipped with netviz.

Each module is one family and registers its builders with
[`netviz.registry.register_model`][netviz.registry.register_model]; netviz
finds them through the ``netviz.models`` entry-point group, the same way it
finds a third-party package's models.

- [`netviz_models.wideresnet`][netviz_models.wideresnet]: WideResNet-d-k (pre-activation blocks).
- [`netviz_models.resnet`][netviz_models.resnet]: ResNet-18/34/50/101/152, torchvision-compatible.
- [`netviz_models.mdnc`][netviz_models.mdnc]: mdnc-style plain and bottleneck residual blocks (1d/2d/3d).

Importing this package does not import torch; import a family module to use it.
"""
