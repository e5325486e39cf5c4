"""Training ``fmm`` (feature mutual mapping, Rao et al.) end to end on infrared/visible pairs.

``python -m bench train fmm [--config cpu|paper] [--fusion mapping|add|concat]
[--loss ssim-var|ssim-mean] [--epochs E] [--device auto|cpu|cuda] [--out PATH] [--restart]``

1. Data: ``roadscene:train`` only (200 pairs; never ``vifb`` or ``roadscene:test`` for
   training, checked by ``check_not_evaluation_data``), grey: the visible image's BT.601
   luma (X branch) and the infrared image (Y branch), 0..1. Each epoch draws
   ``crops_per_pair`` random ``crop``×``crop`` crops from every pair (same place in
   both sources, random horizontal flip), shuffled, from a generator seeded by
   (seed, epoch): deterministic on CPU and identical after a resume.
2. Loss: the paper's single SSIM loss with the per-window variance-selected target
   (Eq. 4–5, ``--loss ssim-var``) or the mean-selected one of VIF-Net (``ssim-mean``,
   the loss ablation); Adam, constant learning rate (paper: 1e-4).
3. After every ``val_every`` epochs: mean Q^AB/F of the fused luma on the first
   ``val_pairs`` pairs of ``roadscene:test`` (model selection: the best epoch is kept;
   ``vifb`` is never looked at), and a resumable state file ``<out>.state.pt``
   (weights, optimiser, history, best weights). Re-running the command resumes.
4. At the end: the checkpoint (float16 with ``compact``), validated again with the
   weights as saved on all 21 ``roadscene:test`` pairs (Q^AB/F and the SSIM loss),
   and a model card ``<stem>.json`` / ``<stem>.md`` beside it.

Configurations (``--config``; explicit options override them):

======  ============  ====  =====  ===============  ======  ====  =========================
config  channels      crop  batch  crops/pair/epoch  epochs  lr    meant for
======  ============  ====  =====  ===============  ======  ====  =========================
cpu     8, 16, 32     64    8      8                 6       1e-3  the shipped checkpoint
paper   32, 64, 128   256   8      200               4       1e-4  ``--device cuda``
======  ============  ====  =====  ===============  ======  ====  =========================

(the paper: 40 000 KAIST pairs of 256×256, 4 epochs, Adam 1e-4; it gives no widths).

    >>> cfg = config_for("paper", device="cuda")
    >>> cfg.crop, cfg.epochs, cfg.lr, cfg.channels
    (256, 4, 0.0001, (32, 64, 128))
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bench.errors import FusebenchError
from bench.training import add_output_options, register_trainer
from bench.training.ablation import CheckpointAblation
from bench.training.checkpoint import load_training_state, save_training_state
from bench.training.cnn_patch import run_record

PAPER = ("D. Rao, X.-J. Wu, T. Xu, G. Chen, Unsupervised Image Fusion Method based on "
         "Feature Mutual Mapping")
STATE_SUFFIX = ".state.pt"
TRAIN_SET, VAL_SET = "roadscene:train", "roadscene:test"

PRESETS: dict[str, dict[str, Any]] = {
    "cpu": {"crop": 64, "batch_size": 8, "crops_per_pair": 8, "epochs": 6, "lr": 1e-3},
    "paper": {"crop": 256, "batch_size": 8, "crops_per_pair": 200, "epochs": 4, "lr": 1e-4},
}


@dataclass
class FMMTrainConfig:
    """Every setting that shapes the trained weights (recorded in the model card)."""

    config: str = "cpu"
    fusion: str = "mapping"
    loss: str = "ssim-var"
    data_dir: str | None = None
    crop: int = 64
    batch_size: int = 8
    crops_per_pair: int = 8
    epochs: int = 6
    lr: float = 1e-3
    seed: int = 0
    max_pairs: int | None = None  # first N training pairs only (toy runs)
    val_pairs: int = 4  # roadscene:test pairs for per-epoch model selection
    val_every: int = 1
    select_best: bool = True  # keep the epoch with the best validation Q^AB/F
    final_val_pairs: int | None = None  # pairs of roadscene:test for the card (None: all 21)
    device: str = "auto"
    threads: int = 2
    out: str = "runs/fmm/fmm.pt"
    compact: bool = True
    progress: bool = True
    restart: bool = False

    @property
    def channels(self) -> tuple[int, int, int]:
        from methods.fmm.model import CHANNELS

        return CHANNELS[self.config]

    def fingerprint(self) -> dict[str, Any]:
        """Settings that must match for a resume (epochs may grow)."""
        keep = ("config", "fusion", "loss", "crop", "batch_size", "crops_per_pair", "lr", "seed",
                "max_pairs", "val_pairs", "val_every", "select_best")
        return {k: getattr(self, k) for k in keep}


@dataclass
class TrainResult:
    checkpoint: Path
    card_json: Path
    card_md: Path
    history: list[dict[str, Any]] = field(default_factory=list)
    val_qabf: float = float("nan")


def config_for(name: str = "cpu", **overrides: Any) -> FMMTrainConfig:
    """The ``cpu`` or ``paper`` configuration with ``overrides`` (None values ignored)."""
    if name not in PRESETS:
        raise FusebenchError(f"fmm training: unknown configuration {name!r} ({', '.join(PRESETS)})")
    values = {**PRESETS[name], **{k: v for k, v in overrides.items() if v is not None}}
    return FMMTrainConfig(config=name, **values)


def grey_pair(pair) -> tuple[np.ndarray, np.ndarray]:
    """(visible luma, infrared grey) of a pair, float32 in 0..1."""
    from bench.color import luma

    return (luma(pair.a).astype(np.float32) / 255.0, luma(pair.b).astype(np.float32) / 255.0)


def training_pairs(cfg: FMMTrainConfig) -> list[tuple[np.ndarray, np.ndarray]]:
    """The grey ``roadscene:train`` pairs; refuses any file of an evaluation set."""
    from bench.datasets import load_dataset
    from bench.datasets.natural import check_not_evaluation_data

    ds = load_dataset(TRAIN_SET, data_dir=cfg.data_dir)
    pairs = ds.pairs[: cfg.max_pairs] if cfg.max_pairs else ds.pairs
    root = Path(ds.location)
    check_not_evaluation_data([root / f for p in pairs for f in p.meta.get("files", [])[:2]])
    return [grey_pair(p) for p in pairs]


def epoch_crops(images, cfg: FMMTrainConfig, epoch: int) -> tuple[np.ndarray, np.ndarray]:
    """(X, Y) crops of one epoch, (N, 1, crop, crop) float32, in training order."""
    rng = np.random.default_rng([cfg.seed, epoch])
    idx = np.repeat(np.arange(len(images)), cfg.crops_per_pair)
    rng.shuffle(idx)
    c = cfg.crop
    xs = np.empty((len(idx), 1, c, c), np.float32)
    ys = np.empty_like(xs)
    for n, i in enumerate(idx):
        a, b = images[i]
        if a.shape[0] < c or a.shape[1] < c:  # small image: mirror up to one crop
            pad = ((0, max(0, c - a.shape[0])), (0, max(0, c - a.shape[1])))
            a, b = np.pad(a, pad, mode="symmetric"), np.pad(b, pad, mode="symmetric")
        r = int(rng.integers(0, a.shape[0] - c + 1))
        q = int(rng.integers(0, a.shape[1] - c + 1))
        flip = bool(rng.integers(0, 2))
        ca, cb = a[r:r + c, q:q + c], b[r:r + c, q:q + c]
        xs[n, 0], ys[n, 0] = (ca[:, ::-1], cb[:, ::-1]) if flip else (ca, cb)
    return xs, ys


def validate(model, pairs, device) -> dict[str, float]:
    """Mean Q^AB/F (grey: visible luma, infrared) and SSIM loss of ``model`` on ``pairs``."""
    import torch

    import metrics
    from methods.fmm.model import selected_ssim_loss
    from methods.fmm.plugin import fuse_grey

    model.eval()
    q, losses = [], []
    for a, b in pairs:
        fused = fuse_grey(a * 255.0, b * 255.0, model)
        q.append(float(metrics.compute("qabf", a * 255.0, b * 255.0, fused)))
        with torch.inference_mode():
            t = [torch.from_numpy(np.ascontiguousarray(v, np.float32))[None, None].to(device)
                 for v in (a, b, fused / 255.0)]
            losses.append(float(selected_ssim_loss(*t, "ssim-var")))
    return {"qabf": float(np.mean(q)), "ssim_var_loss": float(np.mean(losses))}


def _state_path(out: Path) -> Path:
    return out.with_name(out.name + STATE_SUFFIX)


def train(cfg: FMMTrainConfig) -> TrainResult:
    """Train (or resume) ``cfg``; checkpoint + model card (``<stem>.json`` / ``.md``) at ``cfg.out``."""
    import torch

    from bench.datasets import load_dataset
    from methods.devices import torch_device
    from methods.fmm.model import FMMNet, selected_ssim_loss
    from methods.fmm.weights import load_model, save_checkpoint

    torch.set_num_threads(max(1, cfg.threads))
    device = torch_device(cfg.device, "fmm training")
    out = Path(cfg.out)
    state_file = _state_path(out)
    t0 = time.time()
    images = training_pairs(cfg)
    val_ds = load_dataset(VAL_SET, data_dir=cfg.data_dir)
    n_final = cfg.final_val_pairs
    val_all = [grey_pair(p) for p in (val_ds.pairs if n_final is None else val_ds.pairs[:n_final])]
    val_sel = val_all[: cfg.val_pairs]
    data_seconds = time.time() - t0

    model = FMMNet(cfg.channels, cfg.fusion)
    model.reset_parameters(torch.Generator().manual_seed(cfg.seed))
    model.to(device)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    history: list[dict[str, Any]] = []
    best: dict[str, Any] = {}
    start_epoch, train_seconds = 0, 0.0
    if state_file.is_file() and not cfg.restart:
        st = load_training_state(state_file)
        if st.get("fingerprint") != cfg.fingerprint():
            raise FusebenchError(f"{state_file}: saved state was trained with different settings "
                                 f"({st.get('fingerprint')}); pass --restart or another --out")
        model.load_state_dict(st["model"])
        opt.load_state_dict(st["optimizer"])
        history, best = st["history"], st["best"]
        start_epoch, train_seconds = st["epoch"] + 1, st["train_seconds"]
        if cfg.progress:
            print(f"resuming from {state_file} after epoch {start_epoch}")
    if not history:  # epoch 0: the untrained network
        v = validate(model, val_sel, device) if val_sel else {}
        history.append({"epoch": 0, "train_loss": None, **{f"val_{k}": x for k, x in v.items()},
                        "seconds": 0.0})
    for epoch in range(start_epoch, cfg.epochs):
        t_ep = time.time()
        model.train()
        xs, ys = epoch_crops(images, cfg, epoch)
        batches = range(0, len(xs), cfg.batch_size)
        if cfg.progress:
            from tqdm import tqdm

            batches = tqdm(batches, desc=f"epoch {epoch + 1}/{cfg.epochs}", unit="batch")
        run_loss, seen = 0.0, 0
        for i in batches:
            x = torch.from_numpy(xs[i:i + cfg.batch_size]).to(device)
            y = torch.from_numpy(ys[i:i + cfg.batch_size]).to(device)
            loss = selected_ssim_loss(x, y, model(x, y), cfg.loss)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            run_loss += loss.item() * len(x)
            seen += len(x)
            if cfg.progress:
                batches.set_postfix(loss=f"{run_loss / seen:.4f}")
        rec: dict[str, Any] = {"epoch": epoch + 1, "train_loss": run_loss / max(seen, 1)}
        if val_sel and ((epoch + 1) % cfg.val_every == 0 or epoch + 1 == cfg.epochs):
            rec.update({f"val_{k}": x for k, x in validate(model, val_sel, device).items()})
            if not best or rec["val_qabf"] > best["val_qabf"]:
                best = {"epoch": epoch + 1, "val_qabf": rec["val_qabf"],
                        "model": {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}}
        train_seconds += time.time() - t_ep
        rec["seconds"] = round(time.time() - t_ep, 1)
        history.append(rec)
        if cfg.progress:
            print(f"epoch {epoch + 1}: " + "  ".join(f"{k} {v:.4f}" for k, v in rec.items()
                                                     if isinstance(v, float)), flush=True)
        save_training_state({"model": model.state_dict(), "optimizer": opt.state_dict(), "history": history,
                             "best": best, "epoch": epoch, "train_seconds": train_seconds,
                             "fingerprint": cfg.fingerprint()}, state_file)
    chosen = history[-1]["epoch"]
    if cfg.select_best and best:
        model.load_state_dict(best["model"])
        chosen = best["epoch"]
    meta = {
        "method": "fmm",
        "paper": PAPER,
        "configuration": cfg.config,
        "fusion": cfg.fusion,
        "loss": cfg.loss,
        "channels": list(cfg.channels),
        "imagenet_weights": False,
        "config": {**dataclasses.asdict(cfg), "channels": list(cfg.channels)},
        "data": {
            "train": TRAIN_SET,
            "train_pairs": len(images),
            "train_pairs_sha1": hashlib.sha1(json.dumps([list(a.shape) for a, _ in images]).encode()).hexdigest(),
            "validation": VAL_SET,
            "selection_pairs": [p.id for p in val_ds.pairs[: len(val_sel)]],
            "crops_per_epoch": len(images) * cfg.crops_per_pair,
            "grey": "X = visible BT.601 luma, Y = infrared, 0..1",
        },
        **run_record(history, train_seconds, data_seconds, device, cfg.threads, cfg.compact,
                     selected_epoch=chosen),
    }
    save_checkpoint(out, model, meta, compact=cfg.compact)
    final = validate(load_model(out, device), val_all, device) if val_all else {}
    meta["val_pairs"] = len(val_all)
    meta.update({f"val_{k}": v for k, v in final.items()})
    save_checkpoint(out, load_model(out, "cpu"), meta, compact=cfg.compact)
    card_json, card_md = write_model_card(out, meta)
    return TrainResult(out, card_json, card_md, history, final.get("qabf", float("nan")))


def write_model_card(out: Path, meta: dict[str, Any]) -> tuple[Path, Path]:
    """The training record beside the checkpoint: ``<stem>.json`` and ``<stem>.md``."""
    out = Path(out)
    card_json, card_md = out.with_suffix(".json"), out.with_suffix(".md")
    card_json.write_text(json.dumps(meta, indent=2) + "\n")
    d, c = meta["data"], meta["config"]

    def f4(v):
        return "-" if v is None else format(v, ".4f")

    rows = "\n".join(f"| {h['epoch']} | {f4(h.get('train_loss'))} | {f4(h.get('val_qabf'))} | "
                     f"{f4(h.get('val_ssim_var_loss'))} |" for h in meta["history"])
    card_md.write_text(f"""# Training record: fmm ({meta["configuration"]} configuration, fusion {meta["fusion"]}, loss {meta["loss"]})

