"""``wavelet-cnn``: multi-focus fusion with a siamese focus CNN on Haar DWT sub-bands.

- :mod:`methods.wavelet_cnn.model` — the network (patch classifier and dense score map);
- :mod:`methods.wavelet_cnn.weights` — checkpoint I/O and the packaged ``wavelet_cnn.pt``;
- :mod:`methods.wavelet_cnn.plugin` — the registered fusion method.

Importing this package registers the method without importing torch.
"""

from methods.wavelet_cnn.plugin import WaveletCNNFusion

__all__ = ["WaveletCNNFusion"]
