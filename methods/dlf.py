"""``dlf`` — infrared/visible fusion with a deep learning framework (Li, Wu & Kittler 2018).

H. Li, X.-J. Wu, J. Kittler, "Infrared and visible image fusion using a deep
learning framework", ICPR 2018, 2705–2710. VIFB's ``DLF`` (``methods/DLF/``,
the authors' MATLAB code with MatConvNet's ``imagenet-vgg-verydeep-19``).

NOT VALIDATED here: it needs ImageNet VGG-19 weights (torchvision's
``vgg19-dcbb9e9d.pth``, 548 MB), which this project cannot ship; see
:mod:`methods.imagenet` for where to put them. The mechanics are tested with
fabricated weights (``imagenet_weights="random"``, meaningless output).

Per grey plane (sources in 0..1, MATLAB ``im2double``):

1. Two-scale split: base s_l = Tikhonov low-pass (λ = 5, 16-pixel symmetric
   padding, SPORCO's ``tikhonov_filter``, the release's ``lowpass.m``), detail
   s_h = s − s_l.
2. Base: F_b = (A_l + B_l) / 2.
3. Detail: each detail image, repeated to 3 channels, through VGG-19; at the
   taps i = 1..4 (stride u_i = 1, 2, 4, 8) the activity φ_i = Σ_c |feature_c|
   is averaged over a 3×3 window (zeros outside), the weights
   W_A = φ̂_A / (φ̂_A + φ̂_B), W_B = 1 − W_A are enlarged by u_i×u_i block
   replication, and F_d^i = W_A A_h + W_B B_h. Where the enlarged map does not
   reach (the last H mod u_i rows and W mod u_i columns), the release's weights
   stay 0, so F_d^i = 0 there (kept: it is their output). F_d = max_i F_d^i.
4. F = F_b + F_d, to 8 bits by ``im2uint8`` (×255, rounded, clipped).

Taps: the release reads ``res(2), res(7), res(12), res(21)`` of
``vl_simplenn``, the outputs of conv1_1, conv2_1, conv3_1 and conv4_1 *before*
their ReLUs (the paper says relu1_1 … relu4_1; ``relu=True`` takes those).

Input scale: MatConvNet's VGG-19 takes 0..255 images minus the mean, the
release feeds it the 0..1 detail images without any normalisation, and
torchvision's weights take (x − μ)/σ of 0..1 images. ``scale="vifb"`` gives
torchvision's network the input equivalent to what the release gave its own,
s_h/(255 σ_c); ``scale="imagenet"`` the detail as a 0..255 image, s_h/σ_c.

Colour: as VIFB's ``run_DLF``, each colour channel is fused on its own (a grey
infrared image with each visible channel).

    >>> import numpy as np
    >>> a = np.tile(np.linspace(0, 255, 24), (20, 1)); b = a[:, ::-1].copy()
    >>> out = get_method("dlf").fuse(a, b, imagenet_weights="random", device="cpu").image
    >>> out.shape, bool(np.abs(out - (a + b) / 2).mean() < 20)
    ((20, 24), True)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from bench.errors import ParameterError
from bench.matlab import round_half_away
from methods.base import FusionMethod, FusionResult, get_method, register_method
from methods.devices import torch_device
from methods.imagenet import IMAGENET_STD, VGG19_BLOCK_FIRST_CONVS, load_backbone

NOT_VALIDATED = (
    "not validated: needs ImageNet VGG-19 weights (torchvision vgg19-dcbb9e9d.pth), not "
    "available to this project; its agreement with VIFB's DLF outputs is unmeasured"
)
UNITS = (1, 2, 4, 8)  # stride of relu1_1 .. relu4_1


def tikhonov_split(x: np.ndarray, lam: float = 5.0, npad: int = 16) -> tuple[np.ndarray, np.ndarray]:
    """(low, high) of a 2-D image by the Tikhonov low-pass of ``lowpass.m`` (SPORCO)."""
    from sporco.signal import tikhonov_filter

    low, high = tikhonov_filter(x, lam, npad)
    return np.asarray(low, dtype=np.float64), np.asarray(high, dtype=np.float64)


def block_weights(act_a: np.ndarray, act_b: np.ndarray, unit: int,
                  shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """(W_A, W_B) of the release's ``fusion_strategy``: 3×3 window means (zeros outside) of the
    activities, ratios (½ where both are 0), enlarged ×unit by replication, both 0 beyond.

        >>> wa, wb = block_weights(np.ones((2, 2)), 3 * np.ones((2, 2)), 2, (5, 4))
        >>> wa[0].tolist(), wa[4].tolist(), float(wb[0, 0])
        ([0.25, 0.25, 0.25, 0.25], [0.0, 0.0, 0.0, 0.0], 0.75)
    """
    from scipy import ndimage

    ma = ndimage.uniform_filter(act_a, 3, mode="constant")
    mb = ndimage.uniform_filter(act_b, 3, mode="constant")
    tot = ma + mb
    w = np.divide(ma, tot, out=np.full_like(ma, 0.5), where=tot > 0)
    out = []
    for m in (w, 1.0 - w):
        big = np.kron(m, np.ones((unit, unit)))[: shape[0], : shape[1]]
        full = np.zeros(shape)
        full[: big.shape[0], : big.shape[1]] = big
        out.append(full)
    return out[0], out[1]


def detail_activities(net, detail: np.ndarray, relu: bool, scale: str, device) -> list[np.ndarray]:
    """Σ_c |feature| at the four taps for one detail image (0..1 units)."""
    import torch

    std = np.asarray(IMAGENET_STD, np.float32)[:, None, None]
    x = np.repeat(detail[None].astype(np.float32), 3, axis=0) / std
    if scale == "vifb":  # MatConvNet units v = s_h -> torchvision units v / (255 σ)
        x = x / np.float32(255.0)
    taps = tuple(i + (1 if relu else 0) for i in VGG19_BLOCK_FIRST_CONVS)
    with torch.inference_mode():
        feats = net(torch.from_numpy(np.ascontiguousarray(x))[None].to(device), taps)
    return [f[0].abs().sum(0).double().cpu().numpy() for f in feats]


def dlf_plane(a: np.ndarray, b: np.ndarray, net, *, relu: bool, scale: str, device,
              lam: float = 5.0, memo: dict | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Fused plane (0..1) and the relu1_1 weight map of A for two 0..1 planes.

    ``memo`` (a dict kept over the planes of one pair) reuses the split and the VGG
    activities of a plane seen before (a grey infrared image fused with each visible
    channel goes through the network once)."""
    memo = {} if memo is None else memo

    def analyse(x):
        key = (x.shape, x.tobytes())
        if key not in memo:
            low, high = tikhonov_split(x, lam)
            memo[key] = (low, high, detail_activities(net, high, relu, scale, device))
        return memo[key]

    a_l, a_h, acts_a = analyse(a)
    b_l, b_h, acts_b = analyse(b)
    cands, w1 = [], None
    for act_a, act_b, unit in zip(acts_a, acts_b, UNITS):
        w_a, w_b = block_weights(act_a, act_b, unit, a.shape)
        cands.append(a_h * w_a + b_h * w_b)
        w1 = w_a if w1 is None else w1
    return (a_l + b_l) / 2.0 + np.maximum.reduce(cands), w1