Weights: `{out.name}` ({"float16" if meta.get("compact") else "float32"}), channels {meta["channels"]};
no ImageNet (or any other pre-trained) weights: trained from scratch.

- Data: `{d["train"]}` ({d["train_pairs"]} pairs; {d["grey"]}), {c["crops_per_pair"]} random
  {c["crop"]}×{c["crop"]} crops per pair and epoch ({d["crops_per_epoch"]} per epoch), random horizontal flips.
- Adam, constant lr {c["lr"]:g}, batch {c["batch_size"]}, seed {c["seed"]}; {meta["epochs"]} epoch(s),
  {meta["training_seconds"] / 60:.1f} min on {meta["device"]}, torch {meta["torch"]}; code `{meta["code_version"]}`.
- Model selection: mean Q^AB/F on the first {len(d["selection_pairs"])} pairs of `{d["validation"]}`
  (never `vifb`); selected epoch **{meta["selected_epoch"]}**.

| epoch (0 = untrained) | train loss | val Q^AB/F ({len(d["selection_pairs"])} pairs) | val SSIM-var loss |
|---|---|---|---|
{rows}

Validation with the weights as saved, all {meta.get("val_pairs", 0)} `{d["validation"]}` pairs (grey):
Q^AB/F **{f4(meta.get("val_qabf"))}**, variance-selected SSIM loss {f4(meta.get("val_ssim_var_loss"))}.

