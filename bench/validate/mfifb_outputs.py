"""Target ``mfifb-outputs``: our methods against the original implementations' fused images.

MFIFB (Zhang 2020) ships the outputs of the authors' code
(``mfifb/fused/<METHOD>/<pair>_<METHOD>.<ext>``, sources in
``mfifb/sources/<pair>_{A,B}.<ext>``): for CNN, GD, GFF, MSVD (and ASR, CSR) on
all 105 pairs, for the others on the 20 Lytro pairs. The Lytro files are JPEGs
written by MATLAB's ``imwrite`` (quality 75, 4:2:0 chroma); other sets were
saved at other qualities (MFFW, Aymaz: about 95). Every pair is compared
twice: ``ours`` = our output rounded to 8 bits, ``ours_saved`` = the same
encoded as theirs was (:func:`save_like`: their file's own quantisation tables
and chroma subsampling; PNG and BMP are lossless). Figures per pair:

- ``psnr``: PSNR(ours, theirs) in dB (colour, all channels);
  ``psnr_saved``: PSNR(ours_saved, theirs) (∞ when bit-identical);
- ``qabf_ours`` (of ``ours_saved``), ``qabf_theirs``: Q^AB/F, default convention;
  ``dq`` = qabf_ours − qabf_theirs; ``dq_raw``: the same with our unsaved 8-bit
  output (their JPEG artefacts lower their Q^AB/F, so this is biased upwards).

Grey pairs stay grey: MFIFB stores some grey results as three equal channels;
those are compared as grey.

Verdict per method (issue 14, acceptance 1): PASS when the median ``psnr`` is
≥ 35 dB, or |dq| ≤ 0.03 on at least 18 of 20 pairs (90 % of the pairs run;
``dwtde``, stochastic: 16 of 20, 80 %; ``--quick`` runs 3). ``all_pairs=True``
(CLI ``--all-pairs``) adds, for the methods MFIFB has on all 105 pairs, the same
figures over those 105 (rows tagged ``set="all"``).

Methods (``METHODS``: ours -> MFIFB folder, parameters, pairs): ``gff`` (fed the sources as
MFIFB's ``run_GFF.m`` fed them, JPEG quality 75 copies: :func:`prepare`), ``msvd``,
``gd`` (default = the authors' CLAHE post-processing), ``mgff``, ``lp-sr``
(``mstsr`` is accepted, its alias; vs MST_SR), ``rp-sr``, ``nsct-sr``
(``directions="2"``, as MFIFB ran it; all three ``swap=True``: MFIFB's files are the
toolbox fusing (B, A)), ``asr``, ``csr``, ``cnn-patch``
(``weights="liu2017"``, the authors' model, vs CNN), ``ifcnn-max`` (vs IFCNN),
``sesf`` (vs SESF), ``dsift``, ``dwtde``. A method that is not registered gets a
"not registered" row and does not count towards the verdict.

Crops: ``compare_pair(..., crop=S)`` compares the central S×S window (offsets
multiples of 16, so the JPEG block grid is theirs and ``save_like`` applies).
``run`` uses :data:`DEFAULT_CROP` per method (``asr`` and ``csr`` take minutes
per whole 520×520 pair; the others run whole pairs) unless ``crop`` is given
(CLI ``--crop S``; ``--crop 0``: whole pairs for every method).

``run(data_dir, quick=True)`` does every method; one pair of one method:

    >>> row = compare_pair(mfifb_root(data_dir), "msvd", "lytro_01")
    >>> row["psnr_saved"], row["dq"]   # bit-identical once saved as MATLAB saves
    (inf, 0.0)
    >>> compare_pair(mfifb_root(data_dir), "msvd", "lytro_01", crop=64)["crop"]
    64
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bench.errors import DataError
from bench.validate import ValidationReport, register_target

#: our method -> (MFIFB folder name, parameters, pairs MFIFB has: "lytro" or "all")
METHODS: dict[str, tuple[str, dict, str]] = {
    "gff": ("GFF", {}, "all"),
    "msvd": ("MSVD", {}, "all"),
    "gd": ("GD", {}, "all"),
    "asr": ("ASR", {}, "all"),
    "csr": ("CSR", {}, "all"),
    "cnn-patch": ("CNN", {"weights": "liu2017"}, "all"),
    "mgff": ("MGFF", {}, "lytro"),
    # MFIFB's outputs are the toolbox fusing (B, A) (like VIFB's run_LP_SR.m, which reads
    # imgB first); the order only decides ties: bit-identical with swap=True (measured)
    "lp-sr": ("MST_SR", {"swap": True}, "lytro"),
    "rp-sr": ("RP_SR", {"swap": True}, "lytro"),
    # MFIFB (like VIFB's run_NSCT_SR.m) ran NSCT_SR with nlevels = [2]: one pyramid level of
    # 4 directions, not the toolbox demo's [2,3,3,4]; (B, A) like lp-sr (lytro_01: the same file)
    "nsct-sr": ("NSCT_SR", {"directions": "2", "swap": True}, "lytro"),
    "dsift": ("DSIFT", {}, "lytro"),
    "dwtde": ("DWTDE", {}, "lytro"),
    "ifcnn-max": ("IFCNN", {}, "lytro"),
    "sesf": ("SESF", {}, "lytro"),
}
#: central crop (pixels) ``run`` uses by default per method: the ones taking minutes per pair
DEFAULT_CROP: dict[str, int] = {"asr": 128, "csr": 128}
PAIRS = [f"lytro_{i:02d}" for i in range(1, 21)]
QUICK_PAIRS = ["lytro_01", "lytro_08", "lytro_16"]
PSNR_MIN = 35.0
DQ_MAX = 0.03
DQ_SHARE = 18 / 20
#: share of pairs within DQ_MAX a method needs when not DQ_SHARE (stochastic methods)
DQ_SHARES: dict[str, float] = {"dwtde": 16 / 20}


def mfifb_root(data_dir: str | Path) -> Path:
    """The ``mfifb`` dataset folder: ``data_dir/mfifb`` or ``data_dir`` itself."""
    data_dir = Path(data_dir)
    for cand in (data_dir / "mfifb", data_dir):
        if (cand / "fused").is_dir() and (cand / "sources").is_dir():
            return cand
    raise DataError(f"{data_dir}: no mfifb/fused and mfifb/sources found (give the folder holding mfifb/)")


def psnr(x: np.ndarray, y: np.ndarray) -> float:
    """PSNR in dB of two 0..255 images (inf when identical)."""
    mse = float(np.mean((np.asarray(x, float) - np.asarray(y, float)) ** 2))
    return float("inf") if mse == 0 else float(10.0 * np.log10(255.0**2 / mse))


def save_like_matlab_jpeg(img: np.ndarray, quality: int = 75) -> np.ndarray:
    """``img`` (0..255) rounded to 8 bits, JPEG-encoded as MATLAB ``imwrite`` does, decoded."""
    from bench.score_as import jpeg_round_trip

    return jpeg_round_trip(img, quality=quality)


def save_like(img: np.ndarray, theirs_path: str | Path) -> np.ndarray:
    """``img`` rounded to 8 bits and, when ``theirs_path`` is a JPEG, encoded with *its*
    quantisation tables and chroma subsampling (so the same quality), then decoded.

    MFIFB's files are not all quality 75: the Lytro results are (MATLAB's default), but
    e.g. the MFFW and Aymaz results were written at about quality 95 (luma table starting
    3, 2, 2, 3), some 4:4:4. PNG/BMP files are lossless: the rounded image comes back.
    """
    from PIL import JpegImagePlugin

    from bench.io import open_checked

    with open_checked(theirs_path) as im:
        if im.format != "JPEG":
            return np.clip(np.rint(img), 0, 255)
        qtables = {k: list(v) for k, v in im.quantization.items()}
        sampling = JpegImagePlugin.get_sampling(im)
    opts = {"qtables": qtables}
    if sampling >= 0:
        opts["subsampling"] = sampling
    from bench.score_as import jpeg_round_trip

    return jpeg_round_trip(img, **opts)


#: How the benchmark's wrapper prepared a method's sources, where it did more than read
#: them (:func:`prepare`): VIFB's and MFIFB's ``run_GFF.m`` (same author) alike.
INPUTS: dict[str, str] = {"gff": "gff-wrapper"}


def prepare(how: str | None, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The sources as the benchmark's wrapper handed them to the method.

    ``"gff-wrapper"`` (``run_GFF.m`` of VIFB and MFIFB): both written with ``imwrite``
    (JPEG quality 75) and read back by GFF's ``load_images``; GFF never sees the
    original files (MFIFB: bit-identical on the lossless Aymaz/temple results only
    this way). When A is colour and B grey (VIFB: the infrared file of 4 pairs,
    manWalking, running, walking2, walkingnight), ``load_images`` stores B with
    ``I(:,:,2) = im`` into the colour stack, i.e. into the *green channel of A*, and
    leaves the second source black: VIFB's GFF result there is the visible image with
    the infrared in its green channel, not a fusion (checked on the files: their G
    channel matches the infrared at 33–38 dB, the visible G at 7–13 dB). MFIFB's pairs
    always have equal modes.

        >>> a, b = np.full((16, 16, 3), 200.0), np.full((16, 16), 50.0)
        >>> a2, b2 = prepare("gff-wrapper", a, b)
        >>> a2[0, 0].tolist(), float(b2.max())
        ([200.0, 50.0, 200.0], 0.0)
    """
    if how is None:
        return a, b
    if how != "gff-wrapper":
        raise ValueError(f"unknown input preparation {how!r}")
    a, b = save_like_matlab_jpeg(a, quality=75), save_like_matlab_jpeg(b, quality=75)
    if a.ndim == 3 and b.ndim == 2:
        a = a.copy()
        a[..., 1] = b
        b = np.zeros_like(a)
    return a, b


