"""``fmm``: unsupervised fusion by feature mutual mapping (Rao, Wu, Xu & Chen).

D. Rao, X.-J. Wu, T. Xu, G. Chen, "Unsupervised Image Fusion Method based on
Feature Mutual Mapping". A dual-branch multi-scale res-block encoder, the
cross-modal "mapping fusion" module on the twice-downsampled features (maps
upsampled and densely connected to the shallow scales), and an aggregation
decoder (:class:`~methods.fmm.model.FMMNet`), trained end to end on
infrared/visible pairs with the variance-selected SSIM loss and applied
unchanged to multi-focus and medical pairs (the paper's claim). The packaged
checkpoint ``fmm.pt`` is the ``cpu`` configuration trained here on
``roadscene:train`` (model card ``MODEL_CARD.md``); ``weights`` may name another.

Inputs: grey sources go through the network as they are (0..1); the first
source feeds the network's X branch (trained on the visible image: A of
``vifb``/``roadscene``), the second its Y branch (infrared). Sizes are padded
(symmetric) to a multiple of 4 and the output cropped back, so any H×W works.
Colour (``luma-chroma``): two colour sources are fused on their BT.601 luma Y,
and their Cb, Cr are blended with weights |C − 128| (a grey source, C = 128,
gives the other's chroma); a grey infrared image beside a colour visible one is
fused in colour by default (grey repeated, so its chroma weight is 0) or, with
``mixed_colour="ycbcr"``, against the visible luma with its chroma put back.

    >>> import methods
    >>> a = np.tile(np.linspace(0, 255, 19), (13, 1))
    >>> res = methods.get_method("fmm").fuse(a, a.T[:13, :13].repeat(2, 1)[:, :19], device="cpu")
    >>> res.image.shape
    (13, 19)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import numpy as np

from bench.color import rgb_to_ycbcr, ycbcr_to_rgb
from methods.base import FusionMethod, FusionResult, register_method
from methods.devices import cached_network, file_key, grey_tensor, pad_symmetric, torch_device

STRIDE = 4  # methods.fmm.model.STRIDE (kept here so importing the plugin needs no torch)
#: sha256 of the packaged ``fmm.pt``; ``version`` carries its first 8 hex digits.
PACKAGED_SHA256 = "d7d0ddca93886e661b879f7c954878b08d9397ad1cfd4474b251be0582f52c12"


def get_model(weights: str | None = None, device: str = "auto"):
    """The network for ``weights`` (None / ``"trained"``: packaged), cached per (file, mtime, device)."""
    from methods.fmm.weights import load_model, packaged_weights_path

    dev = torch_device(device, "fmm")
    path = Path(weights).expanduser() if weights and weights != "trained" else packaged_weights_path()
    # load_model raises WeightsError naming the file
    return cached_network(("fmm", *file_key(path), str(dev)), lambda: load_model(path, dev))


def fuse_grey(ga: np.ndarray, gb: np.ndarray, model) -> np.ndarray:
    """The network's fused image (float64, 0..255) for grey sources in 0..255 of any size."""
    import torch

    h, w = ga.shape
    dev = next(model.parameters()).device
    ta, tb = (grey_tensor(pad_symmetric(x, STRIDE), dev) for x in (ga, gb))
    with torch.inference_mode():
        out = model(ta, tb).clamp_(0.0, 1.0)
    return out[0, 0, :h, :w].double().cpu().numpy() * 255.0


def fuse_chroma(ca: np.ndarray, cb: np.ndarray) -> np.ndarray:
    """Σ C|C−128| / Σ|C−128| (plain mean where both weights are 0).

        >>> float(fuse_chroma(np.array([128.0]), np.array([90.0]))[0])
        90.0
    """
    wa, wb = np.abs(ca - 128.0), np.abs(cb - 128.0)
    s = wa + wb
    return np.where(s > 0, (wa * ca + wb * cb) / np.where(s > 0, s, 1.0), 0.5 * (ca + cb))


@register_method
class FMMFusion(FusionMethod):
    name = "fmm"
    version = "1+cpu." + PACKAGED_SHA256[:8]  # method 1, packaged cpu checkpoint (its sha256 prefix)
    kind = "deep"
    modalities = ("ir-visible", "multi-focus", "medical")
    groups: ClassVar[tuple[str, ...]] = ("deep",)
    published_names: ClassVar[dict[str, str]] = {}
    colour = "luma-chroma"
    identity_exempt: ClassVar[str] = (
        "the output is the network's learned reconstruction (trained with an SSIM loss), "
        "close to the source for identical inputs but not equal"
    )
    citation = (
        "D. Rao, X.-J. Wu, T. Xu, G. Chen, Unsupervised Image Fusion Method based on "
        "Feature Mutual Mapping (Jiangnan University; paper in shared/papers)"
    )

    @dataclass
    class Params:
        weights: str | None = None  # None / "trained": the packaged checkpoint; or a checkpoint path
        device: str = "auto"  # execution only: auto (CUDA if available), cpu, cuda, cuda:N

    def run(self, a: np.ndarray, b: np.ndarray, params) -> FusionResult:
        model = get_model(params.weights, params.device)
        if a.ndim == 2:
            return FusionResult(image=fuse_grey(a, b, model))
        ya, yb = rgb_to_ycbcr(a), rgb_to_ycbcr(b)
        y = fuse_grey(np.clip(ya[..., 0], 0, 255), np.clip(yb[..., 0], 0, 255), model)
        cb = fuse_chroma(ya[..., 1], yb[..., 1])
        cr = fuse_chroma(ya[..., 2], yb[..., 2])
        return FusionResult(image=np.clip(ycbcr_to_rgb(np.stack([y, cb, cr], axis=-1)), 0.0, 255.0))
