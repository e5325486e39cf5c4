"""``sesf`` — SESF-Fuse (Ma et al. 2021) with the authors' weights.

B. Ma, Y. Zhu, X. Yin, X. Ban, H. Huang, M. Mukeshimana, "SESF-Fuse: an
unsupervised deep model for multi-focus image fusion", Neural Computing and
Applications 33 (2021) 5793–5804. Released code and parameters:
``Keep-Passion/SESF-Fuse`` @ 23e60b8c.

1. Grey sources g in 0..1 (colour: scikit-image ``rgb2gray``, Rec. 709
   weights 0.2125/0.7154/0.0721), normalised (g − 0.45005) / 0.26465.
2. Encoder (trained as an auto-encoder with the decoder, which fusion does not
   use): conv 3×3 1→16, then three dense blocks conv 3×3 (16, 32, 48)→16; every
   conv is followed by ReLU then batch norm, every block's output by a channel
   squeeze-and-excitation layer (avg-pool → FC 16→2 → ReLU → FC 2→16 → sigmoid
   → scale); the features are the concatenation (64 channels).
3. Activity: spatial frequency of the features, per pixel and channel
   (F(i, j−1) − F(i, j))² + (F(i−1, j) − F(i, j))² (zero outside), summed over an
   11×11 window (kernel radius 5, zero padding) and over the 64 channels.
4. Decision map D₀ = [SF_A > SF_B].
5. Consistency verification: binary opening with a disk of radius 5, removal of
   4-connected regions of 1 smaller than 0.01·H·W, binary closing with the same
   disk, filling of 4-connected regions of 0 smaller than 0.01·H·W.
6. Guided filter of D with the initial fusion F₀ = D·A + (1 − D)·B (0..255) as
   guide, radius 4, ε = 0.1. For colour guides the authors' filter is per
   channel: a_c = cov(I_c, p) / (var(I_c) + ε), b = p̄ − Σ_c a_c Ī_c,
   q = Σ_c ā_c I_c + b̄ (:func:`guided_filter_per_channel`).
7. F = q·A + (1 − q)·B, clipped to 0..255 and truncated to 8 bits.

The binary morphology is done with :mod:`scipy.ndimage`, outside the image
counted as background in both the erosion and the dilation (scipy's default).
That is what the published outputs show: with the border counted as foreground
in the erosions (today's scikit-image), MFIFB's SESF files are matched at
38.7 / 38.8 dB on Lytro pairs 10 / 09, with background at 48.9 / 49.9 dB (the
closing's erosion decides it). Regions are removed when smaller than the area.

Weights: ``sesf-fuse/lp+lssim_se_sf_net_times30.pkl`` (a plain state dict, the
"cse" attention), found by :mod:`bench.weights` (``weights`` parameter,
``FUSEBENCH_SESF``, ``FUSEBENCH_WEIGHTS``, cache, download).

Colour: ``gray-weights``; ``decision_map`` is q (2-D); ``extras`` hold the
activity maps and the binary maps before and after verification.

    >>> import torch
    >>> enc = build_encoder().eval()          # weights: load_encoder() reads the parameters
    >>> with torch.no_grad():
    ...     f = enc(torch.zeros(1, 1, 30, 40))
    >>> f.shape, spatial_frequency(f).shape   # 64 feature channels, one activity per pixel
    (torch.Size([1, 64, 30, 40]), (30, 40))
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from bench.weights import declare, locate
from methods.base import FusionMethod, FusionResult, register_method
from methods.devices import cached_network, file_key, load_state, torch_device
from methods.filters import box_filter, box_mean

WEIGHTS = declare(
    "sesf-fuse/lp+lssim_se_sf_net_times30.pkl",
    "8758fcab88f19f673e31c9a8d1dc60e67f5b655572462ea099c49248b36fdaa3", 311937,
    "Keep-Passion/SESF-Fuse@23e60b8c710919f5b2957b64c96e3c204443c6d7:"
    "nets/parameters/lp+lssim_se_sf_net_times30.pkl",
    env="FUSEBENCH_SESF", method="sesf",
)
MEAN, STD = 0.4500517361627943, 0.26465333914691797
REC709 = np.array([0.2125, 0.7154, 0.0721])  # scikit-image rgb2gray


def build_encoder():
    """SESF-Fuse's encoder; its state-dict keys are the authors' (decoder keys are ignored)."""
    import torch
    from torch import nn

    def block(cin, cout):
        return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1), nn.ReLU(), nn.BatchNorm2d(cout))

    class SE(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.fc = nn.Sequential(nn.Linear(16, 2, bias=False), nn.ReLU(),
                                    nn.Linear(2, 16, bias=False), nn.Sigmoid())

        def forward(self, x):
            return x * self.fc(x.mean(dim=(2, 3)))[:, :, None, None]

    class Encoder(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.features = block(1, 16)
            self.conv_encode_1 = block(16, 16)
            self.conv_encode_2 = block(32, 16)
            self.conv_encode_3 = block(48, 16)
            self.se_f, self.se_1, self.se_2, self.se_3 = SE(), SE(), SE(), SE()

        def forward(self, x):
            f = self.se_f(self.features(x))
            for conv, se in ((self.conv_encode_1, self.se_1), (self.conv_encode_2, self.se_2),
                             (self.conv_encode_3, self.se_3)):
                f = torch.cat([f, se(conv(f))], 1)
            return f

    return Encoder()


def load_encoder(path: str | None = None, device="cpu"):
    """The encoder with the authors' parameters (eval mode, on ``device``), cached per file and device."""
    p = locate(WEIGHTS, path)

    def encoder_part(state):
        return {k: v for k, v in state.items() if not k.startswith("conv_decode")}

    return cached_network(("sesf", *file_key(p), str(device)),
                          lambda: load_state(build_encoder(), p, "sesf", "SESF-Fuse's encoder",
                                             encoder_part).to(device))