def list_pairs(root: Path) -> list[str]:
    """Every pair id with an A source in ``root/sources`` (sorted)."""
    return sorted(p.name.rsplit("_", 1)[0] for p in (root / "sources").glob("*_A.*"))


def _one(folder: Path, stem: str) -> Path:
    found = sorted(folder.glob(stem + ".*"))
    if not found:
        raise DataError(f"mfifb-outputs: {folder / stem}.* is missing")
    return found[0]


def _as_grey_if_equal(x: np.ndarray) -> np.ndarray:
    """An H×W×3 image whose channels are equal, as H×W; anything else unchanged."""
    if x.ndim == 3 and np.array_equal(x[..., 0], x[..., 1]) and np.array_equal(x[..., 0], x[..., 2]):
        return x[..., 0]
    return x


def crop_window(shape: tuple[int, ...], crop: int) -> tuple[slice, slice]:
    """The central ``crop``×``crop`` window (clipped to the image), offsets multiples of 16.

    >>> crop_window((520, 520, 3), 128)
    (slice(192, 320, None), slice(192, 320, None))
    """
    h, w = shape[:2]
    ch, cw = (min(crop, h), min(crop, w)) if crop else (h, w)
    y0, x0 = (h - ch) // 2 // 16 * 16, (w - cw) // 2 // 16 * 16
    return slice(y0, y0 + ch), slice(x0, x0 + cw)


