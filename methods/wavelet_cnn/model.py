"""The wavelet-domain siamese focus classifier of ``wavelet-cnn``.

Sharma, Gupta & Sharma ("Image Fusion with Deep Learning using Wavelet
Transformation"), after Li, Yuan & Fan 2019 ("Multifocus image fusion using
wavelet domain based deep CNN"), feed the *DWT sub-bands* of the sources to a
CNN that learns the focus / fusion rule, inside Liu et al.'s 2017 patch-CNN
pipeline (16×16 patch pairs, two classes, siamese branches, dense score map).
The papers leave the wavelet and the layer sizes open; decided here (model card):

* wavelet: one level of the orthonormal Haar DWT (PyWavelets ``"haar"``,
  ``pywt.dwt2`` sub-band order and signs), computed as a fixed stride-2 2×2
  convolution. A 16×16 grey patch (0..1) gives 4 sub-bands of 8×8:
  ``LL = (x00+x01+x10+x11)/2``, ``H = (x00+x01−x10−x11)/2``,
  ``V = (x00−x01+x10−x11)/2``, ``D = (x00−x01−x10+x11)/2``.
  The DWT's factor-2 decimation takes the place of Liu's max-pool, so a whole
  image still gives one score per 16×16 patch at stride 2. The network sees the
  sub-bands times fixed gains (LL × 0.5, H, V, D × 4: ``BAND_GAIN``) so that the
  small detail coefficients of blurred patches are not lost at Xavier
  initialisation (without them a toy run stayed at chance far longer).
* branch (shared by both inputs, on the 4×8×8 sub-band stack, 'same' zero padding)::

      conv3×3 4→c1, ReLU → conv3×3 c1→c2, ReLU → conv3×3 c2→c3, ReLU

* head: the two branches' 2·c3×8×8 features concatenated → FC ``hidden``, ReLU →
  FC 2 → softmax; class 1 = "the first patch is the sharper one", score = P(class 1).
  At inference the FCs become an 8×8 and a 1×1 convolution (fully convolutional).

``domain="pixel"`` is the same network in the pixel domain (for ``bench ablate``):
the Haar matrix replaced by the identity, i.e. the 2×2 polyphase components of the
patch (``pixel_unshuffle``) as the 4 input channels.

Widths ``(c1, c2, c3, hidden)``: ``cpu`` configuration (16, 32, 32, 64), ~0.28 M
weights; ``paper`` (64, 128, 256, 256), Liu et al.'s sizes.

    >>> import torch
    >>> net = WaveletCNN().eval()
    >>> net(torch.zeros(3, 1, 16, 16), torch.zeros(3, 1, 16, 16)).shape
    torch.Size([3, 2])
    >>> net.score_map(torch.zeros(1, 1, 37, 40), torch.zeros(1, 1, 37, 40)).shape
    torch.Size([1, 1, 12, 13])
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

# 16×16 patches at stride 2 (the DWT's decimation): 8×8 sub-bands per patch, as cnn-patch's
from methods.cnn_patch.model import FEAT, PATCH, STRIDE, SiamesePatchClassifier  # noqa: F401

WIDTHS = {"cpu": (16, 32, 32, 64), "paper": (64, 128, 256, 256)}
DOMAINS = ("wavelet", "pixel")

_HAAR = 0.5 * torch.tensor([
    [[1.0, 1.0], [1.0, 1.0]],     # LL (pywt cA)
    [[1.0, 1.0], [-1.0, -1.0]],   # H  (pywt cH)
    [[1.0, -1.0], [1.0, -1.0]],   # V  (pywt cV)
    [[1.0, -1.0], [-1.0, 1.0]],   # D  (pywt cD)
])
_POLYPHASE = torch.eye(4).reshape(4, 2, 2)  # x00, x01, x10, x11
BAND_GAIN = (0.5, 4.0, 4.0, 4.0)  # LL, H, V, D as fed to the first convolution


def haar_dwt(x: torch.Tensor) -> torch.Tensor:
    """One-level orthonormal Haar DWT ``(N,1,H,W)`` → ``(N,4,⌈H/2⌉,⌈W/2⌉)`` (LL, H, V, D).

    Odd sizes are padded by one mirrored row / column first (``pywt`` mode
    ``"symmetric"`` does the same for Haar).

        >>> import numpy as np, pywt
        >>> x = np.random.default_rng(0).random((6, 9))
        >>> ours = haar_dwt(torch.from_numpy(x)[None, None])[0].numpy()
        >>> ca, (ch, cv, cd) = pywt.dwt2(x, "haar")
        >>> bool(np.allclose(ours, np.stack([ca, ch, cv, cd])))
        True
    """
    return _analysis(x, _HAAR)


def polyphase(x: torch.Tensor) -> torch.Tensor:
    """The pixel-domain counterpart of :func:`haar_dwt`: the four 2×2 polyphase components."""
    return _analysis(x, _POLYPHASE)


def _analysis(x: torch.Tensor, bank: torch.Tensor) -> torch.Tensor:
    h, w = x.shape[-2:]
    if h % 2 or w % 2:
        x = F.pad(x, (0, w % 2, 0, h % 2), mode="replicate")
    return F.conv2d(x, bank.to(x)[:, None], stride=2)


class Branch(nn.Module):
    """Feature extractor shared by both inputs: sub-band transform + three 3×3 convs."""

    def __init__(self, widths=WIDTHS["cpu"], domain: str = "wavelet") -> None:
        super().__init__()
        if domain not in DOMAINS:
            raise ValueError(f"wavelet-cnn: unknown domain {domain!r} ({', '.join(DOMAINS)})")
        c1, c2, c3 = widths[:3]
        self.domain = domain
        self.conv1 = nn.Conv2d(4, c1, 3, padding=1)
        self.conv2 = nn.Conv2d(c1, c2, 3, padding=1)
        self.conv3 = nn.Conv2d(c2, c3, 3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.domain == "wavelet":
            x = haar_dwt(x) * x.new_tensor(BAND_GAIN)[:, None, None]
        else:
            x = polyphase(x)
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        return F.relu(self.conv3(x))


class WaveletCNN(SiamesePatchClassifier):
    """Siamese focus classifier on Haar sub-bands; see the module docstring. Training and the
    fully convolutional ``score_map`` are :class:`~methods.cnn_patch.model.SiamesePatchClassifier`'s."""

    label = "wavelet-cnn"

    def __init__(self, widths=WIDTHS["cpu"], domain: str = "wavelet") -> None:
        super().__init__()
        self.widths = tuple(int(w) for w in widths)
        self.domain = domain
        c3, hidden = self.widths[2], self.widths[3]
        self.branch = Branch(self.widths, domain)
        self.fc1 = nn.Linear(2 * c3 * FEAT * FEAT, hidden)
        self.fc2 = nn.Linear(hidden, 2)