def spatial_frequency(f, radius: int = 5) -> np.ndarray:
    """Σ over channels and the (2r+1)² window of (F(i,j−1)−F)² + (F(i−1,j)−F)² (zero padding).

    ``f``: a (1, C, H, W) tensor; returns an H×W float64 array.
    """
    from torch.nn import functional as F

    left = F.pad(f, (1, 0, 0, 0))[..., :, :-1]
    up = F.pad(f, (0, 0, 1, 0))[..., :-1, :]
    g = ((left - f) ** 2 + (up - f) ** 2).sum(1)[0].double().cpu().numpy()
    return box_filter(g, radius)  # window sum with zeros outside the image


def disk(radius: int) -> np.ndarray:
    """Boolean disk x² + y² ≤ r² (scikit-image ``disk``)."""
    y, x = np.mgrid[-radius : radius + 1, -radius : radius + 1]
    return x * x + y * y <= radius * radius


def _drop_small(mask: np.ndarray, area: float) -> np.ndarray:
    """``mask`` without its 4-connected components smaller than ``area``."""
    lab, n = ndimage.label(mask)
    if n == 0:
        return mask
    small = np.bincount(lab.ravel()) < area
    small[0] = False
    return mask & ~small[lab]


def verify_consistency(d0: np.ndarray, radius: int, area: float) -> np.ndarray:
    """Opening, small 1-regions removed, closing, small 0-regions filled (see step 5)."""
    se = disk(radius)
    opened = ndimage.binary_dilation(ndimage.binary_erosion(d0, se), se)
    d = _drop_small(opened, area)
    closed = ndimage.binary_erosion(ndimage.binary_dilation(d, se), se)
    return ~_drop_small(~closed, area)


