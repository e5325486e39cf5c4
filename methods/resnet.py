"""``resnet`` — infrared/visible fusion with ResNet-50 and ZCA (Li, Wu & Durrani 2019).

H. Li, X.-J. Wu, T. S. Durrani, "Infrared and visible image fusion with ResNet
and zero-phase component analysis", Infrared Physics & Technology 102 (2019)
103039. VIFB's ``ResNet`` (``methods/ResNet/``, the authors' MATLAB code with
MatConvNet's ``imagenet-resnet-50-dag``).

NOT VALIDATED here: it needs ImageNet ResNet-50 weights (torchvision's
``resnet50-0676ba61.pth``, 98 MB), which this project cannot ship; see
:mod:`methods.imagenet` for where to put them. The mechanics are tested with
fabricated weights (``imagenet_weights="random"``, meaningless output).

1. Features: both sources (0..255; a grey one repeated to 3 channels) through
   ResNet-50 up to ``res5cx`` (torchvision's ``layer4``; ``layer=4`` takes
   ``res4fx``/``layer3``, computed but unused by the release).
2. ZCA per channel c of the h×w feature map X_c: X̄ = X_c − mean(X_c),
   Σ = X̄ X̄ᵀ (h×h) = U S Uᵀ, Z_c = U (S + 10⁻⁵ I)^(−½) Uᵀ X̄ (a channel whose
   mean is 0, i.e. all zero after the ReLU, is kept as it is).
3. Activity: C(x, y) = Σ_c |Z_c(x, y)|, averaged over a 5×5 window (zeros
   outside the map).
4. Weights: C_A, C_B enlarged to H×W by MATLAB's ``imresize`` (bicubic,
   :func:`bench.matlab.imresize`), W_A = C_A / (C_A + C_B) (½ where the sum
   is 0), F = W_A A + (1 − W_A) B, to 8 bits by MATLAB ``uint8`` (rounded).

Input scale: MatConvNet's network takes 0..255 images minus the ImageNet mean;
the release feeds it the 0..255 sources without subtracting it.
``scale="vifb"`` gives torchvision's network the equivalent input X/(255 σ_c);
``scale="imagenet"`` the proper (X/255 − μ_c)/σ_c.

Colour: one weight map from the two (colour) sources' features, applied to
every channel (VIFB: the visible image's channels each fused with the grey
infrared image with the same weights), hence ``colour = "gray-weights"``.

    >>> import numpy as np
    >>> z = zca(np.random.default_rng(0).random((3, 4, 5)))   # whitened rows per channel
    >>> bool(np.allclose(z[0] @ z[0].T, np.eye(4), atol=1e-3))
    True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from bench.errors import ParameterError
from bench.matlab import imresize, round_half_away
from methods.base import FusionMethod, FusionResult, register_method
from methods.devices import torch_device
from methods.imagenet import IMAGENET_MEAN, IMAGENET_STD, load_backbone

NOT_VALIDATED = (
    "not validated: needs ImageNet ResNet-50 weights (torchvision resnet50-0676ba61.pth), not "
    "available to this project; its agreement with VIFB's ResNet outputs is unmeasured"
)


def zca(features: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    """ZCA whitening of each channel of a C×h×w array (rows = observations), the release's
    ``zca.m``: U (S + eps)^(−½) Uᵀ (X − mean) with X̄X̄ᵀ = U S Uᵀ; zero-mean channels kept."""
    x = np.asarray(features, dtype=np.float64)
    mean = x.mean(axis=(1, 2), keepdims=True)
    xc = x - mean
    cov = xc @ xc.transpose(0, 2, 1)
    s, u = np.linalg.eigh(cov)  # symmetric PSD: the SVD's U and S (order is irrelevant)
    s = np.clip(s, 0.0, None)
    white = (u * (1.0 / np.sqrt(s + eps))[:, None, :]) @ u.transpose(0, 2, 1)
    out = white @ xc
    keep = mean[:, 0, 0] == 0
    out[keep] = x[keep]
    return out


def l1_activity(z: np.ndarray, window: int = 5) -> np.ndarray:
    """Σ_c |z_c| averaged over a window×window block, zeros outside (``l1_norm`` of the release)."""
    from scipy import ndimage

    return ndimage.uniform_filter(np.abs(z).sum(0), window, mode="constant")


@register_method
class ResNetZCA(FusionMethod):
    """ResNet-50 + ZCA: l1 activity of whitened deep features as weights of a weighted average.

    Not validated: needs ImageNet ResNet-50 weights (see ``validation_note``)."""

    name = "resnet"
    version = "1"
    kind = "deep"
    modalities = ("ir-visible",)
    groups: ClassVar[tuple[str, ...]] = ("deep",)
    published_names: ClassVar[dict[str, str]] = {"vifb": "ResNet"}
    validation_note: ClassVar[str] = NOT_VALIDATED
    colour = "gray-weights"
    citation = (
        "H. Li, X.-J. Wu, T. S. Durrani, Infrared and visible image fusion with ResNet and "
        "zero-phase component analysis, Infrared Physics & Technology 102 (2019) 103039"
    )
    contract_params: ClassVar[dict] = {"imagenet_weights": "random"}

    @dataclass
    class Params:
        imagenet_weights: str | None = None  # None: hub cache/$FUSEBENCH_RESNET50; PATH; download; random
        layer: int = 5  # 5: res5cx (the release), 4: res4fx
        scale: str = "vifb"  # vifb (0..255 without mean, as released) or imagenet
        window: int = 5  # l1-norm block size
        device: str = "auto"  # auto (CUDA if available), cpu, cuda, cuda:N

    @classmethod
    def info(cls):
        return {**super().info(), "validation_note": cls.validation_note}

    def activity(self, x: np.ndarray, net, params, device) -> np.ndarray:
        import torch

        rgb = np.repeat(x[..., None], 3, axis=2) if x.ndim == 2 else x
        t = rgb.transpose(2, 0, 1).astype(np.float32) / np.float32(255.0)
        if params.scale == "imagenet":
            t = t - np.asarray(IMAGENET_MEAN, np.float32)[:, None, None]
        t = t / np.asarray(IMAGENET_STD, np.float32)[:, None, None]
        with torch.inference_mode():
            f = net(torch.from_numpy(np.ascontiguousarray(t))[None].to(device), params.layer - 1)
        return l1_activity(zca(f[0].double().cpu().numpy()), params.window)

    def run(self, a, b, params):
        if params.scale not in ("vifb", "imagenet"):
            raise ParameterError(f"method 'resnet': scale must be vifb or imagenet, got {params.scale!r}")
        if params.layer not in (4, 5):
            raise ParameterError(f"method 'resnet': layer must be 4 or 5, got {params.layer!r}")
        dev = torch_device(params.device, self.name)
        net = load_backbone("resnet50", params.imagenet_weights, dev, self.name)
        shape = a.shape[:2]
        ca = imresize(self.activity(a, net, params, dev), shape)
        cb = imresize(self.activity(b, net, params, dev), shape)
        tot = ca + cb
        w = np.divide(ca, tot, out=np.full(shape, 0.5), where=tot != 0)
        wc = w[..., None] if a.ndim == 3 else w
        fused = np.clip(round_half_away(a * wc + b * (1.0 - wc)), 0.0, 255.0)
        return FusionResult(image=fused, decision_map=np.clip(w, 0.0, 1.0),
                            extras={"activity_a": ca, "activity_b": cb})
