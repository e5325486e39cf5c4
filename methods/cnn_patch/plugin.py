"""``cnn-patch``: multi-focus fusion with the siamese patch CNN of Liu et al. 2017.

Y. Liu, X. Chen, H. Peng, Z. Wang, "Multi-focus image fusion with a deep
convolutional neural network", Information Fusion 36 (2017) 191-207.
Spec: ``cnn_patch.md`` ("Fusion"). With Â, B̂ the grey (BT.601 luma) sources:

1. Score map S = CNN(Â, B̂): P(A sharper) for every 16×16 patch pair at stride 2.
   Weights (``weights``): ``"liu2017"`` (default) = the authors' released
   ``cnnmodel.mat`` in :class:`~methods.cnn_patch.model.Liu2017Net` (grey = MATLAB
   ``rgb2gray``), which reproduces MFIFB's published CNN outputs; ``"trained"`` =
   the :class:`~methods.cnn_patch.model.PatchCNN` trained here (grey = BT.601
   luma); or a path to a checkpoint of the latter.
2. Focus map M (H×W): each score spread over its 16×16 patch, overlaps averaged.
3. Binary map T = [M > 0.5].
4. Small-region removal: connected regions (8-connectivity) of 1s, then of 0s,
   smaller than 0.01·H·W are flipped (MATLAB ``bwareaopen`` on T and on 1 − T).
5. Initial fusion F₀ = T·A + (1 − T)·B; decision map D = guided filter of T with
   grey(F₀)/255 as guide (radius 8, ε = 0.1 on the 0..1 scale).
6. F = D·A + (1 − D)·B in every channel.

``decision_map`` is D; ``extras`` holds ``score_map``, ``focus_map``,
``binary_map`` (T) and ``refined_map`` (T after step 4).

    >>> import methods
    >>> stripes = np.tile(255.0 * (np.arange(24) % 2), (24, 1))
    >>> a, b = stripes.copy(), stripes.copy()
    >>> a[:, 12:] = b[:, :12] = 127.5                    # A sharp on the left, B on the right
    >>> res = methods.get_method("cnn-patch").fuse(a, b, weights="trained", area_ratio=0)
    >>> res.decision_map.shape, res.extras["score_map"].shape
    ((24, 24), (5, 5))
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import ndimage

from bench.color import luma
from bench.matlab import rgb2gray
from methods.base import FusionMethod, FusionResult, register_method
from methods.devices import cached_network, file_key, grey_tensor, pad_symmetric, torch_device

MIN_SIZE = 16  # the network needs at least one 16×16 patch


def _device(name: str):
    return torch_device(name, "cnn-patch")


def get_model(weights: str | None, device: str = "auto"):
    """The network for ``weights``, cached per (file, mtime, device).

    ``"liu2017"``: the authors' ``cnnmodel.mat`` (:func:`bench.weights.locate`);
    ``"liu2017:PATH"``: the same from an explicit file; ``"trained"`` or None:
    the checkpoint trained here (packaged); anything else: a checkpoint path.
    """
    from methods.cnn_patch.weights import load_liu2017, load_model, packaged_weights_path

    dev = _device(device)
    kind = "liu2017" if _is_liu2017(weights) else "pt"
    if kind == "liu2017":
        from bench.weights import locate
        from methods.cnn_patch.weights import LIU2017

        path = locate(LIU2017, weights.partition(":")[2] or None)
    else:
        path = Path(weights).expanduser() if weights and weights != "trained" else packaged_weights_path()
    load = load_liu2017 if kind == "liu2017" else load_model  # raise WeightsError naming the file
    return cached_network(("cnn-patch", kind, *file_key(path), str(dev)), lambda: load(path, dev))


def score_map(ga: np.ndarray, gb: np.ndarray, model) -> np.ndarray:
    """Dense CNN scores (float64, (⌈H/2⌉−7)×(⌈W/2⌉−7)) for grey images in 0..255."""
    import torch

    dev = next(model.parameters()).device
    ta, tb = grey_tensor(ga, dev), grey_tensor(gb, dev)
    with torch.inference_mode():
        s = model.score_map(ta, tb)
    return s[0, 0].double().cpu().numpy()


def focus_map(scores: np.ndarray, shape: tuple[int, int], patch: int = 16, stride: int = 2) -> np.ndarray:
    """Average of the scores of all patches covering each pixel (H×W).

    Score (i, j) covers rows ``stride·i … stride·i+patch−1`` and the matching columns.
    Computed as a strided transposed convolution with a box kernel.

        >>> focus_map(np.array([[1.0, 0.0]]), (16, 18))[0, [0, 1, 2, 16, 17]]
        array([1. , 1. , 0.5, 0. , 0. ])
    """
    import torch
    from torch.nn import functional as F

    s = torch.from_numpy(np.asarray(scores, dtype=np.float64))[None, None]
    k = torch.ones(1, 1, patch, patch, dtype=torch.float64)
    total = F.conv_transpose2d(s, k, stride=stride)[0, 0, : shape[0], : shape[1]]
    count = F.conv_transpose2d(torch.ones_like(s), k, stride=stride)[0, 0, : shape[0], : shape[1]]
    if total.shape != tuple(shape):
        raise ValueError(f"focus_map: {tuple(scores.shape)} scores do not cover a {shape} image")
    return (total / count).numpy()


def focus_fusion(a: np.ndarray, b: np.ndarray, grey, model, params) -> FusionResult:
    """Steps 1–6 above with the focus network ``model`` (anything with ``score_map(ta, tb)``:
    this method's or wavelet-cnn's) and the greying ``grey``; ``params`` holds ``threshold``,
    ``area_ratio``, ``gf_radius`` and ``gf_eps``. Inputs smaller than a patch are mirrored up to
    16×16 for the network and the maps cropped back."""
    from methods.filters import guided_filter

    h, w = a.shape[:2]
    ga, gb = (pad_symmetric(grey(x), minimum=MIN_SIZE) for x in (a, b))
    scores = score_map(ga, gb, model)
    m = focus_map(scores, ga.shape)[:h, :w]
    t = m > params.threshold
    refined = remove_small_regions(t, params.area_ratio * h * w) if params.area_ratio > 0 else t
    tw = refined.astype(np.float64)
    tc = tw[..., None] if a.ndim == 3 else tw
    initial = tc * a + (1.0 - tc) * b
    d = np.clip(guided_filter(grey(initial) / 255.0, tw, params.gf_radius, params.gf_eps), 0.0, 1.0)
    dc = d[..., None] if a.ndim == 3 else d
    fused = dc * a + (1.0 - dc) * b
    return FusionResult(
        image=fused,
        decision_map=d,
        extras={"score_map": scores, "focus_map": m, "binary_map": t, "refined_map": refined},
    )


def _is_liu2017(weights: str | None) -> bool:
    return bool(weights) and (weights == "liu2017" or weights.startswith("liu2017:"))


_EIGHT = np.ones((3, 3), dtype=bool)


def remove_small_regions(mask: np.ndarray, min_area: float) -> np.ndarray:
    """Flip connected regions (8-connectivity) smaller than ``min_area``: first 1s, then 0s.

        >>> m = np.zeros((6, 6), bool); m[1, 1] = True; m[3:, 3:] = True; m[4, 4] = False
        >>> int(remove_small_regions(m, 2).sum())   # speck removed, hole filled
        9
    """
    out = np.asarray(mask, dtype=bool).copy()
    for value in (True, False):
        lab, n = ndimage.label(out == value, structure=_EIGHT)
        if n == 0:
            continue
        small = np.bincount(lab.ravel())[1:] < min_area
        flip = np.concatenate([[False], small])[lab]
        out[flip] = not value
    return out


@register_method
class CNNPatch(FusionMethod):
    name = "cnn-patch"
    version = "2"  # 2: default weights = the authors' cnnmodel.mat (was: trained here)
    kind = "deep"
    modalities = ("multi-focus",)
    groups = ("mfifb",)
    published_names = {"mfifb": "CNN"}
    colour = "gray-weights"
    citation = (
        "Y. Liu, X. Chen, H. Peng, Z. Wang, Multi-focus image fusion with a deep convolutional "
        "neural network, Information Fusion 36 (2017) 191-207"
    )

    @dataclass
    class Params:
        # "liu2017" (the authors' cnnmodel.mat), "liu2017:PATH", "trained" (packaged), or a path
        weights: str | None = "liu2017"
        device: str = "auto"  # auto (CUDA if available), cpu, cuda, cuda:N
        threshold: float = 0.5  # focus-map threshold
        area_ratio: float = 0.01  # small-region removal: regions < area_ratio·H·W flip
        gf_radius: int = 8  # guided filter radius
        gf_eps: float = 0.1  # guided filter ε (guide on the 0..1 scale)

    def run(self, a: np.ndarray, b: np.ndarray, params) -> FusionResult:
        # the authors' MATLAB code greys with rgb2gray; the trained-here weights saw BT.601 luma
        grey = rgb2gray if _is_liu2017(params.weights) else luma
        return focus_fusion(a, b, grey, get_model(params.weights, params.device), params)
