"""Figures: the zoom box lands where methods differ in detail, insets sit beside the image,
no figure holds more than nine panels, maps and errors are drawn from the run alone."""

from __future__ import annotations

import numpy as np
from scipy.ndimage import uniform_filter

from bench.io import read_image
from bench.reports import build_report
from bench.reports import figures as figs
from bench.reports.figures import RED, compose, detail_variance, margin, with_inset, zoom_box


def test_zoom_box_lands_where_fused_images_disagree(lytro_pair):
    a, _ = lytro_pair
    other = a.copy()
    other[300:360, 80:140] = uniform_filter(a, size=(9, 9, 1))[300:360, 80:140]  # one method blurs here
    top, left, h, w = zoom_box([a, other], frac=0.1)
    assert (h, w) == (52, 52)
    overlap_r = min(top + h, 360) - max(top, 300)
    overlap_c = min(left + w, 140) - max(left, 80)
    assert overlap_r > h // 2 and overlap_c > w // 2


def test_zoom_box_on_real_methods_beats_the_median_and_keeps_off_borders(lytro_pair):
    """Acceptance 1: on a Lytro pair fused by real methods, the box's across-method
    high-pass variance is above the image median (per pixel and over all windows)."""
    import methods

    a, b = lytro_pair
    fused = [methods.get_method(m).fuse(a, b).image for m in ("average", "max-abs", "pca", "dwt")]
    top, left, h, w = zoom_box(fused)
    var = detail_variance(fused)
    inside = var[top : top + h, left : left + w].mean()
    windows = uniform_filter(var, size=(h, w), mode="constant")
    assert inside > np.median(var) and inside > np.median(windows)
    m = margin(*var.shape)
    assert top >= m and left >= m and top + h <= var.shape[0] - m and left + w <= var.shape[1] - m


def test_inset_sits_beside_the_image_at_two_to_three_times(lytro_pair):
    a = lytro_pair[0][:100, :120] / 255.0
    box = (70, 90, 20, 20)
    tile = with_inset(a, box, gap=6)
    k = figs.inset_scale(100, box)
    assert k == 3 and tile.shape == (100, 120 + 6 + 60, 3)
    # the image is not covered: only the red outline of the box differs from it
    frame = np.zeros((100, 120), bool)
    frame[70:90, 90:110] = True
    frame[71:89, 91:109] = False
    assert np.array_equal(tile[:100, :120][~frame], a[~frame])
    assert np.allclose(tile[70, 90:110], RED)
    zoomed = np.repeat(np.repeat(a[70:90, 90:110], 3, axis=0), 3, axis=1)
    assert np.array_equal(tile[2:58, 128:184], zoomed[2:58, 2:58])  # inside its 2-px frame
    assert figs.inset_scale(50, box) == 2  # 3x would be taller than a 50-px panel
    # a 520-px image is shown halved; the inset keeps the crop's own pixels (2x the panel)
    full = lytro_pair[0] / 255.0
    big = with_inset(full, (200, 300, 104, 104), gap=6, s=2)
    assert big.shape == (260, 260 + 6 + 104, 3)
    assert np.array_equal(big[3:101, 269:367], full[203:301, 303:401])
    assert np.allclose(big[0:100, 0:90], figs.shrink(full, 2)[0:100, 0:90])  # panel not covered
    canvas, origins = compose([tile] * 5, max_cols=3, gap=6)
    assert len(origins) == 5 and origins[3][1] == 0 and origins[1][1] == tile.shape[1] + 6


def test_no_figure_has_more_than_nine_panels():
    assert [len(p) for p in figs.pages(3, list(range(14)))] == [6, 6, 2]
    img = np.full((40, 40), 100.0)
    fused = [(f"m{i}", img + i) for i in range(14)]
    pages = figs.montage_pages([("source A", img), ("source B", img)], fused, (10, 10, 8, 8), "t")
    assert len(pages) == 2  # 2 sources + 7 methods, then 2 sources + 7 methods
    texts = [[t.get_text() for t in f.axes[0].texts] for f in pages]
    assert all(len(t) <= figs.MAX_PANELS for t in texts) and texts[0][:2] == ["source A", "source B"]
    assert sum(len(t) - 2 for t in texts) == 14
    import matplotlib.pyplot as plt

    for f in pages:
        plt.close(f)


def test_decision_maps_only_real_ones_true_mask_first():
    mask = np.zeros((30, 30))
    mask[:, :15] = 1.0
    flat = np.full((30, 30), 0.5)
    figures = figs.decision_map_pages([("Average", flat), ("GFF", mask * 0.8)], mask, "t")
    assert len(figures) == 1
    assert [t.get_text() for t in figures[0].axes[0].texts] == ["true focus mask", "GFF"]
    assert figs.decision_map_pages([("Average", flat)], mask) == []


def test_report_figures_from_run_directory(run_dir, tmp_path):
    written = build_report(run_dir, formats=("md", "html"), out_dir=tmp_path / "rep")
    names = {p.name for p in written["figures"]}
    for pair in ("lytro-01", "lytro-02", "lytro-03"):
        assert {f"montage-{pair}.png", f"decision-{pair}.png"} <= names
    assert not any(n.endswith(".pdf") for n in names)  # PNG only by default
    assert "error-lytro-03.png" in names and "error-lytro-01.png" not in names  # ground truth only on 03
    assert "bars.png" in names
    img, _ = read_image(tmp_path / "rep" / "figures" / "montage-lytro-01.png")  # RGB, no alpha
    red = (img[..., 0] > 200) & (img[..., 1] < 40) & (img[..., 2] < 40)
    assert red.sum() > 100  # zoom boxes and inset frames are drawn
    md = (tmp_path / "rep" / "report.md").read_text()
    assert "figures/montage-lytro-01.png" in md and "| method" in md
    assert "<table" in (tmp_path / "rep" / "report.html").read_text()
    pdf = build_report(run_dir, formats=(), out_dir=tmp_path / "pdf", figure_pairs=["lytro-03"],
                       figure_formats=("png", "pdf"))
    assert "error-lytro-03.pdf" in {p.name for p in pdf["figures"]}


def test_error_maps_have_a_colour_bar_and_bars_labelled_axes():
    ref = np.zeros((20, 20))
    f = figs.error_map_pages(ref, [("A", ref + 3), ("B", ref + 5)], "t")[0]
    assert len(f.axes) == 2 and "GT" in f.axes[1].get_ylabel()
    import pandas as pd

    means = pd.DataFrame({"q": [0.5, 0.7]}, index=["pca", "average"])
    bars = figs.bar_chart(means, means - 0.6, means + 0.1, {"q": True}, baselines=("average",))
    ax = bars.axes[0]
    assert "mean over" in ax.get_xlabel() and ax.get_ylabel() == "method"
    bold = [t.get_text() for t in ax.get_yticklabels() if t.get_fontweight() == "bold"]
    assert bold == ["pca"]  # the baseline's higher mean does not win
    import matplotlib.pyplot as plt

    plt.close(f)
    plt.close(bars)
