"""Training ``transfusion`` in two stages on ``roadscene:train`` (never an evaluation set).

``python -m bench train transfusion [--config cpu|paper] [--device auto|cpu|cuda]
[--steps1 N] [--steps2 N] [--no-channel-perception] [--no-spatial-attention]
[--no-guidance] [--no-mi-loss] [--stage1-from CKPT] [--imagenet hub|PATH|download]
[--out PATH|DIR] [--restart]``

As in the paper (and the authors' ``train_stage1.py`` / ``train_stage2.py``):

1. **Stage 1, auto-encoder**: encoder + decoder reconstruct single images (the
   infrared and the visible luma of ``roadscene:train``, random crops and flips),
   loss MSE + λ_ssim (1 − SSIM). With ImageNet VGG-19 weights (``--imagenet``)
   the encoder is frozen as the authors freeze theirs; without them (the
   shipped checkpoint) it is trained too — from scratch.
2. **Stage 2, fusion**: encoder and decoder frozen, the fusion modules (channel
   perception, spatial attention, refinement) trained on ``roadscene:train``
   pairs (same random crop of both sources) with the fusion loss of
   :mod:`methods.transfusion.losses` (intensity, SSIM, gradient, the double
   inner-loop feature MI loss). Every ``val_every`` steps the network fuses the
   21 ``roadscene:test`` pairs and the Q^AB/F mean is recorded; the best state
   is kept (model selection on ``roadscene:test`` only).

Adam, cosine-decayed learning rate per stage; a resumable state file
(``<out stem>.state.pt``, ``weights_only=True``) every ``save_every`` steps;
tqdm progress; deterministic on the CPU for a fixed seed (one process, no
data-loader workers, seeded crops and init). The checkpoint goes to ``--out``
with its model card (``<stem>.json`` / ``<stem>.md``).

======  ==================  ====  =====  =======  =======  =========  ======================
config  network             crop  batch  stage 1  stage 2  lr (1/2)   meant for
======  ==================  ====  =====  =======  =======  =========  ======================
cpu     VGG-19 to relu3_4,  64    8      1500     600      1e-3/2e-3  the shipped checkpoint
        a quarter wide                                                (1 thread, ~40 min)
paper   VGG-19 to relu5_4   256   8      2500     1250     1e-4/1e-4  ``--device cuda``
======  ==================  ====  =====  =======  =======  =========  ======================

(``paper``: 50 epochs of the 400 images / 200 pairs at batch 8, the authors'
epochs, batch and crop; their stage 1 ran on MS-COCO.)

    >>> cfg = config_for("paper", device="cuda")
    >>> cfg.crop, cfg.batch_size, cfg.stage1_steps, cfg.net
    (256, 8, 2500, 'paper')
"""

from __future__ import annotations

import argparse
import math
import time
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np

from bench.errors import DataError, FusebenchError
from bench.training import add_output_options, register_trainer
from bench.training.ablation import CheckpointAblation

PAPER = ("Y. Qian, R. An, G. Liu, H. Tang, G. Xiao, D. P. Bavirisetti, TransFusion: Transfer "
         "learning-driven adaptive fusion network for infrared and visible image, Infrared "
         "Physics & Technology 150 (2025) 105906")
DATASET = "roadscene:train"
VALIDATION = "roadscene:test"

PRESETS: dict[str, dict[str, Any]] = {
    "cpu": {"net": "cpu", "crop": 64, "batch_size": 8, "stage1_steps": 1500, "stage2_steps": 600,
            "lr1": 1e-3, "lr2": 2e-3, "val_every": 100, "select_limit": 10, "threads": 1},
    "paper": {"net": "paper", "crop": 256, "batch_size": 8, "stage1_steps": 2500, "stage2_steps": 1250,
              "lr1": 1e-4, "lr2": 1e-4, "val_every": 250},
}
#: Settings that do not change the result (left out of the resume fingerprint).
_EXECUTION = ("data_dir", "out", "device", "threads", "progress", "restart", "compact", "val_limit",
              "select_limit")


