"""``wavelet-cnn``: multi-focus fusion with a focus CNN on Haar DWT sub-bands.

A. Sharma, H. Gupta, Y. Sharma, "Image Fusion with Deep Learning using Wavelet
Transformation" (after J. Li, G. Yuan, H. Fan, "Multifocus image fusion using
wavelet domain based deep CNN", Comput. Intell. Neurosci. 2019), within the
pipeline of Liu et al. 2017 that the paper describes. With Â, B̂ the grey
(BT.601 luma) sources:

1. Score map S = CNN(DWT(Â), DWT(B̂)): P(A sharper) for every 16×16 patch pair at
   stride 2 (:class:`~methods.wavelet_cnn.model.WaveletCNN`, weights trained here,
   packaged ``wavelet_cnn.pt``; ``weights`` may name another checkpoint).
2. Focus map M: each score spread over its 16×16 patch, overlaps averaged.
3. Binary map T = [M > 0.5]; small-region removal (regions < 0.01·H·W flipped).
4. Initial fusion F₀ = T·A + (1 − T)·B; decision map D = guided filter of T with
   grey(F₀)/255 as guide (r = 8, ε = 0.1).
5. F = D·A + (1 − D)·B in every channel.

Steps 2–4 are cnn-patch's helpers (:func:`methods.cnn_patch.focus_map`,
:func:`methods.cnn_patch.remove_small_regions`, :func:`methods.filters.guided_filter`).
``decision_map`` is D; ``extras`` holds ``score_map``, ``focus_map``,
``binary_map`` and ``refined_map``.

    >>> import methods
    >>> stripes = np.tile(255.0 * (np.arange(32) % 2), (32, 1))
    >>> a, b = stripes.copy(), stripes.copy()
    >>> a[:, 16:] = b[:, :16] = 127.5                    # A sharp on the left, B on the right
    >>> res = methods.get_method("wavelet-cnn").fuse(a, b, area_ratio=0)
    >>> res.decision_map.shape, res.extras["score_map"].shape
    ((32, 32), (9, 9))
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import numpy as np

from bench.color import luma
from methods.base import FusionMethod, FusionResult, register_method
from methods.devices import torch_device

MIN_SIZE = 16  # the network needs at least one 16×16 patch
_MODELS: dict[tuple, object] = {}
_LOCK = threading.Lock()


def _device(name: str):
    return torch_device(name, "wavelet-cnn")


def get_model(weights: str | None = None, device: str = "auto"):
    """The network for ``weights`` (None / ``"trained"``: packaged), cached per (file, mtime, device)."""
    from methods.wavelet_cnn.weights import load_model, packaged_weights_path

    dev = _device(device)
    path = Path(weights).expanduser() if weights and weights != "trained" else packaged_weights_path()
    key = (str(path.resolve()), path.stat().st_mtime_ns if path.is_file() else None, str(dev))
    with _LOCK:
        if key not in _MODELS:  # load_model raises WeightsError naming the file
            _MODELS[key] = load_model(path, dev)
        return _MODELS[key]


def checkpoint_version(weights: str | None = None) -> str:
    """``"<method version>+<configuration>"`` of a checkpoint, e.g. ``"1+cpu"``."""
    from methods.wavelet_cnn.weights import checkpoint_meta, packaged_weights_path

    path = Path(weights) if weights and weights != "trained" else packaged_weights_path()
    meta = checkpoint_meta(path)
    cfg = meta.get("configuration", "?")
    return f"1+{cfg}" + ("" if meta.get("domain", "wavelet") == "wavelet" else "-pixel")


def score_map(ga: np.ndarray, gb: np.ndarray, model) -> np.ndarray:
    """Dense CNN scores (float64, (⌈H/2⌉−7)×(⌈W/2⌉−7)) for grey images in 0..255."""
    import torch

    dev = next(model.parameters()).device
    ta = torch.from_numpy(np.ascontiguousarray(ga, dtype=np.float32) / 255.0)[None, None].to(dev)
    tb = torch.from_numpy(np.ascontiguousarray(gb, dtype=np.float32) / 255.0)[None, None].to(dev)
    with torch.inference_mode():
        s = model.score_map(ta, tb)
    return s[0, 0].double().cpu().numpy()


@register_method
class WaveletCNNFusion(FusionMethod):
    name = "wavelet-cnn"
    version = "1+cpu"  # 1: method; +cpu: the packaged checkpoint's configuration (model card)
    kind = "deep"
    modalities = ("multi-focus",)
    groups: ClassVar[tuple[str, ...]] = ("deep",)
    published_names: ClassVar[dict[str, str]] = {}
    colour = "gray-weights"
    citation = (
        "A. Sharma, H. Gupta, Y. Sharma, Image Fusion with Deep Learning using Wavelet Transformation; "
        "J. Li, G. Yuan, H. Fan, Multifocus image fusion using wavelet domain based deep CNN, "
        "Computational Intelligence and Neuroscience 2019, 4179397"
    )

    @dataclass
    class Params:
        weights: str | None = None  # None / "trained": the packaged checkpoint; or a checkpoint path
        device: str = "auto"  # execution only: auto (CUDA if available), cpu, cuda, cuda:N
        threshold: float = 0.5  # focus-map threshold
        area_ratio: float = 0.01  # small-region removal: regions < area_ratio·H·W flip
        gf_radius: int = 8  # guided filter radius
        gf_eps: float = 0.1  # guided filter ε (guide on the 0..1 scale)

    def run(self, a: np.ndarray, b: np.ndarray, params) -> FusionResult:
        from methods.cnn_patch.plugin import focus_map, remove_small_regions
        from methods.filters import guided_filter

        h, w = a.shape[:2]
        ga, gb = luma(a), luma(b)
        pad = ((0, max(0, MIN_SIZE - h)), (0, max(0, MIN_SIZE - w)))
        if any(p[1] for p in pad):  # tiny input: mirror up to one patch, crop afterwards
            ga, gb = np.pad(ga, pad, mode="symmetric"), np.pad(gb, pad, mode="symmetric")
        model = get_model(params.weights, params.device)
        scores = score_map(ga, gb, model)
        m = focus_map(scores, ga.shape)[:h, :w]
        t = m > params.threshold
        refined = remove_small_regions(t, params.area_ratio * h * w) if params.area_ratio > 0 else t
        tw = refined.astype(np.float64)
        tc = tw[..., None] if a.ndim == 3 else tw
        initial = tc * a + (1.0 - tc) * b
        d = np.clip(guided_filter(luma(initial) / 255.0, tw, params.gf_radius, params.gf_eps), 0.0, 1.0)
        dc = d[..., None] if a.ndim == 3 else d
        fused = dc * a + (1.0 - dc) * b
        return FusionResult(
            image=fused,
            decision_map=d,
            extras={"score_map": scores, "focus_map": m, "binary_map": t, "refined_map": refined},
        )
