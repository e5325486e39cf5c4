"""``build_report(run_dir)``: every table and figure of a run, from its stored results.

Writes under ``RUN_DIR/report/`` (or ``out_dir``)::

    latex/all_tables.tex, latex/table-<name>.tex   (booktabs; pdflatex all_tables.tex)
    tables/table-<name>.csv                        (plain numbers)
    report.md, report.html                         (all tables, figures linked)
    figures/montage-<pair>.{png,pdf}               (sources + fused, zoom inset)
    figures/decision-<pair>.{png,pdf}              (methods with decision maps)
    figures/error-<pair>.{png,pdf}                 (pairs with ground truth)
    figures/bars.{png,pdf}                         (mean metric values per method)

Nothing is recomputed: tables come from ``scores.csv``/``timings.csv`` and
figures from ``images/``. Rendered figures are kept in the run's cache
directory under a hash of their inputs, so regenerating an unchanged figure
is a file copy.

    >>> paths = build_report("runs/lytro-demo", formats=("latex", "md"), per_pair=True)  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bench.io import read_image
from bench.reports import figures as figs
from bench.reports.latex import write_latex
from bench.reports.markdown import write_csv, write_html, write_markdown
from bench.reports.tables import Results, Table, all_tables, load_results, mean_std_table, slug

log = logging.getLogger(__name__)

FORMATS = ("latex", "md", "csv", "html")
FIGURE_VERSION = "1"  # bump when figure code changes, to invalidate cached renders


def build_report(
    run_dir: str | Path,
    formats: Sequence[str] = FORMATS,
    *,
    per_pair: bool = False,
    figures: bool = True,
    figure_pairs: Sequence[str] | None = None,
    zoom: figs.Box | None = None,
    out_dir: str | Path | None = None,
    jobs: int = 1,
    preset: str | None = None,
    rank_baselines: bool = False,
) -> dict[str, list[Path]]:
    """Write the report of ``run_dir``; return ``{"tables": [...], "figures": [...], ...}``.

    ``formats``: any of latex, md, csv, html. ``per_pair``: add one table per
    pair. ``figure_pairs``: pair ids to draw (default: all). ``zoom``:
    ``(top, left, height, width)`` of the inset box instead of the automatic one.
    ``jobs``: processes drawing figures in parallel. ``preset``: a published layout
    (:mod:`bench.reports.presets`) instead of the default tables; ``figure_pairs`` then
    also picks its per-pair tables. ``rank_baselines``: mark the sanity baselines too.
    """
    unknown = set(formats) - set(FORMATS)
    if unknown:
        from bench.errors import ParameterError

        raise ParameterError(f"unknown report format(s) {sorted(unknown)} (choose from {', '.join(FORMATS)})")
    res = load_results(run_dir)
    out = Path(out_dir) if out_dir else res.run_dir / "report"
    out.mkdir(parents=True, exist_ok=True)
    if preset:
        from bench.reports.presets import preset_tables

        tables = preset_tables(res, preset, list(figure_pairs) if figure_pairs else None,
                               rank_baselines)
    else:
        tables = all_tables(res, per_pair=per_pair, rank_baselines=rank_baselines,
                            pairs=list(figure_pairs) if figure_pairs else None)
    title = f"fusebench: {res.dataset}"
    written: dict[str, list[Path]] = {"tables": [], "figures": []}

    fig_paths: list[Path] = []
    if figures and not res.scores.empty:
        fig_paths = make_figures(res, out / "figures", figure_pairs, zoom, jobs)
        written["figures"] = fig_paths
    pngs = [p for p in fig_paths if p.suffix == ".png"]
    if "latex" in formats:
        info = _run_info(res)
        written["tables"] += write_latex(tables, out / "latex", title=title, info=info)
    if "csv" in formats:
        written["tables"] += write_csv(tables, out / "tables")
    if "md" in formats:
        written["tables"].append(write_markdown(tables, out / "report.md", title, pngs))
    if "html" in formats:
        written["tables"].append(write_html(tables, out / "report.html", title, pngs))
    return written


def console_table(run_dir: str | Path) -> str:
    """The mean ± std table as plain text, for printing after a run."""
    from bench.reports.markdown import render_markdown

    return render_markdown(mean_std_table(load_results(run_dir)), plain=True)


def _run_info(res: Results) -> str:
    rec = res.record
    start = str(rec.get("start", ""))[:19].replace("T", " ")
    git = (rec.get("git") or {}).get("commit", "")[:10]
    return (f"{len(res.pairs)} pairs, {len(res.methods)} methods, convention {res.convention}; "
            f"run {start} UTC" + (f", git {git}" if git else ""))


# -- figures --------------------------------------------------------------------
def _digest(paths: Sequence[Path]) -> list[str]:
    return [hashlib.sha1(p.read_bytes()).hexdigest() for p in paths]


class _FigureCache:
    """Rendered figures keyed by a hash of their inputs, in ``<cache>/figures``."""

    def __init__(self, root: Path | None):
        self.root = root / "figures" if root else None

    def render(self, stem: Path, key_parts: Any, draw: Callable[[], Any],
               only_cached: bool = False) -> list[Path] | None:
        """Link the cached render of ``key_parts`` to ``stem.*``, else draw and cache it.

        With ``only_cached`` return None instead of drawing.
        """
        from bench.results import copy_file

        key = hashlib.sha256(json.dumps([FIGURE_VERSION, key_parts], default=str).encode()).hexdigest()
        targets = [stem.with_suffix(f".{fmt}") for fmt in figs.FORMATS]
        if self.root is not None:
            cached = [self.root / key[:2] / f"{key}.{fmt}" for fmt in figs.FORMATS]
            if all(c.is_file() for c in cached):
                for c, t in zip(cached, targets):
                    copy_file(c, t)
                return targets
        if only_cached:
            return None
        paths = figs.save(draw(), stem)
        if self.root is not None:
            try:
                for p, c in zip(paths, cached):
                    copy_file(p, c)
            except OSError as exc:  # a read-only cache is not an error
                log.debug("figure cache not written: %s", exc)
        return paths


def _pair_images(run_dir: Path, methods: list[str], pair: str):
    d = run_dir / "images" / slug(pair)
    sources = {r: d / f"{r}.png" for r in ("A", "B", "GT") if (d / f"{r}.png").is_file()}
    fused = {m: d / f"{m}.png" for m in methods if (d / f"{m}.png").is_file()}
    maps = {m: d / f"{m}.dm.png" for m in methods if (d / f"{m}.dm.png").is_file()}
    return sources, fused, maps


def _read(p: Path) -> np.ndarray:
    return read_image(p)[0]


def pair_figures(run_dir: Path, dataset: str, methods: list[str], pair: str, out: Path,
                 zoom: figs.Box | None, cache_root: Path | None, only_cached: bool = False) -> list[Path] | None:
    """Montage, decision-map and (with ground truth) error figures of one pair.

    With ``only_cached``: None unless every figure of the pair is in the figure cache.
    """
    fc = _FigureCache(cache_root)
    sources, fused, maps = _pair_images(run_dir, methods, pair)
    if not fused or "A" not in sources or "B" not in sources:
        log.warning("pair %s: images missing from %s; no figures", pair, run_dir / "images")
        return []
    src_labels = {"A": "source A", "B": "source B", "GT": "ground truth"}
    inputs = [*sources.values(), *fused.values()]
    labels = [src_labels[r] for r in sources] + list(fused)
    digests = _digest(inputs)
    title = f"{dataset} {pair}"

    def draw_montage():
        imgs = [_read(p) for p in inputs]
        box = zoom or figs.zoom_box(imgs[len(imgs) - len(fused):])
        return figs.montage(list(zip(labels, imgs)), box, title)

    plans = [(out / f"montage-{slug(pair)}", ["montage", title, labels, digests, zoom], draw_montage)]
    if maps:
        def draw_maps():
            return figs.decision_maps([(m, _read(p) / 255.0) for m, p in maps.items()],
                                      f"{title}: decision maps (weight of A)")

        plans.append((out / f"decision-{slug(pair)}",
                      ["decision", title, list(maps), _digest(list(maps.values()))], draw_maps))
    if "GT" in sources:
        def draw_errors():
            return figs.error_maps(_read(sources["GT"]), [(m, _read(p)) for m, p in fused.items()],
                                   f"{title}: |F - GT|")

        plans.append((out / f"error-{slug(pair)}", ["error", title, list(fused), digests], draw_errors))
    paths: list[Path] = []
    for stem, key, draw in plans:
        got = fc.render(stem, key, draw, only_cached=only_cached)
        if got is None:
            return None
        paths += got
    return paths


def make_figures(res: Results, out: Path, pairs: Sequence[str] | None, zoom: figs.Box | None,
                 jobs: int = 1) -> list[Path]:
    """All figures; pairs are drawn in ``jobs`` parallel processes."""
    cache_dir = res.record.get("cache_dir")
    cache_root = Path(cache_dir) if cache_dir and Path(cache_dir).is_dir() else None
    todo = list(pairs) if pairs is not None else res.pairs
    args = [(res.run_dir, res.dataset, res.methods, p, out, zoom, cache_root) for p in todo]
    # cheap pass: link what the figure cache already has; draw the rest (in parallel)
    done = [pair_figures(*a, only_cached=True) if cache_root else None for a in args]
    missing = [a for a, d in zip(args, done) if d is None]
    if jobs > 1 and len(missing) > 1:
        from joblib import Parallel, delayed

        drawn = Parallel(n_jobs=jobs)(delayed(pair_figures)(*a) for a in missing)
    else:
        drawn = [pair_figures(*a) for a in missing]
    paths = [p for group in [*done, *drawn] if group for p in group]
    mean = mean_std_table(res)
    if not mean.values.empty:
        key = ["bars", mean.caption, mean.values.to_json(), mean.std.to_json(), mean.higher_is_better]
        paths += _FigureCache(cache_root).render(
            out / "bars", key,
            lambda: figs.bar_chart(mean.values, mean.std, mean.higher_is_better, mean.caption))
    return paths


__all__ = ["FORMATS", "Table", "build_report", "console_table", "make_figures"]