@dataclass
class TrainConfig:
    config: str = "cpu"
    net: str = "cpu"
    crop: int = 96
    batch_size: int = 8
    stage1_steps: int = 1200
    stage2_steps: int = 600
    lr1: float = 1e-3
    lr2: float = 1e-3
    ssim_weight: float = 100.0  # stage 1 (the authors' 100)
    intensity_weight: float = 100.0  # stage 2 (the authors' 100)
    grad_weight: float = 10.0  # stage 2 gradient term (our addition; 0 = the authors' loss)
    mi_weight: float = 0.5  # λ of the MI loss
    mi_loss: bool = True
    channel_perception: bool = True
    spatial_attention: bool = True
    spatial_guidance: bool = True
    imagenet: str | None = None  # None: from scratch; "hub" / PATH / "download" / "random[:seed]"
    stage1_from: str | None = None  # take encoder + decoder from this checkpoint, skip stage 1
    seed: int = 0
    val_every: int = 150
    select_limit: int | None = None  # model selection on the first N roadscene:test pairs (None: all)
    val_limit: int | None = None  # the card's final figure on the first N pairs (None: all 21)
    save_every: int = 50
    max_pairs: int | None = None  # first N training pairs (toy runs)
    data_dir: str | None = None
    out: str = "runs/transfusion/cpu/transfusion.pt"
    device: str = "auto"
    threads: int | None = None
    compact: bool = True
    progress: bool = True
    restart: bool = False

    def fingerprint(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if k not in _EXECUTION}


def config_for(name: str = "cpu", **overrides: Any) -> TrainConfig:
    """The ``cpu`` or ``paper`` configuration with ``overrides`` (None values ignored)."""
    if name not in PRESETS:
        raise FusebenchError(f"transfusion training: unknown configuration {name!r} ({', '.join(PRESETS)})")
    known = {f.name for f in fields(TrainConfig)}
    bad = set(overrides) - known
    if bad:
        raise FusebenchError(f"transfusion training: unknown settings {sorted(bad)}")
    values = {**PRESETS[name], **{k: v for k, v in overrides.items() if v is not None}}
    return TrainConfig(config=name, **values)


def net_config(cfg: TrainConfig):
    from methods.transfusion.model import CONFIGS

    return CONFIGS[cfg.net].with_switches(channel_perception=cfg.channel_perception,
                                          spatial_attention=cfg.spatial_attention,
                                          spatial_guidance=cfg.spatial_guidance)


# ------------------------------------------------------------------------------ data
def load_pairs(split: str, data_dir=None, limit: int | None = None) -> list[tuple[np.ndarray, np.ndarray]]:
    """``(infrared, visible luma)`` uint8 arrays of ``roadscene:<split>`` (A = visible, B = infrared)."""
    from bench.color import luma
    from bench.datasets import load_dataset

    ds = load_dataset(split, data_dir=data_dir)
    pairs = ds.pairs[:limit] if limit else ds.pairs
    out = []
    for p in pairs:
        vis, ir = p.a, p.b
        vis = luma(vis) if vis.ndim == 3 else vis
        ir = luma(ir) if ir.ndim == 3 else ir
        out.append((np.rint(ir).astype(np.uint8), np.rint(vis).astype(np.uint8)))
    return out


def _crop_batch(rng, images: list, n: int, crop: int) -> np.ndarray:
    """(n, k, crop, crop) float32 0..1: n random items of ``images`` (tuples of k same-size
    arrays), the same random crop and flips for the k arrays of an item."""
    out = np.empty((n, len(images[0]), crop, crop), np.float32)
    for j in range(n):
        item = images[int(rng.integers(len(images)))]
        h, w = item[0].shape
        y, x = int(rng.integers(h - crop + 1)), int(rng.integers(w - crop + 1))
        flip_h, flip_v = bool(rng.integers(2)), bool(rng.integers(2))
        for c, arr in enumerate(item):
            patch = arr[y:y + crop, x:x + crop]
            patch = patch[:, ::-1] if flip_h else patch
            out[j, c] = (patch[::-1] if flip_v else patch) / 255.0
    return out


def _lr(base: float, step: int, total: int) -> float:
    """Cosine decay from ``base`` to base/20 over ``total`` steps."""
    t = min(1.0, step / max(1, total))
    return base * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * t)))


# ------------------------------------------------------------------------------ validation
def validate(net, pairs) -> dict[str, float]:
    """Mean Q^AB/F (and SSIM-free summary) of the network's fusion of ``pairs`` (uint8 ir, vis)."""
    import metrics
    from methods.transfusion.plugin import fuse_grey

    was_training = net.training
    net.eval()
    q = []
    for ir, vis in pairs:
        fused, _ = fuse_grey(net, ir.astype(np.float64), vis.astype(np.float64))
        q.append(float(metrics.compute("qabf", vis.astype(np.float64), ir.astype(np.float64), fused)))
    net.train(was_training)
    return {"qabf": float(np.mean(q))}


