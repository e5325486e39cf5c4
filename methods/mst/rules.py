"""Coefficient-selection rules of the MST and MST-SR family (Liu, Liu & Wang 2015).

The toolbox keeps Rockinger's rules: the low-pass band is averaged
(``selb`` option 3) or fused by sparse representation (:mod:`methods.mst.sr`),
and every high-pass band is fused by "choose max with consistency check"
(``selc`` option 3, Li, Manjunath & Mitra 1995):

    act_X = max over the 3×3 window of |X|        (borders: ``es2``, zero corners)
    d     = [act_A > act_B]
    F     = A where Σ_{3×3} d > 4 (majority of the window chose A), else B

|·| is the modulus, so the rule also fuses complex (DT-CWT) coefficients.

    >>> import numpy as np
    >>> a = np.arange(25.0).reshape(5, 5) - 12
    >>> bool(np.array_equal(choose_max_consistent(a, a / 2), a))
    True
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from methods.mst.lp import es2

__all__ = ["average", "choose_max_consistent"]


def choose_max_consistent(la: np.ndarray, lb: np.ndarray) -> np.ndarray:
    """Li's rule: 3×3 max-|c| activity, d = [act_A > act_B], 3×3 majority vote (> 4 of 9).

    Borders as Rockinger's :func:`~methods.mst.lp.es2` (mirrored without repeating the
    edge, the corner of the extension zero; outside it ``ordfilt2``'s zeros);
    ``la`` and ``lb`` may be real or complex H×W arrays.
    """
    act_a = ndimage.maximum_filter(es2(np.abs(la), 1), 3, mode="constant")
    act_b = ndimage.maximum_filter(es2(np.abs(lb), 1), 3, mode="constant")
    votes = ndimage.correlate((act_a > act_b).astype(np.float64), np.ones((3, 3)),
                              mode="constant")[1:-1, 1:-1]
    return np.where(votes > 4, la, lb)


def average(la: np.ndarray, lb: np.ndarray) -> np.ndarray:
    """(A + B) / 2, the toolbox's low-pass rule of the plain MST methods."""
    return (la + lb) / 2.0
