"""``latlrr``: infrared/visible fusion by (multi-level) latent low-rank decomposition.

H. Li, X.-J. Wu, "Infrared and visible image fusion using latent low-rank representation",
arXiv:1804.08992, 2018, as run by VIFB (its ``methods/LatLRR``, the multi-level "MDLatLRR"
form of H. Li, X.-J. Wu, J. Kittler, IEEE TIP 29, 2020). With the released projection
matrix L (``L_8.mat``: 64×64, learnt by LatLRR on 8×8 patches,
min ‖Z‖_* + ‖L‖_* + λ‖E‖_1 s.t. X = XZ + LX + E):

1. Decomposition of an image I, level k = 1 … n (n = 4), starting with B_0 = I: every
   8×8 patch of B_{k−1} (all positions, stride 1) as a column-major vector p; the salient
   vectors v = L p; the detail image D_k = overlap-add of the v, divided by the number of
   patches covering each pixel; B_k = B_{k−1} − D_k.
2. Base layers averaged: F_b = (B_n^I + B_n^V) / 2.
3. Detail vectors fused per patch position with nuclear-norm weights:
   v_F = (‖v_I‖_* v_I + ‖v_V‖_* v_V) / (‖v_I‖_* + ‖v_V‖_*) (the vectors as 8×8 matrices);
   D^F_k = overlap-add of the v_F averaged over the cover.
4. F = F_b + Σ_k c_k D^F_k.

In the paper c_k = 1. VIFB's code (``fusion_method.m``) does not reset its overlap-add
accumulator between levels, so it adds D^F_1 + … + D^F_k for every k: c_k = n − k + 1
(4, 3, 2, 1). That is what VIFB's published images show, so it is the default
(``cumulative_details=True``); ``cumulative_details=False`` gives the paper's sum. VIFB
runs the levels 1 … 4 in a loop and keeps the last (n = 4).

Images are on the 0..1 scale (``im2double``) as in the released code; colour images are
fused per RGB channel (a grey source is used for every channel), as ``run_LatLRR.m``.
The projection matrix is the released ``latlrr/L_8.mat``, loaded by
:func:`methods.sparse.released_dictionary` (parameter ``dictionary_dir`` = the folder
holding ``latlrr/``, or ``$FUSEBENCH_LATLRR_L_8``, as for the other sparse methods).

    >>> rng = np.random.default_rng(0)
    >>> x = rng.random((12, 13))
    >>> base, details, count = decompose(x, np.eye(64) * 0.5, levels=2)
    >>> float(count[0, 0]), float(count[6, 6])   # patches covering a corner / an inner pixel
    (1.0, 30.0)
    >>> bool(np.allclose(base, x * 0.25))  # L = I/2 takes half of what is left at each level
    True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from bench.errors import ParameterError
from bench.weights import WeightsError
from methods.base import FusionMethod, FusionResult, register_method
from methods.sparse import add_patches, released_dictionary

__all__ = ["LatLRR", "decompose", "fuse_channels", "fuse_gray", "load_projection"]

def load_projection(unit: int = 8, folder: str = "") -> np.ndarray:
    """The released projection matrix ``L_<unit>`` (unit² × unit²), located and hash-checked by
    :func:`methods.sparse.released_dictionary` (``latlrr/L_<unit>.mat``; ``folder``: the folder
    holding ``latlrr/``, else ``$FUSEBENCH_LATLRR_L_<unit>``, ``$FUSEBENCH_SPARSE_DICTIONARIES``,
    ``$FUSEBENCH_WEIGHTS/sparse-dictionaries``, the cache, a download)."""
    if unit not in (8, 16):
        raise ParameterError(f"latlrr: no released projection for {unit}×{unit} patches (unit=8 or 16)")
    name, var, shape = f"latlrr/L_{unit}.mat", f"L_{unit}", (unit * unit, unit * unit)
    mat = released_dictionary(name, folder)
    if var not in mat or mat[var].shape != shape:
        raise WeightsError(f"latlrr: {name} holds no {shape} matrix {var}")
    return np.asarray(mat[var], dtype=np.float64)


def _vectors(x: np.ndarray, unit: int) -> np.ndarray:
    """Every unit×unit patch of ``x`` as a column-major vector: (N, unit²), row-major patch order."""
    win = np.lib.stride_tricks.sliding_window_view(x, (unit, unit))
    return win.transpose(0, 1, 3, 2).reshape(-1, unit * unit)


def _overlap_add(vectors: np.ndarray, shape: tuple[int, int], unit: int) -> tuple[np.ndarray, np.ndarray]:
    acc, cnt = np.zeros(shape), np.zeros(shape)
    ys, xs = np.arange(shape[0] - unit + 1), np.arange(shape[1] - unit + 1)
    add_patches(acc, cnt, vectors.T, ys, xs)
    return acc, cnt


def _level(base: np.ndarray, proj: np.ndarray, unit: int):
    """One decomposition step: (salient vectors, detail image D = their averaged overlap-add)."""
    # einsum's own loops, not BLAS: the same bits whatever the thread count
    v = np.einsum("nk,jk->nj", _vectors(base, unit), proj, optimize=False)
    acc, count = _overlap_add(v, base.shape, unit)
    return v, acc / count, count


def decompose(x: np.ndarray, proj: np.ndarray, levels: int = 4):
    """(B_n, [v_1 … v_n] salient vectors (N × unit²), cover count) of grey ``x`` (step 1)."""
    unit = int(round(np.sqrt(proj.shape[0])))
    base = np.asarray(x, dtype=np.float64)
    details, count = [], None
    for _ in range(levels):
        v, d, count = _level(base, proj, unit)
        base = base - d
        details.append(v)
    return base, details, count


def nuclear_norms(v: np.ndarray, unit: int) -> np.ndarray:
    """‖·‖_* of each row of ``v`` as a unit×unit matrix: Σ √eig(MᵀM) (float64)."""
    import torch

    m = np.ascontiguousarray(v).reshape(-1, unit, unit)
    out = np.empty(len(v))
    step = 65536
    for s in range(0, len(v), step):
        blk = m[s : s + step]
        gram = np.einsum("nij,nik->njk", blk, blk, optimize=False)  # no BLAS: thread-independent
        ev = torch.linalg.eigvalsh(torch.from_numpy(gram))  # one LAPACK call per matrix
        out[s : s + step] = ev.clamp_min(0).sqrt().sum(1).numpy()
    return out


def fuse_channels(ir: list[np.ndarray], vis: list[np.ndarray], proj: np.ndarray, levels: int = 4,
                  cumulative_details: bool = True) -> list[np.ndarray]:
    """Steps 1–4 for channel pairs (``ir[c]``, ``vis[c]``), images on the 0..1 scale.

    ``ir`` may hold a single channel shared by every ``vis`` channel (a grey infrared image):
    its decomposition and nuclear norms are then computed once.
    """
    unit = int(round(np.sqrt(proj.shape[0])))
    shared = len(ir) == 1
    if min(vis[0].shape) < unit:  # no patch fits: nothing is salient, the base is the image
        return [0.5 * (ir[0 if shared else c] + v) for c, v in enumerate(vis)]
    b1 = [np.asarray(x, dtype=np.float64) for x in ir]
    b2 = [np.asarray(x, dtype=np.float64) for x in vis]
    fused = [np.zeros(vis[0].shape) for _ in vis]
    acc = [np.zeros(vis[0].shape) for _ in vis]
    for _ in range(levels):
        ir_level = []
        for c, base in enumerate(b1):
            v1, d1, count = _level(base, proj, unit)
            b1[c] = base - d1
            ir_level.append((v1, nuclear_norms(v1, unit)))
        for c, base in enumerate(b2):
            v2, d2, count = _level(base, proj, unit)
            b2[c] = base - d2
            v1, n1 = ir_level[0 if shared else c]
            n2 = nuclear_norms(v2, unit)
            total = n1 + n2
            w1 = np.divide(n1, total, out=np.full_like(total, 0.5), where=total > 0)[:, None]
            level_acc, _ = _overlap_add(w1 * v1 + (1.0 - w1) * v2, vis[0].shape, unit)
            if cumulative_details:  # VIFB: the accumulator is not reset between levels
                acc[c] += level_acc
                fused[c] += acc[c] / count
            else:
                fused[c] += level_acc / count
            del v2, w1
        del ir_level
    return [f + 0.5 * (b1[0 if shared else c] + b2[c]) for c, f in enumerate(fused)]


def fuse_gray(ir: np.ndarray, vis: np.ndarray, proj: np.ndarray, levels: int = 4,
              cumulative_details: bool = True) -> np.ndarray:
    """Steps 1–4 on one channel pair, images on the 0..1 scale."""
    return fuse_channels([ir], [vis], proj, levels, cumulative_details)[0]


@register_method
class LatLRR(FusionMethod):
    name = "latlrr"
    version = "1"
    kind = "classic"
    modalities = ("ir-visible",)
    colour = "per-channel"
    citation = (
        "H. Li, X.-J. Wu, Infrared and visible image fusion using latent low-rank "
        "representation, arXiv:1804.08992, 2018 (multi-level form: H. Li, X.-J. Wu, J. Kittler, "
        "MDLatLRR, IEEE Trans. Image Process. 29, 2020)"
    )
    groups: ClassVar[tuple[str, ...]] = ("vifb-classic",)
    published_names: ClassVar[dict[str, str]] = {"vifb": "LatLRR"}
    identity_exempt: ClassVar[str] = (
        "VIFB's code counts the detail of level k n-k+1 times (cumulative_details=True), so "
        "fuse(X, X) sharpens X; with cumulative_details=False it returns X"
    )

    @dataclass
    class Params:
        levels: int = 4  # decomposition levels (VIFB keeps its last run, level 4)
        unit: int = 8  # patch size: 8 (L_8.mat, VIFB's choice) or 16 (L_16.mat)
        dictionary_dir: str = ""  # folder holding latlrr/L_<unit>.mat; empty: the usual lookup
        cumulative_details: bool = True  # VIFB's code: level k detail counted n-k+1 times

    def run(self, a: np.ndarray, b: np.ndarray, params) -> FusionResult:
        proj = load_projection(params.unit, params.dictionary_dir)

        if a.ndim == 2:
            ir, vis = [b], [a]
        else:
            vis = [a[..., c] for c in range(a.shape[2])]
            same = all(np.array_equal(b[..., 0], b[..., c]) for c in range(1, b.shape[2]))
            ir = [b[..., 0]] if same else [b[..., c] for c in range(b.shape[2])]
        out = fuse_channels([x / 255.0 for x in ir], [x / 255.0 for x in vis], proj,
                            params.levels, params.cumulative_details)
        fused = 255.0 * (out[0] if a.ndim == 2 else np.stack(out, axis=2))
        # im2uint8 clips: the cumulative details overshoot far beyond 0..255 at strong edges
        return FusionResult(image=np.clip(fused, 0.0, 255.0))
