"""Figures: the zoom box finds where methods differ; montages and maps are drawn from the run."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.ndimage import uniform_filter

from bench.io import read_image
from bench.reports import build_report
from bench.reports.figures import RED, compose, with_inset, zoom_box


def test_zoom_box_lands_where_fused_images_disagree(lytro_pair):
    a, _ = lytro_pair
    other = a.copy()
    other[300:360, 80:140] = uniform_filter(a, size=(9, 9, 1))[300:360, 80:140]  # one method blurs here
    top, left, h, w = zoom_box([a, other], frac=0.1)
    assert (h, w) == (52, 52)
    overlap_r = min(top + h, 360) - max(top, 300)
    overlap_c = min(left + w, 140) - max(left, 80)
    assert overlap_r > h // 2 and overlap_c > w // 2


def test_inset_and_grid_geometry(lytro_pair):
    a = lytro_pair[0][:100, :120] / 255.0
    tile = with_inset(a, (70, 90, 20, 20))  # box at bottom-right -> 2x inset at top-left
    zoomed = np.repeat(np.repeat(a[70:90, 90:110], 2, axis=0), 2, axis=1)
    assert np.array_equal(tile[2:38, 2:38], zoomed[2:38, 2:38])  # inside its 2-px frame
    assert np.allclose(tile[70, 90:110], RED) and np.allclose(tile[0, 0:40], RED)
    assert np.array_equal(tile[50:69, 50:89], a[50:69, 50:89])  # elsewhere untouched
    canvas, origins = compose([tile] * 5, max_cols=4, gap=6)
    assert len(origins) == 5 and origins[4][1] == 0 and origins[1][1] == 120 + 6
    assert canvas.shape[1] == 4 * 120 + 3 * 6


def test_report_figures_from_run_directory(run_dir, tmp_path):
    written = build_report(run_dir, formats=("md", "html"), out_dir=tmp_path / "rep")
    names = {p.name for p in written["figures"]}
    for pair in ("lytro-01", "lytro-02", "lytro-03"):
        assert {f"montage-{pair}.png", f"montage-{pair}.pdf", f"decision-{pair}.png"} <= names
    assert "error-lytro-03.png" in names and "error-lytro-01.png" not in names  # ground truth only on 03
    assert {"bars.png", "bars.pdf"} <= names
    with pytest.warns(UserWarning, match="alpha"):  # matplotlib writes RGBA PNGs
        img, _ = read_image(tmp_path / "rep" / "figures" / "montage-lytro-01.png")
    red = (img[..., 0] > 200) & (img[..., 1] < 40) & (img[..., 2] < 40)
    assert red.sum() > 100  # zoom boxes and inset frames are drawn
    md = (tmp_path / "rep" / "report.md").read_text()
    assert "figures/montage-lytro-01.png" in md and "| method" in md
    assert "<table>" in (tmp_path / "rep" / "report.html").read_text()