# ------------------------------------------------------------------------------ training
@dataclass
class TrainResult:
    checkpoint: Path
    card_json: Path
    card_md: Path
    val_qabf: float


def state_path(out: Path) -> Path:
    return out.with_name(out.stem + ".state.pt")


def train(cfg: TrainConfig) -> TrainResult:
    """Train (or resume) ``cfg``; checkpoint + model card at ``cfg.out``."""
    import torch
    from tqdm import tqdm

    from bench.training.checkpoint import load_training_state, save_training_state
    from methods.devices import torch_device
    from methods.transfusion import losses
    from methods.transfusion.model import (
        TransFusionNet,
        imagenet_encoder_state,
        init_encoder_from_imagenet,
    )

    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    dev = torch_device(cfg.device, "transfusion")
    # CPU kernels are deterministic for a fixed thread count (the tests check a resumed run
    # against an uninterrupted one); torch.use_deterministic_algorithms would import the
    # compiler stack (tens of seconds) for nothing here.
    out = Path(cfg.out)
    if out.suffix != ".pt":
        out = out / "transfusion.pt"
    spath = state_path(out)

    torch.manual_seed(cfg.seed)
    net = TransFusionNet(net_config(cfg))
    init_note = "trained from scratch: no ImageNet weights"
    if cfg.imagenet:
        n = init_encoder_from_imagenet(net, imagenet_encoder_state(cfg.imagenet))
        init_note = f"encoder initialised from ImageNet VGG-19 ({cfg.imagenet}, {n} convolutions)"
    skip_stage1 = False
    if cfg.stage1_from:
        from methods.transfusion.weights import load_model

        donor = load_model(cfg.stage1_from).state_dict()
        keep = ("encoder.", "up.", "merge.", "head.")
        net.load_state_dict({**net.state_dict(), **{k: v for k, v in donor.items() if k.startswith(keep)}})
        skip_stage1 = True
        init_note += f"; stage 1 (encoder + decoder) taken from {Path(cfg.stage1_from).name}"
    net.to(dev)
    rng = np.random.default_rng(cfg.seed)
    history: list[dict] = []
    stage, step, elapsed, best = (2 if skip_stage1 else 1), 0, 0.0, None
    opt_state = None
    if spath.is_file() and not cfg.restart:
        st = load_training_state(spath)
        if st.get("fingerprint") != cfg.fingerprint():
            raise FusebenchError(f"{spath}: saved with other settings; use --restart or another --out")
        net.load_state_dict(st["model"])
        rng.bit_generator.state = st["rng"]
        stage, step, elapsed, history = st["stage"], st["step"], st["elapsed"], st["history"]
        best, opt_state = st.get("best"), st.get("optimizer")

    train_pairs = load_pairs(DATASET, cfg.data_dir, cfg.max_pairs)
    val_pairs = load_pairs(VALIDATION, cfg.data_dir, cfg.select_limit)
    singles = [(ir,) for ir, _ in train_pairs] + [(vis,) for _, vis in train_pairs]
    small = min(min(a.shape) for a, _ in train_pairs)
    if small < cfg.crop:
        raise DataError(f"transfusion training: crop {cfg.crop} exceeds the smallest training image ({small})")

    def save_state(stage: int, next_step: int):
        save_training_state({"fingerprint": cfg.fingerprint(), "model": net.state_dict(),
                             "optimizer": opt.state_dict(), "rng": rng.bit_generator.state,
                             "stage": stage, "step": next_step, "elapsed": elapsed + time.time() - t0,
                             "history": history, "best": best}, spath)

    t0 = time.time()
    net.train()
    if stage == 1:
        params = net.autoencoder_parameters(include_encoder=not cfg.imagenet)
        opt = torch.optim.Adam(params, lr=cfg.lr1)
        if opt_state is not None:
            opt.load_state_dict(opt_state)
            opt_state = None
        bar = tqdm(range(step, cfg.stage1_steps), desc=f"transfusion {cfg.config} stage 1 (auto-encoder)",
                   initial=step, total=cfg.stage1_steps, disable=not cfg.progress)
        run_loss = None
        for step in bar:
            for g in opt.param_groups:
                g["lr"] = _lr(cfg.lr1, step, cfg.stage1_steps)
            x = torch.from_numpy(_crop_batch(rng, singles, cfg.batch_size, cfg.crop)).to(dev)
            loss, parts = losses.stage1_loss(net.reconstruct(x), x, cfg.ssim_weight)
            opt.zero_grad()
            loss.backward()
            opt.step()
            run_loss = loss.item() if run_loss is None else 0.95 * run_loss + 0.05 * loss.item()
            bar.set_postfix(loss=f"{run_loss:.4f}", mse=f"{parts['mse']:.4f}")
            if (step + 1) % 100 == 0 or step + 1 == cfg.stage1_steps:
                history.append({"stage": 1, "step": step + 1, "loss": run_loss, **parts})
            if (step + 1) % cfg.save_every == 0:
                save_state(1, step + 1)
        stage, step = 2, 0
        opt = torch.optim.Adam(net.fusion_parameters(), lr=cfg.lr2)
        save_state(2, 0)
    # stage 2
    for p in net.autoencoder_parameters(include_encoder=True):
        p.requires_grad_(False)
    opt = torch.optim.Adam(net.fusion_parameters(), lr=cfg.lr2)
    if opt_state is not None:
        opt.load_state_dict(opt_state)
    if best is None:
        best = {"step": 0, **validate(net, val_pairs), "model": {k: t.clone() for k, t in net.state_dict().items()}}
        history.append({"stage": 2, "step": 0, "val_qabf": best["qabf"]})
    bar = tqdm(range(step, cfg.stage2_steps), desc=f"transfusion {cfg.config} stage 2 (fusion)",
               initial=step, total=cfg.stage2_steps, disable=not cfg.progress)
    run_loss = None
    for step in bar:
        for g in opt.param_groups:
            g["lr"] = _lr(cfg.lr2, step, cfg.stage2_steps)
        xb = torch.from_numpy(_crop_batch(rng, train_pairs, cfg.batch_size, cfg.crop)).to(dev)
        ir, vis = xb[:, :1], xb[:, 1:]
        f_ir, f_vis = net.encode(ir), net.encode(vis)
        fused = net.fuse_features(f_ir, f_vis)
        outp = net.decode(fused)
        loss, parts = losses.stage2_loss(outp, ir, vis, intensity_weight=cfg.intensity_weight,
                                         grad_weight=cfg.grad_weight)
        if cfg.mi_loss:
            lmi, mi = losses.mi_loss(fused, f_ir, f_vis, cfg.mi_weight)
            loss = loss + lmi
            parts["mi"] = mi.item()
        opt.zero_grad()
        loss.backward()
        opt.step()
        run_loss = loss.item() if run_loss is None else 0.95 * run_loss + 0.05 * loss.item()
        bar.set_postfix(loss=f"{run_loss:.4f}", best_qabf=f"{best['qabf']:.4f}")
        done = step + 1
        if done % cfg.val_every == 0 or done == cfg.stage2_steps:
            val = validate(net, val_pairs)
            history.append({"stage": 2, "step": done, "loss": run_loss, **parts, "val_qabf": val["qabf"]})
            if val["qabf"] > best["qabf"]:
                best = {"step": done, **val, "model": {k: t.clone() for k, t in net.state_dict().items()}}
        if done % cfg.save_every == 0 or done == cfg.stage2_steps:
            save_state(2, done)
    training_seconds = elapsed + time.time() - t0
    net.load_state_dict(best["model"])
    return export(net, cfg, out, history=history, best=best, seconds=training_seconds,
                  device=str(dev), init_note=init_note, val_pairs=val_pairs)


