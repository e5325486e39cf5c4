"""Full-reference metrics, for synthetic pairs with a known answer.

Image metrics compare the fused image F with the all-in-focus ground truth
R (``needs_reference=True``; ``compute(..., reference=R)``), on BT.601 luma
(grey images as they are), in the 0..255 range:

* ``psnr-gt`` ↑  PSNR = 10·log10(255² / MSE(F, R)) dB  (inf when F = R)
* ``ssim-gt`` ↑  mean SSIM(F, R), 11×11 Gaussian σ = 1.5, K = (0.01, 0.03),
  L = 255, 'valid' windows (:func:`metrics.similarity.ssim_map`)
* ``rmse-gt`` ↓  sqrt(MSE(F, R)) in grey levels

Decision-map metrics compare a method's decision map D (weight of source A,
0..1, as ``FusionResult.decision_map``) with the true focus mask M (where A
is the in-focus source) (``needs_decision_map=True``; ``compute(...,
decision_map=D, mask=M)``). D is binarised as D > 0.5; M as M > 0.5 for a
0..1 mask, or M > 127.5 for a 0..255 mask:

* ``map-accuracy`` ↑  fraction of pixels where the binarised D equals M
* ``map-iou`` ↑  |D ∩ M| / |D ∪ M| of the "take A" region (1 when both are empty)

    >>> import numpy as np
    >>> d = np.array([[1.0, 0.0], [1.0, 1.0]]); m = np.array([[1, 0], [0, 1]])
    >>> float(decision_accuracy(d, m)), float(decision_iou(d, m))
    (0.75, 0.6666666666666666)
"""

from __future__ import annotations

import numpy as np

from bench.errors import ParameterError
from metrics.base import register_metric
from metrics.channels import to_luma
from metrics.similarity import mse, ssim_map


def _binary_map(x: np.ndarray, name: str) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2:
        raise ParameterError(f"{name} must be a single-channel H×W map, got shape {x.shape}")
    return x > (127.5 if x.max(initial=0.0) > 1.0 else 0.5)


def decision_accuracy(decision_map: np.ndarray, mask: np.ndarray) -> float:
    """Pixel accuracy of the binarised decision map against the true mask."""
    d, m = _binary_map(decision_map, "decision map"), _binary_map(mask, "mask")
    return float(np.mean(d == m))


def decision_iou(decision_map: np.ndarray, mask: np.ndarray) -> float:
    """Intersection over union of the 'take A' regions of decision map and mask."""
    d, m = _binary_map(decision_map, "decision map"), _binary_map(mask, "mask")
    union = np.count_nonzero(d | m)
    return 1.0 if union == 0 else float(np.count_nonzero(d & m) / union)


_CITE_PSNR = "Q. Huynh-Thu, M. Ghanbari, Scope of validity of PSNR in image/video quality assessment, Electron. Lett. 44(13), 2008"
_CITE_IOU = "M. Everingham et al., The PASCAL visual object classes (VOC) challenge, IJCV 88, 2010 (IoU)"
_CITE_SSIM = "Z. Wang, A. C. Bovik, H. R. Sheikh, E. P. Simoncelli, IEEE TIP 13(4), 2004"


@register_metric("psnr-gt", higher_is_better=True, needs_reference=True, citation=_CITE_PSNR)
def psnr_gt(a, b, f, *, convention="default", reference=None):
    """PSNR of F against the ground truth R: 10·log10(255² / MSE(F, R)) dB on luma."""
    fl, rl = to_luma(f, reference)
    m = mse(fl, rl)
    return float("inf") if m == 0 else float(10.0 * np.log10(255.0**2 / m))


@register_metric("ssim-gt", higher_is_better=True, needs_reference=True, citation=_CITE_SSIM)
def ssim_gt(a, b, f, *, convention="default", reference=None):
    """SSIM of F against the ground truth R (11×11 Gaussian σ = 1.5, L = 255, luma)."""
    fl, rl = to_luma(f, reference)
    return float(ssim_map(fl, rl).mean())


@register_metric("rmse-gt", higher_is_better=False, needs_reference=True, citation=_CITE_PSNR)
def rmse_gt(a, b, f, *, convention="default", reference=None):
    """RMSE of F against the ground truth R: sqrt(MSE(F, R)) in grey levels (luma)."""
    fl, rl = to_luma(f, reference)
    return float(np.sqrt(mse(fl, rl)))


@register_metric(
    "map-accuracy", higher_is_better=True, needs_decision_map=True, citation="pixel accuracy of the binarised decision map (synthetic ground-truth masks)"
)
def map_accuracy(a, b, f, *, convention="default", decision_map=None, mask=None):
    """Decision-map accuracy: fraction of pixels where [D > 0.5] equals the true mask."""
    return decision_accuracy(decision_map, mask)


@register_metric(
    "map-iou", higher_is_better=True, needs_decision_map=True, citation=_CITE_IOU
)
def map_iou(a, b, f, *, convention="default", decision_map=None, mask=None):
    """Decision-map IoU: |[D > 0.5] ∩ M| / |[D > 0.5] ∪ M| of the 'take source A' region."""
    return decision_iou(decision_map, mask)
