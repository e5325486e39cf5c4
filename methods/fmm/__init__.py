"""``fmm``: unsupervised image fusion by feature mutual mapping (Rao et al.).

- :mod:`methods.fmm.model` — the network (encoders, mapping fusion, decoder) and the SSIM loss;
- :mod:`methods.fmm.weights` — checkpoint I/O and the packaged ``fmm.pt``;
- :mod:`methods.fmm.plugin` — the registered fusion method.

Importing this package registers the method without importing torch.
"""

from methods.fmm.plugin import FMMFusion

__all__ = ["FMMFusion"]