def compare_pair(root: Path, method: str, pair: str, crop: int = 0,
                 params: dict | None = None) -> dict:
    """Per-pair figures for one method (see the module docstring); ``crop`` > 0 compares
    the central crop×crop window; ``params`` replace ``METHODS[method]``'s parameters."""
    import methods
    import metrics
    from bench.io import read_image

    folder, default_params, _ = METHODS[method]
    params = default_params if params is None else params
    theirs_path = _one(root / "fused" / folder, f"{pair}_{folder}")
    a, _ = read_image(_one(root / "sources", f"{pair}_A"))
    b, _ = read_image(_one(root / "sources", f"{pair}_B"))
    theirs, _ = read_image(theirs_path)
    if a.ndim == 2:  # grey pairs stay grey
        theirs = _as_grey_if_equal(theirs)
    if crop:
        win = crop_window(a.shape, crop)
        a, b, theirs = a[win], b[win], theirs[win]
    pa, pb = prepare(INPUTS.get(method), a, b)
    ours = np.rint(methods.get_method(method).fuse(pa, pb, **params).image)
    if ours.shape != theirs.shape:
        raise DataError(f"mfifb-outputs: {theirs_path} is {theirs.shape}, our {method} gave {ours.shape}")
    saved = save_like(ours, theirs_path)
    q_ours = metrics.compute("qabf", a, b, saved)
    q_theirs = metrics.compute("qabf", a, b, theirs)
    q_raw = metrics.compute("qabf", a, b, ours)
    return {
        "method": method, "pair": pair, "crop": int(crop),
        "psnr": round(psnr(ours, theirs), 2), "psnr_saved": round(psnr(saved, theirs), 2),
        "qabf_ours": round(q_ours, 4), "qabf_theirs": round(q_theirs, 4),
        "dq": round(q_ours - q_theirs, 4), "dq_raw": round(q_raw - q_theirs, 4),
    }


def summarize(rows: list[dict], method: str, label: str = "summary", *,
              share: float | None = None) -> dict:
    """Summary row and verdict for one method's per-pair rows.

    PASS when the median PSNR is ≥ 35 dB or |dq| ≤ 0.03 on at least ``share`` of the pairs
    (default 90 %; ``DQ_SHARES``: 80 % for ``dwtde``). Also the summary of ``vifb-outputs``.
    """
    mine = [r for r in rows if r["method"] == method]
    if share is None:
        share = DQ_SHARES.get(method, DQ_SHARE)
    med = float(np.median([r["psnr"] for r in mine]))
    n_ok = sum(abs(r["dq"]) <= DQ_MAX for r in mine)
    need = int(np.ceil(share * len(mine) - 1e-9))
    ok_psnr, ok_dq = med >= PSNR_MIN, n_ok >= need
    rule = (f"median psnr {med:.2f} {'>=' if ok_psnr else '<'} {PSNR_MIN}; "
            f"|dq| <= {DQ_MAX} on {n_ok}/{len(mine)} (need {need})")
    n_same = sum(r["psnr_saved"] == float("inf") for r in mine)
    if n_same:
        rule += f"; {n_same}/{len(mine)} bit-identical saved alike"
    return {
        "method": method, "pair": label, "crop": mine[0].get("crop", 0), "psnr": round(med, 2),
        "psnr_saved": round(float(np.median([r["psnr_saved"] for r in mine])), 2),
        "qabf_ours": round(float(np.mean([r["qabf_ours"] for r in mine])), 4),
        "qabf_theirs": round(float(np.mean([r["qabf_theirs"] for r in mine])), 4),
        "dq": round(float(np.mean([r["dq"] for r in mine])), 4),
        "dq_raw": f"{sum(abs(r['dq_raw']) <= DQ_MAX for r in mine)}/{len(mine)} within {DQ_MAX}",
        "verdict": ("PASS " if ok_psnr or ok_dq else "FAIL ") + rule,
    }