def export(net, cfg: TrainConfig, out: Path, *, history, best, seconds, device, init_note, val_pairs):
    """Save the checkpoint (float16 when compact), re-validate the saved weights, write the card."""
    import torch

    from methods.transfusion.weights import load_model, save_checkpoint

    meta = {
        "method": "transfusion", "paper": PAPER, "configuration": cfg.config,
        "switches": {"channel_perception": cfg.channel_perception, "spatial_attention": cfg.spatial_attention,
                     "spatial_guidance": cfg.spatial_guidance, "mi_loss": cfg.mi_loss},
        "imagenet_weights": bool(cfg.imagenet), "initialisation": init_note,
        "data": {"train": DATASET, "train_pairs": 200 if not cfg.max_pairs else cfg.max_pairs,
                 "stage1_images": "infrared + visible luma of the training pairs",
                 "validation": VALIDATION, "validation_pairs_selection": len(val_pairs)},
        "config": asdict(cfg), "history": history, "selected_step": best["step"],
        "training_seconds": seconds, "device": device, "torch": str(torch.__version__),
        "epochs": f"{cfg.stage1_steps}+{cfg.stage2_steps} steps",
    }
    save_checkpoint(out, net, meta, compact=cfg.compact)
    saved = load_model(out)
    all_val = load_pairs(VALIDATION, cfg.data_dir, cfg.val_limit)  # the card: all pairs by default
    meta["val_qabf"] = validate(saved, all_val)["qabf"]
    meta["data"]["validation_pairs_final"] = len(all_val)
    save_checkpoint(out, net, meta, compact=cfg.compact)
    card_json, card_md = write_model_card(out, meta)
    return TrainResult(out, card_json, card_md, meta["val_qabf"])


