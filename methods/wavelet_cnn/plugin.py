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

Steps 2–5 are cnn-patch's pipeline (:func:`methods.cnn_patch.plugin.focus_fusion`: its
``focus_map``, ``remove_small_regions`` and :func:`methods.filters.guided_filter`), with
BT.601 luma as grey.
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

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import numpy as np

from bench.color import luma
from methods.base import FusionMethod, FusionResult, register_method
from methods.devices import cached_network, file_key, torch_device

MIN_SIZE = 16  # the network needs at least one 16×16 patch


def _device(name: str):
    return torch_device(name, "wavelet-cnn")


def get_model(weights: str | None = None, device: str = "auto"):
    """The network for ``weights`` (None / ``"trained"``: packaged), cached per (file, mtime, device)."""
    from methods.wavelet_cnn.weights import load_model, packaged_weights_path

    dev = _device(device)
    path = Path(weights).expanduser() if weights and weights != "trained" else packaged_weights_path()
    # load_model raises WeightsError naming the file
    return cached_network(("wavelet-cnn", *file_key(path), str(dev)), lambda: load_model(path, dev))


def checkpoint_version(weights: str | None = None) -> str:
    """``"<method version>+<configuration>"`` of a checkpoint, e.g. ``"1+cpu"``."""
    from methods.wavelet_cnn.weights import checkpoint_meta, packaged_weights_path

    path = Path(weights) if weights and weights != "trained" else packaged_weights_path()
    meta = checkpoint_meta(path)
    cfg = meta.get("configuration", "?")
    return f"1+{cfg}" + ("" if meta.get("domain", "wavelet") == "wavelet" else "-pixel")


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
        from methods.cnn_patch.plugin import focus_fusion

        return focus_fusion(a, b, luma, get_model(params.weights, params.device), params)
