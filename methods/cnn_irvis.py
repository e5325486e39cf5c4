"""``cnn-irvis``: infrared/visible fusion with the siamese CNN of Liu et al. (2018).

Y. Liu, X. Chen, J. Cheng, H. Peng, Z. Wang, "Infrared and visible image fusion with
convolutional neural networks", Int. J. Wavelets Multiresolut. Inf. Process. 16(3) 1850018,
2018 (VIFB's "CNN"). With I = the infrared source, V = the visible one:

1. Weight map W (H×W, weight of I): the released two-class patch network of Liu et al.
   2017 (``cnnmodel.mat``, :func:`methods.cnn_patch.weights.load_liu2017`) scores every
   16×16 patch pair of (grey I, grey V) at stride 2; each score is spread over its patch
   and overlaps are averaged (:func:`methods.cnn_patch.plugin.focus_map`).
2. Laplacian pyramids of I and V and a Gaussian pyramid of W, n = ⌊log₂ min(H, W)⌋ levels
   (the Mertens pyramid the authors use: 5-tap kernel [1 4 6 4 1]/16, REDUCE with
   mirrored borders, EXPAND of the coarse image with replicated borders).
3. On every level l, including the low-pass residual, Burt's local energy match
   (3×3 windows, borders mirrored): S_X = Σ L_X², M = 2 Σ L_I L_V / (S_I + S_V);
   where M > t (t = 0.6) the bands are averaged with the weight map,
   F_l = W_l L_I + (1 − W_l) L_V, elsewhere the band of larger energy is taken.
4. F = collapse of the fused pyramid.

Colour (as VIFB's ``run_CNN.m``): W comes from the grey images (MATLAB ``rgb2gray``),
steps 2–4 run on every RGB channel (a grey source is used for all three).
``decision_map`` is 1 − W (the weight of source A, the visible image).

    >>> import numpy as np
    >>> x = np.random.default_rng(0).random((20, 24)) * 255
    >>> y = x.copy(); y[:, :12] = 128.0
    >>> f = band_fuse(x, y, np.full(x.shape, 0.5))
    >>> bool(np.allclose(f[:, 14:], x[:, 14:]))      # where the bands match, the weighted mean
    True
    >>> p = laplacian_pyramid(x)
    >>> len(p), bool(np.allclose(reconstruct(p), x))
    (4, True)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from bench.matlab import rgb2gray
from methods.base import FusionMethod, FusionResult, register_method
from methods.pyramids import pyr_expand, pyr_reduce

__all__ = ["CNNIrVis", "band_fuse", "gaussian_pyramid", "laplacian_pyramid", "reconstruct"]

#: Mertens' 5-tap pyramid filter (``pyramid_filter.m``): Burt's kernel with a = 0.375.
KERNEL = np.array([1.0, 4.0, 6.0, 4.0, 1.0]) / 16.0
MIN_SIZE = 16  # the network needs one 16×16 patch


def n_levels(shape: tuple[int, ...]) -> int:
    """⌊log₂ min(H, W)⌋ (the highest pyramid of ``laplacian_pyramid.m``), at least 1."""
    return max(1, int(np.floor(np.log(min(shape[:2])) / np.log(2))))


def _reduce(x: np.ndarray) -> np.ndarray:
    return pyr_reduce(x, KERNEL, "reflect")  # MATLAB imfilter 'symmetric' = scipy 'reflect'


def _expand(x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """EXPAND to ``shape``: the coarse image gets one replicated border pixel first, so the
    filter never sees the zero rows of the fine grid beyond the image."""
    p = np.pad(x, 1, mode="edge")
    up = pyr_expand(p, (2 * p.shape[0], 2 * p.shape[1]), KERNEL)
    return up[2 : 2 + shape[0], 2 : 2 + shape[1]]


def gaussian_pyramid(x: np.ndarray, levels: int | None = None) -> list[np.ndarray]:
    """[x, REDUCE(x), …], ``levels`` images (default :func:`n_levels`)."""
    pyr = [np.asarray(x, dtype=np.float64)]
    for _ in range((levels or n_levels(pyr[0].shape)) - 1):
        pyr.append(_reduce(pyr[-1]))
    return pyr


def laplacian_pyramid(x: np.ndarray, levels: int | None = None) -> list[np.ndarray]:
    """[L_0, …, L_{n−2}, G_{n−1}]: band-pass levels then the low-pass residual."""
    g = gaussian_pyramid(x, levels)
    return [g[k] - _expand(g[k + 1], g[k].shape) for k in range(len(g) - 1)] + [g[-1]]


def reconstruct(pyr: list[np.ndarray]) -> np.ndarray:
    """Collapse a :func:`laplacian_pyramid` (exact inverse)."""
    out = pyr[-1]
    for band in reversed(pyr[:-1]):
        out = band + _expand(out, band.shape)
    return out


def _window_sum3(x: np.ndarray) -> np.ndarray:
    """3×3 window sums with the border mirrored (no edge repetition) and the four corner
    pixels of the extension left at zero (Rockinger's ``es2``)."""
    p = np.pad(x, 1, mode="reflect") if min(x.shape) > 1 else np.pad(x, 1, mode="edge")
    p[0, 0] = p[0, -1] = p[-1, 0] = p[-1, -1] = 0.0
    c = np.cumsum(np.cumsum(np.pad(p, ((1, 0), (1, 0))), 0), 1)
    return c[3:, 3:] - c[:-3, 3:] - c[3:, :-3] + c[:-3, :-3]


def band_fuse(li: np.ndarray, lv: np.ndarray, w: np.ndarray, threshold: float = 0.6) -> np.ndarray:
    """Burt's energy-match rule with the weight ``w`` of ``li`` where the bands match."""
    si, sv = _window_sum3(li * li), _window_sum3(lv * lv)
    match = 2.0 * _window_sum3(li * lv) / (si + sv + np.finfo(np.float64).eps)
    chosen = np.where(si > sv, li, lv)
    return np.where(match > threshold, w * li + (1.0 - w) * lv, chosen)


def weight_map(ir_grey: np.ndarray, vis_grey: np.ndarray, model) -> tuple[np.ndarray, np.ndarray]:
    """(scores, W): the CNN's scores and the per-pixel weight of the infrared image."""
    from methods.cnn_patch.plugin import focus_map, score_map

    h, w = ir_grey.shape
    pad = ((0, max(0, MIN_SIZE - h)), (0, max(0, MIN_SIZE - w)))
    if any(p[1] for p in pad):  # tiny input: mirror up to one patch, crop afterwards
        ir_grey, vis_grey = np.pad(ir_grey, pad, mode="symmetric"), np.pad(vis_grey, pad, mode="symmetric")
    scores = score_map(ir_grey, vis_grey, model)
    return scores, focus_map(scores, ir_grey.shape)[:h, :w]


def fuse_channel(ir: np.ndarray, vis: np.ndarray, w_pyr: list[np.ndarray], threshold: float) -> np.ndarray:
    """Steps 2–4 on one channel (``w_pyr``: Gaussian pyramid of the infrared weight)."""
    pi, pv = laplacian_pyramid(ir, len(w_pyr)), laplacian_pyramid(vis, len(w_pyr))
    return reconstruct([band_fuse(x, y, w, threshold) for x, y, w in zip(pi, pv, w_pyr)])


@register_method
class CNNIrVis(FusionMethod):
    name = "cnn-irvis"
    version = "1"
    kind = "deep"
    modalities = ("ir-visible",)
    colour = "per-channel"  # pyramid rule per RGB channel; the CNN weight map from grey
    citation = (
        "Y. Liu, X. Chen, J. Cheng, H. Peng, Z. Wang, Infrared and visible image fusion with "
        "convolutional neural networks, Int. J. Wavelets Multiresolut. Inf. Process. 16(3) "
        "1850018, 2018"
    )
    groups: ClassVar[tuple[str, ...]] = ("vifb-classic",)
    published_names: ClassVar[dict[str, str]] = {"vifb": "CNN"}

    @dataclass
    class Params:
        weights: str = ""  # path of cnnmodel.mat; empty: bench.weights.locate (env, folder, cache)
        device: str = "auto"  # auto (CUDA if available), cpu, cuda, cuda:N
        threshold: float = 0.6  # energy-match threshold of the pyramid rule

    def run(self, a: np.ndarray, b: np.ndarray, params) -> FusionResult:
        from methods.cnn_patch.plugin import get_model

        model = get_model("liu2017:" + params.weights if params.weights else "liu2017", params.device)
        # A = visible, B = infrared; the network's first input is the infrared image (run_CNN.m)
        scores, w = weight_map(rgb2gray(b), rgb2gray(a), model)
        w_pyr = gaussian_pyramid(w, n_levels(w.shape))
        if a.ndim == 2:
            fused = fuse_channel(b, a, w_pyr, params.threshold)
        else:
            fused = np.stack([fuse_channel(b[..., c], a[..., c], w_pyr, params.threshold)
                              for c in range(a.shape[2])], axis=2)
        return FusionResult(image=fused, decision_map=1.0 - w,
                            extras={"score_map": scores, "ir_weight": w})