def write_model_card(out: Path, meta: dict[str, Any]) -> tuple[Path, Path]:
    """The training record beside the checkpoint: ``<stem>.json`` and ``<stem>.md``."""
    import json

    out = Path(out)
    card_json, card_md = out.with_suffix(".json"), out.with_suffix(".md")
    card_json.write_text(json.dumps(meta, indent=2) + "\n")
    c, sw = meta["config"], meta["switches"]
    off = [k for k, v in sw.items() if not v]
    rows = "\n".join(
        f"| {h['stage']} | {h['step']} | {h.get('loss', float('nan')):.4f} | "
        f"{h['val_qabf']:.4f} |" if "val_qabf" in h else
        f"| {h['stage']} | {h['step']} | {h.get('loss', float('nan')):.4f} | - |"
        for h in meta["history"])
    card_md.write_text(f"""# Training record: transfusion ({meta["configuration"]} configuration)

Weights: `{out.name}` ({"float16" if meta.get("compact", c["compact"]) else "float32"});
**{meta["initialisation"]}**. Switches off: {", ".join(off) if off else "none (full model)"}.

- Data: `{meta["data"]["train"]}` ({meta["data"]["train_pairs"]} pairs; stage 1 on the
  {meta["data"]["stage1_images"]}), random {c["crop"]}×{c["crop"]} crops with flips, batch {c["batch_size"]};
  never an evaluation set. Model selection: Q^AB/F on the first {meta["data"]["validation_pairs_selection"]}
  pairs of `{meta["data"]["validation"]}`, best at stage-2 step {meta["selected_step"]}.
- Stage 1 (auto-encoder): {c["stage1_steps"]} Adam steps, lr {c["lr1"]:g} (cosine), MSE + {c["ssim_weight"]:g}(1 − SSIM).
- Stage 2 (fusion modules only): {c["stage2_steps"]} Adam steps, lr {c["lr2"]:g} (cosine),
  {c["intensity_weight"]:g}·MSE(F, max) + SSIM + {c["grad_weight"]:g}·gradient
  {f'+ {c["mi_weight"]:g}/ΣMI (feature MI loss)' if sw["mi_loss"] else "(MI loss off)"}.
- Seed {c["seed"]}; {meta["training_seconds"] / 60:.1f} min on {meta["device"]}, torch {meta["torch"]}.

| stage | step | train loss (EMA) | val Q^AB/F |
|---|---|---|---|
{rows}

Validation Q^AB/F ({meta["data"]["validation_pairs_final"]} roadscene:test pairs, weights as saved):
**{meta["val_qabf"]:.4f}**.
""")
    return card_json, card_md


# -- ablation (``python -m bench ablate transfusion --dataset roadscene:test``) -----------------
SWITCH_LABELS = {"channel_perception": "channel perception", "spatial_attention": "spatial attention",
                 "spatial_guidance": "multi-level guidance", "mi_loss": "MI loss"}


def variant_label(meta: dict[str, Any]) -> str:
    """Row label of a checkpoint from its switches and configuration.

        >>> variant_label({"configuration": "cpu", "switches": {"mi_loss": False}})
        'without MI loss (cpu)'
        >>> variant_label({"configuration": "cpu", "switches": {}})
        'full (cpu)'
    """
    off = [SWITCH_LABELS[k] for k, v in meta.get("switches", {}).items() if not v and k in SWITCH_LABELS]
    return ("without " + ", ".join(off) if off else "full") + f" ({meta.get('configuration', '?')})"


