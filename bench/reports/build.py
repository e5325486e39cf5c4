"""``build_report(run_dir)``: every table and figure of a run, from its stored results.

Writes under ``RUN_DIR/report/`` (or ``out_dir``)::

    latex/all_tables.tex, latex/table-<name>.tex   (booktabs; pdflatex all_tables.tex)
    tables/table-<name>.csv                        (plain numbers)
    report.md, report.html                         (all tables, figures linked)
    figures/montage-<pair>[-p<k>].png              (sources + fused, zoom inset beside)
    figures/decision-<pair>[-p<k>].png             (methods with a real decision map)
    figures/error-<pair>[-p<k>].png                (pairs with ground truth)
    figures/bars.png                               (mean metric values per method)

(``.pdf`` copies as well with ``figure_formats=("png", "pdf")``; ``-p<k>``: page k
of a figure with more than nine panels.)

Nothing is recomputed: tables come from ``scores.csv``/``timings.csv`` and
figures from ``images/`` (images a run did not keep, ``--keep-images``, from the
cache files listed in ``images.csv`` while their sha256 still matches). Rendered figures are kept in the run's cache
directory under a hash of their inputs, so regenerating an unchanged figure
is a file copy::

    paths = build_report("runs/lytro-demo", formats=("latex", "md"), per_pair=True)

    >>> sorted(FORMATS)
    ['csv', 'html', 'latex', 'md']
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
from bench.reports.html import viewer_data, write_html
from bench.reports.latex import write_latex
from bench.reports.markdown import write_csv, write_markdown
from bench.reports.tables import (
    Results,
    Table,
    all_tables,
    display_name,
    load_results,
    mean_std_table,
    slug,
)

log = logging.getLogger(__name__)

FORMATS = ("latex", "md", "csv", "html")
# cached renders are keyed by the drawing code itself, so editing it invalidates them
FIGURE_VERSION = hashlib.sha256(Path(figs.__file__).read_bytes()).hexdigest()[:16]


def build_report(
    run_dir: str | Path,
    formats: Sequence[str] = FORMATS,
    *,
    per_pair: bool = False,
    figures: bool = True,
    figure_pairs: Sequence[str] | None = None,
    zoom: figs.Box | dict[str, figs.Box] | None = None,
    out_dir: str | Path | None = None,
    jobs: int = 1,
    preset: str | None = None,
    rank_baselines: bool = False,
    figure_formats: Sequence[str] = figs.FORMATS,
) -> dict[str, list[Path]]:
    """Write the report of ``run_dir``; return ``{"tables": [...], "figures": [...], ...}``.

    ``formats``: any of latex, md, csv, html. ``per_pair``: add one table per
    pair. ``figure_pairs``: pair ids to draw (default: the pairs whose images the run kept,
    ``run.json`` ``kept_pairs`` (``bench run --keep-images``), all pairs for runs that do
    not record it; montages of 35 methods are ~6 MB per pair). ``zoom``: one box for every
    pair or ``{pair: box}`` (pairs not listed get the automatic box), each
    ``(top, left, height, width)`` of the inset box instead of the automatic one.
    ``jobs``: processes drawing figures in parallel. ``preset``: a published layout
    (:mod:`bench.reports.presets`) instead of the default tables; ``figure_pairs`` then
    also picks its per-pair tables. ``rank_baselines``: mark the sanity baselines too.
    ``figure_formats``: ``("png",)`` by default; add ``"pdf"`` for vector copies.
    """
    bad = set(figure_formats) - set(figs.ALL_FORMATS)
    if bad or not figure_formats:
        from bench.errors import ParameterError

        raise ParameterError(f"--figure-format {','.join(figure_formats)}: choose from "
                             f"{', '.join(figs.ALL_FORMATS)}")
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
        fig_paths = make_figures(res, out / "figures", figure_pairs, zoom, jobs, figure_formats)
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
        page = out / "report.html"
        shown = list(figure_pairs) if figure_pairs else res.pairs
        view = viewer_data(res.run_dir, page, shown, res.methods, tables[0].labels if tables else {})
        note = ""
        if len(view) < len(shown):
            note = (f"Viewer and per-pair figures: the {len(view)} of {len(shown)} pairs whose "
                    "full images this run kept (--keep-images); the tables cover every pair. "
                    f"To keep them all: python -m bench run --resume --out {res.run_dir} "
                    "--keep-images all ... (copies them from the cache, recomputes nothing), or "
                    "draw any pair's figures with python -m bench report RUN --pairs ID,...")
        written["tables"].append(write_html(tables, page, title, pngs, view, note))
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


def _page_stem(stem: Path, k: int) -> Path:
    return stem if k == 1 else stem.with_name(f"{stem.name}-p{k}")


class _FigureCache:
    """Rendered figures keyed by a hash of their inputs, in ``<cache>/figures``.

    A draw returns a list of figures (pages); page k > 1 is saved as ``<stem>-p<k>``.
    """

    def __init__(self, root: Path | None, formats: Sequence[str] = figs.FORMATS):
        self.root = root / "figures" if root else None
        self.formats = tuple(formats)

    def render(self, stem: Path, key_parts: Any, draw: Callable[[], list],
               only_cached: bool = False) -> list[Path] | None:
        """Copy the cached render of ``key_parts`` to ``stem*.*``, else draw and cache it.

        With ``only_cached`` return None instead of drawing.
        """
        from bench.results import atomic_write_text, copy_file

        key = hashlib.sha256(json.dumps([FIGURE_VERSION, key_parts], default=str).encode()).hexdigest()
        base = self.root / key[:2] / key if self.root is not None else None
        if base is not None and base.with_suffix(".n").is_file():
            n = int(base.with_suffix(".n").read_text())
            cached = [(base.with_name(f"{key}-{k}.{fmt}"), _page_stem(stem, k).with_suffix(f".{fmt}"))
                      for k in range(1, n + 1) for fmt in self.formats]
            if all(c.is_file() for c, _ in cached):
                for c, t in cached:
                    copy_file(c, t)
                return [t for _, t in cached]
        if only_cached:
            return None
        paths = []
        drawn = draw()
        for k, fig in enumerate(drawn, start=1):
            got = figs.save(fig, _page_stem(stem, k), self.formats)
            paths += got
            if base is not None:
                try:
                    for p in got:
                        copy_file(p, base.with_name(f"{key}-{k}{p.suffix}"))
                except OSError as exc:  # a read-only cache is not an error
                    log.debug("figure cache not written: %s", exc)
        if base is not None:
            try:
                atomic_write_text(base.with_suffix(".n"), str(len(drawn)))
            except OSError as exc:
                log.debug("figure cache not written: %s", exc)
        return paths


def _pair_images(run_dir: Path, methods: list[str], pair: str):
    """The pair's sources, fused images and maps: the run's copies, else (pairs whose images
    ``--keep-images`` did not keep) the cache files that still match images.csv."""
    from bench.results import image_manifest, run_image

    manifest = image_manifest(run_dir)

    def found(names: dict[str, str]) -> dict[str, Path]:
        got = {k: run_image(run_dir, pair, f, manifest) for k, f in names.items()}
        return {k: p for k, p in got.items() if p is not None}

    sources = found({r: f"{r}.png" for r in ("A", "B", "GT", "mask")})
    fused = found({m: f"{m}.png" for m in methods})
    maps = found({m: f"{m}.dm.png" for m in methods})
    return sources, fused, maps


def _read(p: Path) -> np.ndarray:
    return read_image(p)[0]


def pair_figures(run_dir: Path, dataset: str, methods: list[str], pair: str, out: Path,
                 zoom: figs.Box | None, cache_root: Path | None, only_cached: bool = False,
                 formats: Sequence[str] = figs.FORMATS) -> list[Path] | None:
    """Montage pages, decision-map pages and (with ground truth) error-map pages of one pair.

    With ``only_cached``: None unless every figure of the pair is in the figure cache.
    """
    fc = _FigureCache(cache_root, formats)
    sources, fused, maps = _pair_images(run_dir, methods, pair)
    if not fused or "A" not in sources or "B" not in sources:
        log.warning("pair %s: images missing from %s; no figures", pair, run_dir / "images")
        return []
    src_labels = {"A": "source A", "B": "source B", "GT": "ground truth"}
    src = {r: p for r, p in sources.items() if r in src_labels}
    labels = [display_name(m) for m in fused]
    digests = _digest([*src.values(), *fused.values()])
    title = f"{dataset} {pair}"

    def draw_montage():
        fused_imgs = [_read(p) for p in fused.values()]
        box = zoom or figs.zoom_box(fused_imgs)
        return figs.montage_pages([(src_labels[r], _read(p)) for r, p in src.items()],
                                  list(zip(labels, fused_imgs)), box, title)

    plans = [(out / f"montage-{slug(pair)}", ["montage", title, labels, digests, zoom], draw_montage)]
    if maps:
        mask = sources.get("mask")

        def draw_maps():
            return figs.decision_map_pages(
                [(display_name(m), _read(p) / 255.0) for m, p in maps.items()],
                _read(mask) / 255.0 if mask is not None else None,
                f"{title}: decision maps (weight of A)")

        key = ["decision", title, list(maps), _digest([*maps.values(), *([mask] if mask else [])])]
        plans.append((out / f"decision-{slug(pair)}", key, draw_maps))
    if "GT" in sources:
        def draw_errors():
            return figs.error_map_pages(_read(sources["GT"]), list(zip(labels, map(_read, fused.values()))),
                                        f"{title}: |F - GT|")

        plans.append((out / f"error-{slug(pair)}", ["error", title, labels, digests], draw_errors))
    paths: list[Path] = []
    for stem, key, draw in plans:
        got = fc.render(stem, key, draw, only_cached=only_cached)
        if got is None:
            return None
        paths += got
    return paths


def default_figure_pairs(res: Results) -> list[str]:
    """The pairs drawn when none are named: those whose images the run kept (every pair of
    a run made before ``--keep-images``)."""
    kept = res.record.get("kept_pairs")
    return res.pairs if kept is None else [p for p in res.pairs if p in set(kept)]


def make_figures(res: Results, out: Path, pairs: Sequence[str] | None,
                 zoom: figs.Box | dict[str, figs.Box] | None,
                 jobs: int = 1, formats: Sequence[str] = figs.FORMATS) -> list[Path]:
    """All figures; pairs are drawn in ``jobs`` parallel processes."""
    cache_dir = res.record.get("cache_dir")
    cache_root = Path(cache_dir) if cache_dir and Path(cache_dir).is_dir() else None
    todo = list(pairs) if pairs is not None else default_figure_pairs(res)
    boxes = zoom if isinstance(zoom, dict) else dict.fromkeys(todo, zoom)
    args = [(res.run_dir, res.dataset, res.methods, p, out, boxes.get(p), cache_root) for p in todo]
    # cheap pass: copy what the figure cache already has; draw the rest (in parallel)
    done = [pair_figures(*a, only_cached=True, formats=formats) if cache_root else None for a in args]
    missing = [a for a, d in zip(args, done) if d is None]
    if jobs > 1 and len(missing) > 1:
        from joblib import Parallel, delayed

        drawn = Parallel(n_jobs=min(jobs, len(missing)))(
            delayed(pair_figures)(*a, formats=formats) for a in missing)
    else:
        drawn = [pair_figures(*a, formats=formats) for a in missing]
    paths = [p for group in [*done, *drawn] if group for p in group]
    mean = mean_std_table(res)
    if not mean.values.empty:
        per_pair = res.scores.pivot_table(index=["method", "pair"], columns="metric", values="value")
        g = per_pair.groupby(level="method")
        lows = g.min().reindex(index=mean.rows, columns=mean.columns)
        highs = g.max().reindex(index=mean.rows, columns=mean.columns)
        key = ["bars", mean.caption, mean.values.to_json(), lows.to_json(), highs.to_json(),
               mean.higher_is_better, mean.symbols]
        colours = figs.method_colours(res.methods)
        paths += _FigureCache(cache_root, formats).render(
            out / "bars", key,
            lambda: [figs.bar_chart(mean.values, lows, highs, mean.higher_is_better,
                                    f"{res.dataset}: mean over pairs ({res.convention} metric "
                                    "convention)", colours, mean.labels, mean.symbols,
                                    len(res.pairs), mean.baselines)])
    return paths


__all__ = ["FORMATS", "Table", "build_report", "console_table", "make_figures"]
