"""Reference residual networks shipped with netviz.

Each module is one family and registers its builders with
[`netviz.registry.register_model`][netviz.registry.register_model]; netviz
finds them through the ``netviz.models`` entry-point group, the same way it
finds a third-party package's models.

- [`netviz_models.wideresnet`][netviz_models.wideresnet]: WideResNet-d-k (pre-activation blocks).
- [`netviz_models.resnet`][netviz_models.resnet]: ResNet-18/34/50/101/152, torchvision-compatible.
- [`netviz_models.mdnc`][netviz_models.mdnc]: mdnc-style plain and bottleneck residual blocks (1d/2d/3d).

Families beyond ResNet, each a compact registered model (``*_mini``) and, built
by the same code, the torchvision configuration with its published parameter count:

- [`netviz_models.vit`][netviz_models.vit]: Vision Transformer (``vit_mini``, ``vit_mini_qkv``; ``vit_b_16``).
- [`netviz_models.swin`][netviz_models.swin]: Swin Transformer on NHWC tensors (``swin_mini``; ``swin_t``).
- [`netviz_models.convnext`][netviz_models.convnext]: ConvNeXt (``convnext_mini``; ``convnext_tiny``).
- [`netviz_models.densenet`][netviz_models.densenet]: DenseNet-BC (``densenet_mini``; ``densenet121``).
- [`netviz_models.inception`][netviz_models.inception]: GoogLeNet (``googlenet_mini``; ``googlenet``).
- [`netviz_models.mobilenet`][netviz_models.mobilenet]: MobileNetV2 (``mobilenet_v2_mini``; ``mobilenet_v2``).
- [`netviz_models.regnet`][netviz_models.regnet]: RegNetY, widths computed with tensor ops
  (``regnet_mini``; ``regnet_y_400mf``).
- [`netviz_models.sequence`][netviz_models.sequence]: a transformer language model and an LSTM
  tagger on int64 token ids (``transformer_lm_mini``, ``lstm_tagger_mini``).
- [`netviz_models.layers`][netviz_models.layers]: layers the families share.

Importing this package does not import torch; import a family module to use it.
"""