# Rows {"variant", "checkpoint", "epochs", <metric>: mean}: each checkpoint fuses every pair of the
# dataset (an infrared-visible set, e.g. roadscene:test; colour fused as YCbCr luminance); metrics
# default to the paper's five indices.
ablation_table = CheckpointAblation(
    "transfusion", label=variant_label, weights_module="methods.transfusion.weights",
    fuse_options=lambda a, b, path: {"weights": str(path), "mixed_colour": "ycbcr"},
    hint="train variants with e.g. `python -m bench train transfusion --no-mi-loss --out DIR/no-mi.pt`")


class _Trainer:
    name = "transfusion"
    help = "train transfusion (two stages: auto-encoder, then fusion modules) on roadscene:train"
    ablation_table = staticmethod(ablation_table)  # bench ablate transfusion

    def add_arguments(self, p: argparse.ArgumentParser) -> None:
        p.add_argument("--config", default="cpu", choices=list(PRESETS),
                       help="cpu (shipped checkpoint, ~50 min on one busy CPU thread) or paper (full VGG-19, "
                            "the authors' crop/batch/epochs; for --device cuda)")
        p.add_argument("--data-dir", default=None, help="data root holding roadscene/ (default: FUSEBENCH_DATA)")
        for opt, dest, typ in (("--steps1", "stage1_steps", int), ("--steps2", "stage2_steps", int),
                               ("--crop", "crop", int), ("--batch-size", "batch_size", int),
                               ("--lr1", "lr1", float), ("--lr2", "lr2", float), ("--seed", "seed", int),
                               ("--threads", "threads", int), ("--val-every", "val_every", int),
                               ("--val-limit", "val_limit", int), ("--select-limit", "select_limit", int),
                               ("--max-pairs", "max_pairs", int),
                               ("--mi-weight", "mi_weight", float), ("--grad-weight", "grad_weight", float)):
            p.add_argument(opt, dest=dest, type=typ, default=None, help="override the configuration's value")
        for flag, dest in (("--no-channel-perception", "channel_perception"),
                           ("--no-spatial-attention", "spatial_attention"),
                           ("--no-guidance", "spatial_guidance"), ("--no-mi-loss", "mi_loss")):
            p.add_argument(flag, dest=dest, action="store_false", default=True,
                           help=f"ablation: train without {SWITCH_LABELS[dest]}")
        p.add_argument("--stage1-from", default=None,
                       help="take encoder + decoder from this transfusion checkpoint and train stage 2 only")
        p.add_argument("--imagenet", default=None,
                       help="initialise the encoder from ImageNet VGG-19 (paper config): hub (torch hub "
                            "cache / $FUSEBENCH_VGG19), PATH or download; default: from scratch")
        add_output_options(
            p, out_help="checkpoint path or folder (default runs/transfusion/<config>/transfusion.pt)")
        p.add_argument("--resume", action="store_true",
                       help="continue from the saved state (the default whenever one exists)")

    def run(self, args: argparse.Namespace) -> int:
        keys = ("stage1_steps", "stage2_steps", "crop", "batch_size", "lr1", "lr2", "seed", "threads",
                "val_every", "val_limit", "select_limit", "max_pairs", "mi_weight", "grad_weight")
        cfg = config_for(
            args.config, data_dir=args.data_dir, device=args.device, imagenet=args.imagenet,
            stage1_from=args.stage1_from, out=args.out or f"runs/transfusion/{args.config}/transfusion.pt",
            compact=not args.float32, progress=not args.no_progress, restart=args.restart,
            channel_perception=args.channel_perception, spatial_attention=args.spatial_attention,
            spatial_guidance=args.spatial_guidance, mi_loss=args.mi_loss,
            **{k: getattr(args, k) for k in keys})
        res = train(cfg)
        print(f"validation Q^AB/F (roadscene:test) {res.val_qabf:.4f}  checkpoint {res.checkpoint}  "
              f"model card {res.card_md}")
        return 0


register_trainer("transfusion")(_Trainer())

__all__ = ["PRESETS", "TrainConfig", "ablation_table", "config_for", "train"]