Deviations from the paper (docs/methods/fmm.md): RoadScene's 200 training pairs instead of
40 000 KAIST pairs; this schedule instead of 4 epochs × 40 000 crops of 256×256 at lr 1e-4;
channel widths, keys/values of the mapping on a 2×2-pooled grid and the softmax over the two
modalities' maps chosen here (the paper gives none of them).
""")
    return card_json, card_md


# -- ablation: fusion module and loss (``python -m bench ablate fmm``) ---------------------------
def variant_label(meta: dict[str, Any]) -> str:
    """Row label of a checkpoint: fusion module, loss, configuration and epochs.

        >>> variant_label({"fusion": "add", "loss": "ssim-var", "configuration": "cpu", "epochs": 2})
        'add / ssim-var (cpu, 2 ep)'
    """
    return (f"{meta.get('fusion', '?')} / {meta.get('loss', '?')} "
            f"({meta.get('configuration', '?')}, {meta.get('epochs', '?')} ep)")


def _fuse_options(a, b, path) -> dict[str, Any]:
    """This checkpoint; an RGB visible image with a grey infrared one fuses its luminance (YCbCr)."""
    return {"weights": str(path), "mixed_colour": "ycbcr" if a.ndim != b.ndim else "rgb"}


# Rows {"variant", "checkpoint", "epochs", <metric>: mean}: each checkpoint fuses every pair of the
# dataset with the plugin (same pre/post-processing); metrics default to the paper's five.
ablation_table = CheckpointAblation(
    "fmm", label=variant_label, weights_module="methods.fmm.weights", fuse_options=_fuse_options,
    hint="train the variants with e.g. `python -m bench train fmm --fusion add --out DIR/add.pt`")


class _Trainer:
    name = "fmm"
    help = "train the fmm feature-mutual-mapping fusion network on roadscene:train (IR/visible)"
    ablation_table = staticmethod(ablation_table)  # bench ablate fmm

    def add_arguments(self, p: argparse.ArgumentParser) -> None:
        from methods.fmm.model import FUSIONS, LOSSES

        p.add_argument("--config", default="cpu", choices=list(PRESETS),
                       help="cpu (shipped checkpoint, ~35 min on 2 cores) or paper (the paper's crop, "
                            "lr and epochs, wider network; for --device cuda)")
        p.add_argument("--fusion", default="mapping", choices=list(FUSIONS),
                       help="fusion module: mapping (paper), add or concat (ablation)")
        p.add_argument("--loss", default="ssim-var", choices=list(LOSSES),
                       help="SSIM target per window: larger variance (paper) or larger mean (ablation)")
        p.add_argument("--data-dir", default=None, help="data root holding roadscene/ (default: FUSEBENCH_DATA)")
        for opt, typ in (("--epochs", int), ("--crop", int), ("--batch-size", int),
                         ("--crops-per-pair", int), ("--lr", float), ("--seed", int), ("--threads", int),
                         ("--max-pairs", int), ("--val-pairs", int), ("--val-every", int),
                         ("--final-val-pairs", int)):
            p.add_argument(opt, type=typ, default=None, help="override the configuration's value")
        p.add_argument("--last", action="store_true", help="keep the last epoch (default: best validation)")
        add_output_options(p, out_help="checkpoint path (default runs/fmm/<config>-<fusion>-<loss>/fmm.pt)")

    def run(self, args: argparse.Namespace) -> int:
        out = args.out or f"runs/fmm/{args.config}-{args.fusion}-{args.loss}/fmm.pt"
        cfg = config_for(
            args.config, fusion=args.fusion, loss=args.loss, data_dir=args.data_dir, epochs=args.epochs,
            crop=args.crop, batch_size=args.batch_size, crops_per_pair=args.crops_per_pair, lr=args.lr,
            seed=args.seed, threads=args.threads, max_pairs=args.max_pairs, val_pairs=args.val_pairs,
            val_every=args.val_every, final_val_pairs=args.final_val_pairs,
            select_best=False if args.last else None, device=args.device, out=out,
            compact=not args.float32, progress=not args.no_progress, restart=args.restart,
        )
        res = train(cfg)
        print(f"roadscene:test Q^AB/F {res.val_qabf:.4f}  checkpoint {res.checkpoint}  model card {res.card_md}")
        return 0


register_trainer("fmm")(_Trainer())

__all__ = ["PRESETS", "FMMTrainConfig", "ablation_table", "config_for", "train"]
