"""Target ``vifb-outputs``: our methods against VIFB's fused images of its classic methods.

VIFB (Zhang et al. 2020) ships the fused results of its 20 classic methods on its 21
visible/infrared pairs (``vifb/fused/<pair>_<METHOD>.jpg``, JPEGs written by MATLAB's
``imwrite``, quality 75, 4:2:0). Every registered method of :data:`ROWS` is run on
every pair (:func:`bench.datasets.load_dataset` ``"vifb"``: A = visible, RGB; B =
infrared, grey or three equal channels) and compared with VIFB's file as in
:mod:`bench.validate.mfifb_outputs` (whose helpers it imports): ``psnr`` = PSNR of our
output rounded to 8 bits vs theirs; ``psnr_saved`` = the same once ours is encoded as
their file was (:func:`~bench.validate.mfifb_outputs.save_like`: their quantisation
tables and chroma subsampling); ``qabf_ours`` (of the saved output) and ``qabf_theirs``:
Q^AB/F with the ``vifb`` convention (the one that reproduces VIFB's published table,
target ``vifb``); ``dq`` = qabf_ours − qabf_theirs; ``dq_raw`` the same with our unsaved
output.

Colour. VIFB's wrappers (``methods/<NAME>/run_<NAME>.m``) fuse each visible channel
with the infrared image for ADF, CBF, FPDE, TIF, LP_SR, RP_SR, NSCT_SR and MSVD (the
methods here declare ``colour="per-channel"`` and do the same; MGFF's
``guidedfilter_color`` is per-channel too); GFF fuses the colour image natively after
re-saving both sources as JPEG (quality 75) and reading them back, which :func:`prepare`
reproduces (with the wrapper's mishandling of grey infrared files). ``nsct-sr`` runs
with ``directions="2"`` (run_NSCT_SR.m's ``[2]``); ``lp-sr``, ``rp-sr`` and ``nsct-sr`` with
``swap=True`` (their wrappers pass the infrared first, and the toolbox breaks ties by
argument order). Rows of methods not registered (yet) are listed with the verdict ``not
registered``; they do not fail the target.

Verdict per method: PASS when the median ``psnr`` is ≥ 35 dB or |dq| ≤ 0.03 on at least
18 of the 21 pairs (the same share of the pairs run with ``--quick``, which runs
:data:`QUICK_PAIRS`).

    >>> row = compare_pair(data_dir, "tif", "manWalking")
    >>> row["psnr_saved"], row["dq"]   # bit-identical once saved as MATLAB saves
    (inf, 0.0)

Reusing a run's images (``run_``; CLI ``--run RUN``): a ``bench run --dataset vifb`` directory
already holds every method's fused image (8-bit PNG, the rounded output this target
computes). A method of the run whose version and parameters are this target's (e.g.
``nsct-sr`` run with ``--param nsct-sr:directions=2 --param nsct-sr:swap=true``) and whose
sources VIFB's wrapper used as they are (not ``gff``) is compared from those files, on
the pairs the run has, instead of being fused again; the other methods are fused as usual.

``python -m bench validate --against vifb-outputs --data-dir DIR [--methods adf,tif] [--quick]
[--run RUN]``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bench.errors import DataError
from bench.validate import ValidationReport, register_target
from bench.validate.mfifb_outputs import INPUTS, prepare, psnr, save_like

#: our method -> (VIFB's name, parameter overrides): every VIFB classic method.
ROWS: dict[str, tuple[str, dict]] = {
    "adf": ("ADF", {}),
    "cbf": ("CBF", {}),
    "cnn-irvis": ("CNN", {}),
    "fpde": ("FPDE", {}),
    "gfce": ("GFCE", {}),
    "gtf": ("GTF", {}),
    "hmsd-gf": ("HMSD_GF", {}),
    "hybrid-msd": ("Hybrid_MSD", {}),
    "ifevip": ("IFEVIP", {}),
    "latlrr": ("LatLRR", {}),
    "tif": ("TIF", {}),
    "vsmwls": ("VSMWLS", {}),
    # run_LP_SR.m, run_RP_SR.m, run_NSCT_SR.m pass the infrared first: swap (ties go by order)
    "lp-sr": ("LP_SR", {"swap": True}),
    # run_NSCT_SR.m: nsct_sr_fuse(IR, VI, [2], ...)
    "nsct-sr": ("NSCT_SR", {"directions": "2", "swap": True}),
    "rp-sr": ("RP_SR", {"swap": True}),
    "msvd": ("MSVD", {}),
    "gff": ("GFF", {}),
    "mgff": ("MGFF", {}),
}
QUICK_PAIRS = ["manWalking", "walking"]
PSNR_MIN = 35.0
DQ_MAX = 0.03
DQ_SHARE = 18 / 21
NOT_REGISTERED = "not registered"


def _dataset(data_dir: str | Path):
    """(the ``vifb`` dataset, its folder) from the folder holding ``vifb/`` (or ``vifb/`` itself)."""
    from bench.datasets import load_dataset

    data_dir = Path(data_dir)
    if not (data_dir / "vifb").is_dir() and (data_dir / "fused").is_dir():
        data_dir = data_dir.parent  # given vifb/ itself
    ds = load_dataset("vifb", data_dir=str(data_dir))
    root = data_dir / "vifb"
    if not (root / "fused").is_dir():
        raise DataError(f"vifb-outputs: {root / 'fused'} not found (VIFB's fused images)")
    return ds, root


def compare_pair(data_dir: str | Path, method: str, pair: str, *, dataset=None,
                 fused: np.ndarray | None = None) -> dict:
    """Per-pair figures of one method (see the module docstring); ``fused``: our 8-bit
    output when it is already at hand (a run's image), else the method runs."""
    import methods
    import metrics
    from bench.io import read_image

    ds, root = dataset if dataset is not None else _dataset(data_dir)
    vname, params = ROWS[method]
    p = ds[pair]
    rel = p.meta.get("published_fused", {}).get(vname)
    theirs_path = root / (rel or f"fused/{pair}_{vname}.jpg")
    if not theirs_path.is_file():
        raise DataError(f"vifb-outputs: {theirs_path} is missing")
    a, b = p.a, p.b
    if fused is None:
        pa, pb = prepare(INPUTS.get(method), a, b)
        fused = methods.get_method(method).fuse(pa, pb, **params).image
    ours = np.rint(fused)
    theirs, _ = read_image(theirs_path)
    if ours.shape != theirs.shape:
        raise DataError(f"vifb-outputs: {theirs_path} is {theirs.shape}, our {method} gave {ours.shape}")
    saved = save_like(ours, theirs_path)
    q = {k: metrics.compute("qabf", a, b, f, convention="vifb")
         for k, f in (("ours", saved), ("theirs", theirs), ("raw", ours))}
    return {
        "method": method, "pair": pair,
        "psnr": round(float(psnr(ours, theirs)), 2),
        "psnr_saved": round(float(psnr(saved, theirs)), 2),
        "qabf_ours": round(q["ours"], 4), "qabf_theirs": round(q["theirs"], 4),
        "dq": round(q["ours"] - q["theirs"], 4), "dq_raw": round(q["raw"] - q["theirs"], 4),
    }


def summarize(rows: list[dict], method: str) -> dict:
    """Summary row and verdict of one method's per-pair rows.

    PASS when the median PSNR is ≥ 35 dB or |dq| ≤ 0.03 on ≥ 18/21 of the pairs.

        >>> rows = [{"method": "m", "pair": str(i), "psnr": 30.0, "psnr_saved": 31.0,
        ...          "qabf_ours": 0.5, "qabf_theirs": 0.5, "dq": 0.0 if i < 18 else 0.1,
        ...          "dq_raw": 0.0} for i in range(21)]
        >>> summarize(rows, "m")["verdict"]
        'PASS median psnr 30.00 < 35.0; |dq| <= 0.03 on 18/21 (need 18)'
    """
    from bench.validate.mfifb_outputs import summarize as summarize_rows

    row = summarize_rows(rows, method, share=DQ_SHARE)
    row.pop("crop")
    return row


def run_images(run_dir: str | Path, method: str) -> dict[str, Path]:
    """``{pair: fused image}`` of ``method`` in a run directory when the run's images are
    what this target would compute (same version and parameters, sources as they are);
    empty otherwise. Pairs whose fused images the run did not keep (``--keep-images``) are
    read from the cache when it still holds the recorded file (:func:`bench.results.run_image`).

        >>> run_images(data_dir, "tif")   # not a run directory: nothing to reuse
        {}
    """
    import json

    from bench.results import image_manifest, run_image
    from methods.base import get_method

    run_dir = Path(run_dir)
    try:
        record = json.loads((run_dir / "run.json").read_text())
    except (OSError, ValueError):
        return {}
    info = record.get("methods", {}).get(method)
    if (info is None or method in INPUTS or record.get("dataset", {}).get("name") != "vifb"
            or str(info.get("version")) != str(get_method(method).version)):
        return {}
    got = info.get("params", {})
    if any(str(got.get(k)) != str(v) for k, v in ROWS[method][1].items()):
        return {}
    out = {}
    manifest = image_manifest(run_dir)  # pairs whose images the run did not keep: the cache file
    for pair in record["dataset"].get("pairs", []):
        path = run_image(run_dir, pair, f"{method}.png", manifest)
        if path is not None:
            out[pair] = path
    return out


@register_target("vifb-outputs")
def run(data_dir: Path, *, quick: bool = False, progress: bool = True,
        methods_: tuple[str, ...] | None = None, run_: str | Path | None = None) -> ValidationReport:
    """Run every registered method of :data:`ROWS` (or ``methods_``) on VIFB's pairs and
    compare with VIFB's fused images; unregistered rows are reported, not failed.
    ``run_``: a run directory whose images are reused (see the module docstring)."""
    from bench.errors import FusebenchError
    from methods.base import get_method

    names = list(methods_ or ROWS)
    unknown = [m for m in names if m not in ROWS]
    if unknown:
        raise DataError(f"vifb-outputs: no VIFB outputs for {unknown} (known: {', '.join(ROWS)})")
    registered = []
    for m in names:
        try:
            get_method(m)
        except FusebenchError:
            continue
        registered.append(m)
    ds, root = _dataset(data_dir)
    pairs = QUICK_PAIRS if quick else ds.ids()
    reused = {m: run_images(run_, m) for m in registered} if run_ else {}
    reused = {m: {p: f for p, f in found.items() if p in pairs} for m, found in reused.items()}
    reused = {m: found for m, found in reused.items() if found}
    jobs = [(m, p) for m in registered for p in (list(reused[m]) if m in reused else pairs)]
    it = jobs
    if progress:
        from tqdm import tqdm

        it = tqdm(jobs, desc="vifb-outputs", unit="pair")
    from bench.io import read_image

    rows = [compare_pair(data_dir, m, p, dataset=(ds, root),
                         fused=read_image(reused[m][p])[0] if m in reused else None)
            for m, p in it]
    summaries = []
    for m in names:
        if m in registered:
            summaries.append(summarize(rows, m))
        else:
            summaries.append({"method": m, "pair": "summary", "verdict": NOT_REGISTERED})
    return ValidationReport(
        title=f"Our methods vs VIFB's fused images ({len(pairs)} pairs; "
        f"{len(registered)} of {len(names)} methods registered)",
        rows=rows + summaries,
        ok=all(s["verdict"].startswith("PASS") for s in summaries
               if s["verdict"] != NOT_REGISTERED),
        notes=[
            "psnr: ours (8-bit) vs theirs; psnr_saved/qabf_ours: ours saved as JPEG like theirs",
            "qabf: convention vifb; dq = qabf_ours - qabf_theirs",
            "PASS: median psnr >= 35 dB or |dq| <= 0.03 on >= 18/21 of the pairs",
            "gff: sources re-saved as JPEG q75 first, as VIFB's run_GFF.m does; where the "
            "infrared file is grey its load_images puts it in the visible image's green "
            "channel (see prepare)",
            "lp-sr, rp-sr, nsct-sr: swap=true (VIFB's wrappers pass the infrared first; ties "
            "go by argument order); nsct-sr: directions=2",
        ] + [f"{m}: the images of run {run_} ({len(found)} of {len(pairs)} pairs)"
             for m, found in reused.items()],
    )