@register_method
class DLF(FusionMethod):
    """DLF: two-scale split, averaged base, VGG-19 l1-activity weighted detail (max of 4 layers).

    Not validated: needs ImageNet VGG-19 weights (see ``validation_note``)."""

    name = "dlf"
    version = "1"
    kind = "deep"
    modalities = ("ir-visible",)
    groups: ClassVar[tuple[str, ...]] = ("deep",)
    published_names: ClassVar[dict[str, str]] = {"vifb": "DLF"}
    validation_note: ClassVar[str] = NOT_VALIDATED
    colour = "per-channel"
    identity_exempt: ClassVar[str] = (
        "the release's deeper-layer weight maps are 0 on the last H mod 8 rows and W mod 8 "
        "columns, so there the max over the four detail candidates is max(detail, 0), not the "
        "detail"
    )
    citation = (
        "H. Li, X.-J. Wu, J. Kittler, Infrared and visible image fusion using a deep learning "
        "framework, ICPR 2018, 2705-2710"
    )
    contract_params: ClassVar[dict] = {"imagenet_weights": "random"}

    @dataclass
    class Params:
        imagenet_weights: str | None = None  # None: hub cache/$FUSEBENCH_VGG19; PATH; download; random
        relu: bool = False  # False: the release's pre-ReLU taps; True: the paper's relu1_1..relu4_1
        scale: str = "vifb"  # vifb (the release's 0..1 detail) or imagenet (detail as 0..255)
        lam: float = 5.0  # Tikhonov regularisation of the two-scale split
        device: str = "auto"  # auto (CUDA if available), cpu, cuda, cuda:N

    @classmethod
    def info(cls):
        return {**super().info(), "validation_note": cls.validation_note}

    def run(self, a, b, params):
        if params.scale not in ("vifb", "imagenet"):
            raise ParameterError(f"method 'dlf': scale must be vifb or imagenet, got {params.scale!r}")
        dev = torch_device(params.device, self.name)
        net = load_backbone("vgg19", params.imagenet_weights, dev, self.name)
        pa, pb = (x[..., None] if x.ndim == 2 else x for x in (a, b))
        planes, w_first, memo = [], None, {}
        for c in range(pa.shape[2]):
            f, w = dlf_plane(pa[..., c] / 255.0, pb[..., c] / 255.0, net, relu=params.relu,
                             scale=params.scale, device=dev, lam=params.lam, memo=memo)
            planes.append(np.clip(round_half_away(f * 255.0), 0.0, 255.0))
            w_first = w if w_first is None else w_first
        out = np.stack(planes, axis=2)
        return FusionResult(image=out[..., 0] if a.ndim == 2 else out,
                            extras={"weight_a_relu1": w_first})


__all__ = ["DLF", "NOT_VALIDATED", "block_weights", "dlf_plane", "get_method", "tikhonov_split"]
