"""``transfusion``: TransFusion (Qian et al. 2025), infrared–visible fusion, trained here.

- :mod:`methods.transfusion.model` — the network (VGG-19 encoder, cross-modal channel
  perception, multi-level spatial attention guidance, decoder) and its ImageNet init;
- :mod:`methods.transfusion.losses` — the two training stages' losses (SSIM, gradient,
  the double inner-loop feature mutual-information loss);
- :mod:`methods.transfusion.weights` — checkpoint I/O and the packaged ``transfusion_cpu.pt``;
- :mod:`methods.transfusion.plugin` — the registered fusion method.

Importing this package registers the method without importing torch.
"""

from methods.transfusion.plugin import TransFusion

__all__ = ["TransFusion"]
