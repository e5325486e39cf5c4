"""``transfusion``: infrared–visible fusion with TransFusion (Qian et al. 2025), trained here.

Y. Qian, R. An, G. Liu, H. Tang, G. Xiao, D. P. Bavirisetti, "TransFusion: Transfer
learning-driven adaptive fusion network for infrared and visible image", Infrared
Physics & Technology 150 (2025) 105906 (code: github.com/YQ-097/TransFusion).

The network (:mod:`methods.transfusion.model`): a VGG-19 encoder shared by the two
sources, per level a parallel cross-modal channel-perception module and a dynamic
multi-level spatial-attention guidance that weighs the two sources' features, and a
U-Net decoder. The packaged checkpoint ``transfusion_cpu.pt`` is the ``cpu``
configuration trained here **from scratch** on ``roadscene:train`` (no ImageNet
weights; ``version`` says so: ``1+cpu-scratch``); see ``docs/methods/transfusion.md``
and the model card beside it.

Input: the sources' BT.601 luma in 0..1, padded by reflection to a multiple of
2^(levels−1) and cropped back; the output is clipped to 0..1 and scaled to 0..255.
Colour (``luma-chroma``): colour sources are fused on their luma, and the chroma
(Cb, Cr) is each pixel's |C − 128|-weighted mean of the sources' (:func:`methods.gd.fuse_chroma`;
a grey infrared image has neutral chroma, so the visible image's colours come back).
``infrared`` names the infrared source (``"b"``: the datasets' order, A = visible).
``decision_map`` is the finest level's spatial weight of A (absent without spatial attention).

    >>> import numpy as np, methods
    >>> rng = np.random.default_rng(0)
    >>> vis, ir = rng.random((30, 41)) * 255, rng.random((30, 41)) * 255
    >>> res = methods.get_method("transfusion").fuse(vis, ir, device="cpu")
    >>> res.image.shape, res.decision_map.shape, bool(0 <= res.image.min() <= res.image.max() <= 255)
    ((30, 41), (30, 41), True)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import numpy as np

from bench.color import luma, rgb_to_ycbcr, ycbcr_to_rgb
from bench.errors import ParameterError
from methods.base import FusionMethod, FusionResult, register_method
from methods.devices import cached_network, file_key, pad_symmetric, torch_device


def get_model(weights: str | None = None, device: str = "auto", method: str = "transfusion"):
    """The network for ``weights`` (None / ``"trained"``: packaged), cached per (file, mtime, device)."""
    from methods.transfusion.weights import load_model, packaged_weights_path

    dev = torch_device(device, method)
    path = Path(weights).expanduser() if weights and weights != "trained" else packaged_weights_path()
    # load_model raises WeightsError naming the file
    return cached_network(("transfusion", *file_key(path), str(dev)), lambda: load_model(path, dev))


def fuse_grey(net, ir: np.ndarray, vis: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """Fused grey image (0..255) and the IR weight map of the finest level, for 0..255 inputs."""
    import torch

    from methods.transfusion.model import pad_multiple

    h, w = ir.shape
    m = pad_multiple(net.cfg)
    # reflection needs the pad smaller than the image: symmetric padding (numpy) is safe
    stack = pad_symmetric(np.stack([ir, vis]).astype(np.float32) / 255.0, m, m)
    dev = next(net.parameters()).device
    t = torch.from_numpy(np.ascontiguousarray(stack))[:, None].to(dev)
    with torch.inference_mode():
        f_ir, f_vis = net.encode(t[:1]), net.encode(t[1:])
        fused, maps = net.fuse_features(f_ir, f_vis, return_maps=True)
        out = net.decode(fused).clamp(0.0, 1.0)
    img = out[0, 0, :h, :w].double().cpu().numpy() * 255.0
    wmap = None if maps[0] is None else maps[0][0, 0, :h, :w].double().cpu().numpy()
    return img, wmap


@register_method
class TransFusion(FusionMethod):
    name = "transfusion"
    version = "1+cpu-scratch"  # 1: method; +cpu-scratch: packaged cpu checkpoint, no ImageNet weights
    kind = "deep"
    modalities = ("ir-visible",)
    groups: ClassVar[tuple[str, ...]] = ("deep",)
    published_names: ClassVar[dict[str, str]] = {}
    colour = "luma-chroma"
    identity_exempt: ClassVar[str] = (
        "the output is the network's reconstruction of the fused features (an auto-encoder "
        "trained here), close to the source but not equal")
    citation = (
        "Y. Qian, R. An, G. Liu, H. Tang, G. Xiao, D. P. Bavirisetti, TransFusion: Transfer "
        "learning-driven adaptive fusion network for infrared and visible image, Infrared "
        "Physics & Technology 150 (2025) 105906")

    @dataclass
    class Params:
        weights: str | None = None  # None / "trained": packaged checkpoint; or a checkpoint path
        infrared: str = "b"  # which source is the infrared image: "a" or "b"
        device: str = "auto"  # auto (CUDA if available), cpu, cuda, cuda:N

    def run(self, a: np.ndarray, b: np.ndarray, params) -> FusionResult:
        from methods.gd import fuse_chroma

        if params.infrared not in ("a", "b"):
            raise ParameterError(f"method 'transfusion': infrared must be 'a' or 'b', got {params.infrared!r}")
        net = get_model(params.weights, params.device, self.name)
        ya, yb = (luma(a), luma(b)) if a.ndim == 3 else (a, b)
        ir, vis = (ya, yb) if params.infrared == "a" else (yb, ya)
        fused, w_ir = fuse_grey(net, ir, vis)
        w_a = None if w_ir is None else (w_ir if params.infrared == "a" else 1.0 - w_ir)
        if a.ndim == 3:
            ca, cb = rgb_to_ycbcr(a), rgb_to_ycbcr(b)
            chroma = fuse_chroma(ca[..., 1:], cb[..., 1:])
            fused = np.clip(ycbcr_to_rgb(np.concatenate([fused[..., None], chroma], axis=-1)), 0.0, 255.0)
        return FusionResult(image=fused, decision_map=w_a)
