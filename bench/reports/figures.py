"""Report figures (matplotlib; PNG by default, PDF on request).

* :func:`montage_pages`: the sources and every method's fused image of one pair,
  each with the same red zoom box and, *beside* the panel (never over it), the
  box magnified 2–3× (:func:`with_inset`). Panels are reduced to at most
  :data:`DISPLAY_MAX` pixels (the inset keeps full resolution; the HTML viewer
  links the full images), which keeps figures small; at most :data:`MAX_PANELS` panels per
  figure, so many methods make several pages, each repeating the sources.
  :func:`zoom_box` places the box where the methods differ most in detail: the
  window maximising the mean, across pixels, of the across-method variance of a
  high-pass band (luma minus its Gaussian blur, σ = 2), at least :func:`margin`
  pixels from the borders (border handling differs between methods and would
  win otherwise).
* :func:`decision_map_pages`: the decision maps of the methods that expose a
  real one (constant maps, e.g. ``average``'s 0.5, are left out), the true
  focus mask first when the dataset has one.
* :func:`error_map_pages`: |F − GT| (luma) per method on one colour scale, with a
  colour bar.
* :func:`bar_chart`: per metric, the mean over pairs per method, whiskers from
  the smallest to the largest per-pair value (always inside the metric's valid
  range, unlike mean ± std), labelled axes, one colour per method
  (:func:`method_colours`) shared by every plot of the run.

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> base = rng.uniform(0, 255, (80, 80))
    >>> blurred = base.copy(); blurred[40:60, 20:40] = 128.0   # one method loses detail here
    >>> top, left, h, w = zoom_box([base, blurred], frac=0.25)
    >>> 20 <= top <= 40 and 0 <= left <= 40 and (h, w) == (20, 20)
    True
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from bench.color import luma

Box = tuple[int, int, int, int]  # (top, left, height, width)
FORMATS = ("png",)  # default; --figure-format png,pdf adds PDF
ALL_FORMATS = ("png", "pdf")
MAX_PANELS = 9
RED = (0.9, 0.0, 0.0)
DPI = 100
DISPLAY_MAX = 320  # longest panel side in figures (pixels); full images are linked instead
PNG_COMPRESSION = 1  # zlib level: 1 is several times faster than the default 6, files ~10 % larger


def _plt():
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


# -- where the methods differ ------------------------------------------------------
def highpass(x: np.ndarray, sigma: float = 2.0) -> np.ndarray:
    """Luma minus its Gaussian blur (MATLAB ``fspecial('gaussian')``, replicate borders)."""
    from bench.matlab import fspecial_gaussian, imfilter

    y = luma(np.asarray(x, dtype=np.float64))
    size = 2 * math.ceil(2 * sigma) + 1
    return y - imfilter(y, fspecial_gaussian(size, sigma), "replicate")


def detail_variance(fused: Sequence[np.ndarray]) -> np.ndarray:
    """Per pixel, the variance across methods of their high-pass bands (H×W)."""
    stack = np.stack([highpass(f) for f in fused])
    return stack.var(axis=0) if len(stack) > 1 else stack[0] ** 2


def margin(h: int, w: int) -> int:
    """Pixels kept clear of the borders when placing the zoom box."""
    return max(4, round(0.04 * min(h, w)))


def zoom_box(fused: Sequence[np.ndarray], frac: float = 0.2) -> Box:
    """The ``frac``-sized window (of each side) where the methods' details differ most."""
    from scipy.ndimage import uniform_filter

    var = detail_variance(fused)
    h, w = var.shape
    bh, bw = max(4, round(h * frac)), max(4, round(w * frac))
    local = uniform_filter(var, size=(bh, bw), mode="constant")
    m = min(margin(h, w), (h - bh) // 2, (w - bw) // 2)
    # window top-left (i, j) has its centre at (i + bh // 2, j + bw // 2)
    tops = np.arange(m, h - bh - m + 1)
    lefts = np.arange(m, w - bw - m + 1)
    valid = local[np.ix_(tops + bh // 2, lefts + bw // 2)]
    i, j = np.unravel_index(np.argmax(valid), valid.shape)
    return int(tops[i]), int(lefts[j]), int(bh), int(bw)


# -- tiles ---------------------------------------------------------------------------
def _rgb01(img: np.ndarray, cmap: str | None = None, vmin: float = 0.0, vmax: float = 255.0) -> np.ndarray:
    """H×W×3 float 0..1 for display; grey images through ``cmap`` (default grey)."""
    img = np.asarray(img, dtype=np.float64)
    if img.ndim == 3:
        return np.clip(img / 255.0, 0.0, 1.0)
    x = np.clip((img - vmin) / max(vmax - vmin, 1e-12), 0.0, 1.0)
    if cmap in (None, "gray"):
        return np.repeat(x[..., None], 3, axis=2)
    from matplotlib import colormaps

    return colormaps[cmap](x)[..., :3]


def _frame(tile: np.ndarray, top: int, left: int, h: int, w: int, width: int, colour=RED) -> None:
    """Draw a ``width``-pixel rectangle outline into ``tile`` in place."""
    H, W = tile.shape[:2]
    t0, l0 = max(top, 0), max(left, 0)
    t1, l1 = min(top + h, H), min(left + w, W)
    tile[t0 : min(t0 + width, t1), l0:l1] = colour
    tile[max(t1 - width, t0) : t1, l0:l1] = colour
    tile[t0:t1, l0 : min(l0 + width, l1)] = colour
    tile[t0:t1, max(l1 - width, l0) : l1] = colour


def display_shrink(h: int, w: int, longest: int = DISPLAY_MAX) -> int:
    """Integer factor by which figure panels are reduced so the longest side is ≤ ``longest``.

    >>> display_shrink(520, 520), display_shrink(200, 100)
    (2, 1)
    """
    return max(1, math.ceil(max(h, w) / longest))


def shrink(img01: np.ndarray, s: int) -> np.ndarray:
    """Block mean over ``s``×``s`` pixels (the panel shown; the full image is linked)."""
    if s == 1:
        return img01
    h, w = (img01.shape[0] // s) * s, (img01.shape[1] // s) * s
    x = img01[:h, :w]
    return x.reshape(h // s, s, w // s, s, -1).mean(axis=(1, 3))


def inset_scale(h: int, box: Box, s: int = 1) -> int:
    """Zoom of the full-resolution crop in the inset. Panels reduced ``s``× show it at its
    own pixels (×1, so 2–3× the panel's scale); else 3×, or 2× when 3× would be taller
    than the panel."""
    if s >= 2:
        return 1
    return 3 if 3 * box[2] <= h else 2


def with_inset(img01: np.ndarray, box: Box, gap: int = 6, s: int = 1) -> np.ndarray:
    """``img01`` (H×W×3, 0..1; shown reduced ``s``×, :func:`shrink`) with ``box`` outlined
    in red, and the full-resolution box magnified (nearest neighbour, :func:`inset_scale`)
    in a column to its right: the image itself is never covered.
    Returns H' × (W/s + gap + k·w) × 3 on white."""
    top, left, bh, bw = box
    k = inset_scale(img01.shape[0] // s, box, s)
    crop = img01[top : top + bh, left : left + bw]
    big = np.repeat(np.repeat(crop, k, axis=0), k, axis=1)
    img01 = shrink(img01, s)
    H, W = img01.shape[:2]
    tile = np.ones((max(H, big.shape[0]), W + gap + big.shape[1], 3))
    tile[:H, :W] = img01
    lw = max(1, round(min(H, W) / 200))
    _frame(tile[:H, :W], top // s, left // s, max(1, bh // s), max(1, bw // s), lw)
    c0 = W + gap
    tile[: big.shape[0], c0 : c0 + big.shape[1]] = big
    _frame(tile, 0, c0, big.shape[0], big.shape[1], lw + 1)
    return tile


def compose(tiles: Sequence[np.ndarray], max_cols: int = 3, gap: int = 6) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Tiles (same H×W×3, 0..1) on a white grid; returns the canvas and each tile's (row, col) origin."""
    n = len(tiles)
    H, W = tiles[0].shape[:2]
    ncols = min(n, max_cols)
    nrows = math.ceil(n / ncols)
    label = max(14, H // 14)  # white band above each tile for its label
    canvas = np.ones((nrows * (H + label + gap), ncols * (W + gap) - gap, 3))
    origins = []
    for k, tile in enumerate(tiles):
        r = (k // ncols) * (H + label + gap) + label
        c = (k % ncols) * (W + gap)
        canvas[r : r + H, c : c + W] = tile[:H, :W]
        origins.append((r, c))
    return canvas, origins


def _labelled(canvas: np.ndarray, origins, labels: Sequence[str], title: str = "",
              colorbar: tuple[str, float, float, str] | None = None):
    """A figure showing ``canvas`` at one pixel per image pixel, labels above each tile,
    the title in a band on top and, with ``colorbar=(cmap, vmin, vmax, label)``, a colour
    bar in a band on the right. Everything lies inside the figure (no tight bbox pass)."""
    plt = _plt()
    band = origins[0][0]  # height of the label band, in pixels
    size = max(6.0, band * 0.72 * 0.7)  # pixels -> points at DPI 100, with margin
    title_px = int(band * 1.4) if title else 0
    bar_px = 110 if colorbar else 0
    h, w = canvas.shape[:2]
    H, W = h + title_px, w + bar_px
    fig = plt.figure(figsize=(W / DPI, H / DPI), dpi=DPI)
    ax = fig.add_axes((0, 0, w / W, h / H))
    ax.imshow(canvas, interpolation="nearest")
    ax.set_axis_off()
    for (r, c), text in zip(origins, labels):
        ax.text(c + 2, r - 3, text, fontsize=size, va="bottom", ha="left")
    if title:
        fig.text(0.005, 1 - 0.15 * title_px / H, title, fontsize=size, va="top", ha="left")
    if colorbar:
        import matplotlib as mpl

        cmap, vmin, vmax, label = colorbar
        cax = fig.add_axes((w / W + 12 / W, 0.1 * h / H, 22 / W, 0.8 * h / H))
        sm = mpl.cm.ScalarMappable(norm=mpl.colors.Normalize(vmin, vmax), cmap=cmap)
        cb = fig.colorbar(sm, cax=cax)
        cb.set_label(label, fontsize=size * 0.8)
        cb.ax.tick_params(labelsize=size * 0.7)
    return fig


def pages(n_fixed: int, items: Sequence, per_page: int = MAX_PANELS) -> list[list]:
    """Split ``items`` so each page holds ``n_fixed`` repeated panels plus ≤ the rest.

    >>> [len(p) for p in pages(2, list(range(12)))]
    [7, 5]
    """
    room = max(1, per_page - n_fixed)
    return [list(items[i : i + room]) for i in range(0, len(items), room)] or [[]]


def _paged_title(title: str, k: int, n: int) -> str:
    return f"{title} ({k}/{n})" if n > 1 and title else title


def montage_pages(sources: Sequence[tuple[str, np.ndarray]], fused: Sequence[tuple[str, np.ndarray]],
                  box: Box, title: str = "") -> list:
    """Figures of ≤ :data:`MAX_PANELS` panels: the sources, then the methods' fused images."""
    s = display_shrink(*np.asarray(sources[0][1]).shape[:2])
    src_tiles = [(lab, with_inset(_rgb01(img), box, s=s)) for lab, img in sources]
    groups = pages(len(sources), list(fused))
    figs = []
    for k, group in enumerate(groups, start=1):
        panels = src_tiles + [(lab, with_inset(_rgb01(img), box, s=s)) for lab, img in group]
        canvas, origins = compose([t for _, t in panels])
        figs.append(_labelled(canvas, origins, [lab for lab, _ in panels],
                              _paged_title(title, k, len(groups))))
    return figs


def is_real_map(dm: np.ndarray) -> bool:
    """False for a constant map (a method without a decision reports 0.5 everywhere)."""
    dm = np.asarray(dm, dtype=np.float64)
    return bool(np.ptp(dm) > 1e-6)


def decision_map_pages(panels: Sequence[tuple[str, np.ndarray]], mask: np.ndarray | None = None,
                       title: str = "") -> list:
    """Figures of decision maps (weight of source A, 0 black .. 1 white), true mask first."""
    real = [(lab, dm) for lab, dm in panels if is_real_map(dm)]
    if not real:
        return []
    fixed = [("true focus mask", mask)] if mask is not None else []
    groups = pages(len(fixed), real)
    figs = []
    for k, group in enumerate(groups, start=1):
        shown = fixed + group
        s = display_shrink(*np.asarray(shown[0][1]).shape[:2])
        canvas, origins = compose([shrink(_rgb01(dm, "gray", 0.0, 1.0), s) for _, dm in shown])
        figs.append(_labelled(canvas, origins, [lab for lab, _ in shown],
                              _paged_title(title, k, len(groups))))
    return figs


def error_map_pages(reference: np.ndarray, panels: Sequence[tuple[str, np.ndarray]], title: str = "") -> list:
    """Figures of |luma(F) − luma(GT)| per method on one scale (magma, 0 .. 99.5th percentile),
    with a colour bar in grey levels."""
    errs = [(label, np.abs(luma(img) - luma(reference))) for label, img in panels]
    vmax = max(float(np.percentile(e, 99.5)) for _, e in errs) or 1.0
    groups = pages(0, errs)
    figs = []
    for k, group in enumerate(groups, start=1):
        s = display_shrink(*group[0][1].shape[:2])
        canvas, origins = compose([shrink(_rgb01(e, "magma", 0.0, vmax), s) for _, e in group])
        labels = [f"{label} (MAE {e.mean():.2f})" for label, e in group]
        figs.append(_labelled(canvas, origins, labels, _paged_title(title, k, len(groups)),
                              colorbar=("magma", 0.0, vmax, "|F − GT| (grey levels)")))
    return figs


def save(fig, stem: Path, formats: Sequence[str] = FORMATS, dpi: int = DPI) -> list[Path]:
    """Save ``fig`` once per format as ``stem.<fmt>`` (PNG: RGB at a fast compression level,
    written from the one Agg rendering), close it."""
    plt = _plt()
    stem.parent.mkdir(parents=True, exist_ok=True)
    paths = []
    for fmt in formats:
        p = stem.with_suffix(f".{fmt}")
        if fmt == "png":  # RGB, no alpha: ~15 % smaller than matplotlib's RGBA PNG
            from PIL import Image

            fig.set_dpi(dpi)
            fig.canvas.draw()
            rgb = np.asarray(fig.canvas.buffer_rgba())[..., :3]
            Image.fromarray(rgb).save(p, format="PNG", compress_level=PNG_COMPRESSION)
        else:
            fig.savefig(p, dpi=dpi)
        paths.append(p)
    plt.close(fig)
    return paths


def method_colours(methods: Sequence[str]) -> dict[str, tuple]:
    """One colour per method, in run order (tab10, then tab20), the same in every plot.

    >>> c = method_colours(["pca", "dwt"]); c["pca"] != c["dwt"]
    True
    """
    from matplotlib import colormaps

    cmap = colormaps["tab10" if len(methods) <= 10 else "tab20"]
    return {m: tuple(cmap(k % cmap.N)[:3]) for k, m in enumerate(methods)}


def mathtext(symbol: str, fallback: str) -> str:
    """``$symbol$`` when matplotlib's mathtext can draw it, else ``fallback``."""
    return f"${symbol}$" if symbol and "\\text" not in symbol else fallback


def bar_chart(means, lows, highs, higher_is_better: dict[str, bool], title: str = "",
              colours: dict[str, tuple] | None = None, labels: dict[str, str] | None = None,
              symbols: dict[str, str] | None = None, n_pairs: int | None = None,
              baselines: Sequence[str] = ()):
    """Figure: one subplot per metric, a bar per method at its mean over pairs, whiskers
    from the per-pair minimum to maximum. ``means``/``lows``/``highs``: methods × metrics.
    The best mean (``baselines`` excepted) has its method name in bold."""
    plt = _plt()
    cols = list(means.columns)
    n = len(cols)
    ncols = min(n, 3)
    nrows = math.ceil(n / ncols)
    height = max(2.2, 0.28 * len(means.index) + 1.4)
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.4 * ncols, height * nrows), squeeze=False)
    for ax in axes.flat[n:]:
        ax.axis("off")
    rows = list(means.index)
    colours = colours or method_colours(rows)
    y = np.arange(len(rows))
    for ax, col in zip(axes.flat, cols):
        vals = means[col].to_numpy(dtype=float)
        lo = np.clip(vals - lows[col].to_numpy(dtype=float), 0, None)
        hi = np.clip(highs[col].to_numpy(dtype=float) - vals, 0, None)
        ax.barh(y, vals, xerr=np.nan_to_num(np.vstack([lo, hi])), color=[colours[m] for m in rows],
                capsize=2, error_kw={"elinewidth": 0.8})
        ax.set_yticks(y)
        ax.set_yticklabels([(labels or {}).get(m, m) for m in rows], fontsize=8)
        ranked = np.where([m in baselines for m in rows], np.nan, vals)
        if np.isfinite(ranked).any():
            best = np.nanargmax(ranked) if higher_is_better[col] else np.nanargmin(ranked)
            ax.get_yticklabels()[best].set_fontweight("bold")
        ax.invert_yaxis()
        sym = mathtext((symbols or {}).get(col, ""), col)
        arrow = "higher is better" if higher_is_better[col] else "lower is better"
        ax.set_title(f"{sym} ({arrow})", fontsize=10)
        ax.set_xlabel(f"{sym}: mean over {n_pairs or ''} pairs, whiskers min–max".replace("  ", " "),
                      fontsize=8)
        ax.set_ylabel("method", fontsize=8)
        ax.tick_params(axis="x", labelsize=8)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig
