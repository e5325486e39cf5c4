"""``pca`` — principal-component weighted average.

Classic PCA fusion (e.g. Naidu & Raol, "Pixel-level Image Fusion using Wavelets
and Principal Component Analysis", Defence Science Journal 58(3):338–352,
2008): the two sources are the two variables of a 2×2 covariance matrix C
(over all pixels, on the grey image). With v the eigenvector of the largest
eigenvalue of C (components taken in absolute value),

    P_A = v_1 / (v_1 + v_2),  P_B = v_2 / (v_1 + v_2),  F = P_A·A + P_B·B.

Flat sources (C = 0) get P_A = P_B = 1/2.

No parameters. Colour: ``gray-weights`` (C from BT.601 luma; the same two
weights for every RGB channel). ``decision_map`` is the constant P_A.

    >>> import numpy as np, methods
    >>> a = np.random.default_rng(0).random((16, 16)) * 255
    >>> res = methods.get_method("pca").fuse(a, a)
    >>> float(res.decision_map[0, 0])
    0.5
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bench.color import luma
from methods.base import FusionMethod, FusionResult, register_method


def pca_weights(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """(P_A, P_B) from the principal eigenvector of the 2×2 covariance of a and b."""
    cov = np.cov(np.stack([a.ravel(), b.ravel()]))
    if not np.all(np.isfinite(cov)) or np.trace(cov) <= 1e-12:
        return 0.5, 0.5
    _, vecs = np.linalg.eigh(cov)
    v = np.abs(vecs[:, -1])
    return float(v[0] / v.sum()), float(v[1] / v.sum())


@register_method
class PCA(FusionMethod):
    name = "pca"
    version = "1"
    kind = "classic"
    modalities = ("multi-focus", "ir-visible", "medical")
    groups = ("paper",)
    published_names = {"paper": "PCA"}
    colour = "gray-weights"
    citation = (
        "V. P. S. Naidu, J. R. Raol, Pixel-level Image Fusion using Wavelets and Principal "
        "Component Analysis, Defence Science Journal 58(3):338-352, 2008"
    )

    @dataclass
    class Params:
        pass

    def run(self, a, b, params):
        pa, pb = pca_weights(luma(a), luma(b))
        return FusionResult(image=pa * a + pb * b, decision_map=np.full(a.shape[:2], pa),
                            extras={"weights": (pa, pb)})