def guided_filter_per_channel(guide: np.ndarray, p: np.ndarray, r: int, eps: float) -> np.ndarray:
    """The SESF-Fuse guided filter: He's grey filter for a grey guide; for H×W×C guides
    a_c per channel, b = p̄ − Σ_c a_c Ī_c, q = Σ_c ā_c I_c + b̄ (clipped windows).

    Unlike He's colour filter, the per-channel slopes add up: a grey image given as
    three equal channels overshoots at edges (the step of q is 2.6 instead of 1 here).

        >>> I = np.tile(np.r_[np.zeros(6), np.full(6, 255.0)], (8, 1))
        >>> q = guided_filter_per_channel(I, (I > 0) * 1.0, 2, 0.1)        # edge kept
        >>> bool(np.allclose(q, I > 0, atol=1e-3))
        True
        >>> q3 = guided_filter_per_channel(np.stack([I] * 3, -1), (I > 0) * 1.0, 2, 0.1)
        >>> round(float(q3[0, 6] - q3[0, 5]), 2), round(float(q[0, 6] - q[0, 5]), 2)
        (2.6, 1.0)
    """
    I = guide if guide.ndim == 3 else guide[..., None]
    pe = p[..., None]
    mean_i = box_mean(I, r)
    mean_p = box_mean(pe, r)
    a = (box_mean(I * pe, r) - mean_i * mean_p) / (box_mean(I * I, r) - mean_i * mean_i + eps)
    b = mean_p[..., 0] - np.sum(a * mean_i, axis=2)
    return np.sum(box_mean(a, r) * I, axis=2) + box_mean(b, r)


@register_method
class SESF(FusionMethod):
    name = "sesf"
    version = "1"
    kind = "deep"
    modalities = ("multi-focus",)
    groups = ("mfifb",)
    published_names = {"mfifb": "SESF"}
    colour = "gray-weights"
    citation = (
        "B. Ma, Y. Zhu, X. Yin, X. Ban, H. Huang, M. Mukeshimana, SESF-Fuse: an unsupervised "
        "deep model for multi-focus image fusion, Neural Computing and Applications 33 (2021)"
    )

    @dataclass
    class Params:
        weights: str | None = None  # parameter file; None = found by bench.weights
        kernel_radius: int = 5  # spatial-frequency window radius
        morph_radius: int = 5  # disk radius of the opening / closing
        area_ratio: float = 0.01  # regions smaller than area_ratio·H·W are removed
        gf_radius: int = 4
        gf_eps: float = 0.1  # on the 0..255 guide
        device: str = "auto"  # auto (CUDA if available), cpu, cuda, cuda:N

    def run(self, a, b, params):
        import torch

        dev = torch_device(params.device, self.name)
        enc = load_encoder(params.weights, dev)

        def tensor(x):
            g = (x @ REC709 if x.ndim == 3 else x) / 255.0
            g = (g.astype(np.float32) - np.float32(MEAN)) / np.float32(STD)
            return torch.from_numpy(np.ascontiguousarray(g))[None, None].to(dev)

        with torch.inference_mode():
            sfa = spatial_frequency(enc(tensor(a)), params.kernel_radius)
            sfb = spatial_frequency(enc(tensor(b)), params.kernel_radius)
        d0 = sfa > sfb
        h, w = d0.shape
        d = verify_consistency(d0, params.morph_radius, params.area_ratio * h * w).astype(np.float64)
        dc = d[..., None] if a.ndim == 3 else d
        initial = a * dc + b * (1.0 - dc)
        q = guided_filter_per_channel(initial, d, params.gf_radius, params.gf_eps)
        qc = q[..., None] if a.ndim == 3 else q
        fused = np.floor(np.clip(a * qc + b * (1.0 - qc), 0.0, 255.0))
        return FusionResult(
            image=fused, decision_map=np.clip(q, 0.0, 1.0),
            extras={"activity_a": sfa, "activity_b": sfb,
                    "binary_map": d0, "verified_map": d > 0.5},
        )
