"""Full-reference metrics, for synthetic pairs with a known answer.

Image metrics compare the fused image F with the all-in-focus ground truth
R (``needs_reference=True``; ``compute(..., reference=R)``), on BT.601 luma
(grey images as they are), in the 0..255 range:

* ``psnr-gt`` ↑  PSNR = 10·log10(255² / MSE(F, R)) dB  (inf when F = R)
* ``ssim-gt`` ↑  mean SSIM(F, R), 11×11 Gaussian σ = 1.5, K = (0.01, 0.03),
  L = 255, 'valid' windows (:func:`metrics.structural.ssim.ssim_map`)
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
from metrics.base import Convention, register_metric
from metrics.reference.difference import mse
from metrics.structural.ssim import ssim_map


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


_CITE_PSNR = (
    "Q. Huynh-Thu, M. Ghanbari, Scope of validity of PSNR in image/video quality assessment, "
    "Electron. Lett. 44(13), 2008"
)
_CITE_IOU = "M. Everingham et al., The PASCAL visual object classes (VOC) challenge, IJCV 88, 2010 (IoU)"
_CITE_SSIM = "Z. Wang, A. C. Bovik, H. R. Sheikh, E. P. Simoncelli, IEEE TIP 13(4), 2004"


def _psnr_gt(a, b, f, *, reference):
    m = mse(f, reference)
    return float("inf") if m == 0 else float(10.0 * np.log10(255.0**2 / m))


def _ssim_gt(a, b, f, *, reference):
    return float(ssim_map(f, reference).mean())


def _rmse_gt(a, b, f, *, reference):
    return float(np.sqrt(mse(f, reference)))


def _map_accuracy(a, b, f, *, decision_map, mask):
    return decision_accuracy(decision_map, mask)


def _map_iou(a, b, f, *, decision_map, mask):
    return decision_iou(decision_map, mask)


psnr_gt = register_metric(
    "psnr-gt",
    latex=r"\mathrm{PSNR}_{\mathrm{GT}}",
    higher_is_better=True,
    description="PSNR of F against the ground truth R: 10·log10(255² / MSE(F, R)) dB on luma",
    citation=_CITE_PSNR,
    conventions={"default": Convention(_psnr_gt, "luma")},
    needs_reference=True,
    blur_worse=True,
)
ssim_gt = register_metric(
    "ssim-gt",
    latex=r"\mathrm{SSIM}_{\mathrm{GT}}",
    higher_is_better=True,
    description="SSIM of F against the ground truth R (11×11 Gaussian σ = 1.5, L = 255, luma)",
    citation=_CITE_SSIM,
    conventions={"default": Convention(_ssim_gt, "luma", min_size=11)},
    needs_reference=True,
    blur_worse=True,
)
rmse_gt = register_metric(
    "rmse-gt",
    latex=r"\mathrm{RMSE}_{\mathrm{GT}}",
    higher_is_better=False,
    description="RMSE of F against the ground truth R: sqrt(MSE(F, R)) in grey levels (luma)",
    citation=_CITE_PSNR,
    conventions={"default": Convention(_rmse_gt, "luma")},
    needs_reference=True,
    blur_worse=True,
)
map_accuracy = register_metric(
    "map-accuracy",
    latex=r"\mathrm{Acc}_{\mathrm{map}}",
    higher_is_better=True,
    description="decision-map accuracy: fraction of pixels where [D > 0.5] equals the true mask",
    citation="pixel accuracy of the binarised decision map (synthetic ground-truth masks)",
    conventions={"default": Convention(_map_accuracy, "as_is")},
    needs_decision_map=True,
)
map_iou = register_metric(
    "map-iou",
    latex=r"\mathrm{IoU}_{\mathrm{map}}",
    higher_is_better=True,
    description="decision-map IoU of the 'take source A' region: |[D > 0.5] ∩ M| / |[D > 0.5] ∪ M|",
    citation=_CITE_IOU,
    conventions={"default": Convention(_map_iou, "as_is")},
    needs_decision_map=True,
)