def _canonical(name: str) -> str:
    """``name`` or, for an alias such as ``mstsr``, the registered method's name."""
    import methods
    from bench.errors import RegistryError

    if name in METHODS:
        return name
    try:
        return methods.get_method(name).name
    except RegistryError:  # unknown or not registered: reported by run
        return name


def _registered(name: str) -> bool:
    import methods

    return name in methods.list_methods("*")


@register_target("mfifb-outputs")
def run(data_dir: Path, *, quick: bool = False, progress: bool = True,
        methods_: tuple[str, ...] | None = None, all_pairs: bool = False,
        crop: int | None = None) -> ValidationReport:
    """Run every method (or ``methods_``) on the Lytro pairs and compare with MFIFB's files;
    with ``all_pairs`` also over every MFIFB pair for the methods that have all of them.
    ``crop``: None = :data:`DEFAULT_CROP` per method, 0 = whole pairs, S = central S×S."""
    root = mfifb_root(data_dir)
    names = [_canonical(m) for m in (methods_ or METHODS)]
    unknown = [m for m in names if m not in METHODS]
    if unknown:
        raise DataError(f"mfifb-outputs: no published outputs for {unknown} (known: {', '.join(METHODS)})")
    missing = [m for m in names if not _registered(m)]
    names = [m for m in names if m not in missing]
    crops = {m: DEFAULT_CROP.get(m, 0) if crop is None else int(crop) for m in names}
    pairs = QUICK_PAIRS if quick else PAIRS
    jobs = [(m, p, "lytro") for m in names for p in pairs]
    everything = list_pairs(root) if all_pairs else []
    jobs += [(m, p, "all") for m in names if METHODS[m][2] == "all" for p in everything]
    it = jobs
    if progress:
        from tqdm import tqdm

        it = tqdm(jobs, desc="mfifb-outputs", unit="pair")
    done: dict[tuple[str, str], dict] = {}
    rows, all_rows = [], []
    for m, p, which in it:
        if (m, p) not in done:
            done[m, p] = compare_pair(root, m, p, crop=crops[m])
        (rows if which == "lytro" else all_rows).append(done[m, p])
    summaries = [summarize(rows, m) for m in names]
    extra = [summarize(all_rows, m, f"summary-{len(everything)}")
             for m in names if METHODS[m][2] == "all" and everything]
    absent = [{"method": m, "pair": "summary", "verdict": "not registered (skipped)"}
              for m in missing]
    cropped = sorted({f"{m}: {c}x{c}" for m, c in crops.items() if c})
    report = ValidationReport(
        title=f"Our methods vs MFIFB's published outputs ({len(pairs)} Lytro pairs"
        + (f"; {len(everything)} pairs for {', '.join(m for m in names if METHODS[m][2] == 'all')})"
           if extra else ")"),
        rows=rows + summaries + [dict(r, pair=f"{r['pair']}*") for r in all_rows
                                 if not r["pair"].startswith("lytro_")] + extra + absent,
        ok=all(s["verdict"].startswith("PASS") for s in summaries + extra),
        notes=[
            "psnr: ours (8-bit) vs theirs; psnr_saved/qabf_ours: ours saved as JPEG q75 like theirs",
            "PASS: median psnr >= 35 dB or |dq| <= 0.03 on >= 90 % of the pairs (dwtde: 80 %)",
            "gd runs with its default enhance=True (the authors' CLAHE post-processing); "
            "cnn-patch with weights=liu2017 (the authors' model); nsct-sr with directions=2; "
            "lp-sr, rp-sr, nsct-sr with swap=true (B fused first, as MFIFB's outputs were)",
        ] + (["rows marked * are the non-Lytro pairs of --all-pairs; summary-N rows cover all N pairs"]
             if extra else [])
        + ([f"central crops (crop column; --crop 0 for whole pairs): {', '.join(cropped)}"]
           if cropped else [])
        + ([f"not registered, skipped: {', '.join(missing)}"] if missing else []),
    )
    return report
