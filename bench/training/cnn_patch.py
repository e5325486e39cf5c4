"""Training the ``cnn-patch`` focus classifier (Liu et al. 2017; spec ``cnn_patch.md``).

``python -m bench train cnn-patch [--data natural --data-dir DIR] [--examples N]
[--epochs E] [--device auto|cpu|cuda] [--out PATH]``

1. Patch pairs from the natural corpus (:mod:`bench.datasets.patches`): photos
   split by image into train / validation (10 % held out), 5 cumulative
   Gaussian blur levels, flat patches skipped, each pair in both orders.
2. Softmax cross-entropy, SGD (momentum 0.9, weight decay 5e-4), Xavier init,
   zero biases; the learning rate is divided by 10 once, after the first epoch
   whose validation loss improves by less than ``--plateau`` (relative).
3. After every epoch: validation accuracy, a resumable state file
   (``<out>.state.pt``: weights, optimiser, history, config). Re-running the
   same command resumes after the last finished epoch (``--restart`` ignores it).
4. At the end: the checkpoint (``--compact``: int8 FC1, as shipped), validated
   again with the weights as saved, plus a model card ``<out stem>.json`` /
   ``.md`` (data, counts, epochs, seed, accuracy, time, device, code version).

Learning rate: the paper uses 1e-4 in Caffe for ~10 epochs over 2 M examples; on a
shared CPU we train 50 k examples for one epoch, so the default is 1e-2
(``--lr 1e-4`` reproduces the paper's value).

``train(TrainConfig(examples=400, val_examples=200, epochs=1, out="c.pt"))``
trains a toy model (``res.history[-1]["val_accuracy"]``). Its photos are
the ``natural`` corpus split by image, never an evaluation set:

    >>> train_files, val_files, folder = training_images(TrainConfig(data_dir=str(data_dir)))
    >>> len(train_files), len(val_files), folder.name
    (273, 27, 'images')
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import platform
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bench.errors import FusebenchError
from bench.training import add_output_options, register_trainer
from bench.training.checkpoint import load_training_state, save_training_state

STATE_SUFFIX = ".state.pt"


@dataclass
class TrainConfig:
    """Every setting that shapes the trained weights (recorded in the model card)."""

    data: str = "natural"
    data_dir: str | None = None
    examples: int = 50_000  # training examples (half positive); defaults = the shipped weights
    val_examples: int = 4_000
    epochs: int = 1
    batch_size: int = 128
    lr: float = 1e-2
    momentum: float = 0.9
    weight_decay: float = 5e-4
    plateau: float = 0.05  # relative val-loss improvement below which lr drops ×0.1 (once)
    seed: int = 0
    device: str = "auto"
    threads: int = 2
    out: str = "runs/cnn-patch/cnn_patch.pt"
    compact: bool = True
    max_images: int | None = None  # use only the first N training photos (toy runs)
    progress: bool = True
    restart: bool = False

    def fingerprint(self) -> dict[str, Any]:
        """Settings that must match for a resume (epochs may grow)."""
        keep = ("data", "examples", "val_examples", "batch_size", "lr", "momentum", "weight_decay",
                "plateau", "seed", "max_images")
        return {k: getattr(self, k) for k in keep}


@dataclass
class TrainResult:
    checkpoint: Path
    card_json: Path
    card_md: Path
    history: list[dict[str, Any]] = field(default_factory=list)
    val_accuracy: float = float("nan")


@dataclass(frozen=True)
class Network:
    """The network a patch-pair training run trains (default: cnn-patch's :class:`PatchCNN`).

    The loop of :func:`train` serves every siamese 16×16 patch-pair classifier
    (``forward(pa, pb) -> (N, 2)`` logits on 0..1 patches, ``reset_parameters(generator)``);
    ``bench.training.wavelet_cnn`` passes its own.
    """

    method: str
    paper: str
    build: Callable[[Any], Any]  # build(cfg) -> untrained model
    save: Callable[..., Path]  # save(out, model, meta, compact=...)
    load: Callable[..., Any]  # load(out, device) -> model in eval mode
    write_card: Callable[[Path, dict], tuple[Path, Path]]
    extra_meta: Callable[[Any], dict] = lambda cfg: {}


def _cnn_patch_network() -> Network:
    from methods.cnn_patch.model import PatchCNN
    from methods.cnn_patch.weights import load_model, save_checkpoint

    return Network(
        method="cnn-patch",
        paper="Y. Liu, X. Chen, H. Peng, Z. Wang, Multi-focus image fusion with a deep convolutional "
              "neural network, Information Fusion 36 (2017) 191-207",
        build=lambda cfg: PatchCNN(), save=save_checkpoint, load=load_model, write_card=write_model_card,
    )


def run_record(history: list[dict], train_seconds: float, data_seconds: float, device, threads: int,
               compact: bool, **after_epochs) -> dict[str, Any]:
    """How a run went, for its training record: epochs trained (history rows past epoch 0), then
    ``after_epochs`` (e.g. the epoch selected), history, seconds, device (CPU model and threads on
    a CPU), torch and code versions, UTC date, compact.

        >>> import torch
        >>> r = run_record([{"epoch": 0}, {"epoch": 1}], 61.23, 2.0, torch.device("cpu"), 2, True,
        ...                selected_epoch=1)
        >>> list(r)[:4], r["epochs"], r["training_seconds"], r["device"].endswith("2 threads)")
        (['epochs', 'selected_epoch', 'history', 'training_seconds'], 1, 61.2, True)
    """
    import torch

    where = "" if device.type != "cpu" else f" ({platform.processor() or platform.machine()}, {threads} threads)"
    return {
        "epochs": sum(1 for h in history if h["epoch"] > 0),
        **after_epochs,
        "history": history,
        "training_seconds": round(train_seconds, 1),
        "data_seconds": round(data_seconds, 1),
        "device": str(device) + where,
        "torch": str(torch.__version__),
        "code_version": code_version(),
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "compact": compact,
    }


def code_version() -> str:
    """fusebench version plus the git commit of the working tree (read-only query), if any."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        v = version("fusebench")
    except PackageNotFoundError:
        v = "unknown"
    try:
        root = Path(__file__).resolve().parents[2]
        rev = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, timeout=10)
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10)
        if rev.returncode == 0:
            v += f"+g{rev.stdout.strip()}" + (".dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        pass
    return v


def training_images(cfg: TrainConfig) -> tuple[list[Path], list[Path], Path]:
    """(train photos, validation photos, corpus folder); never an evaluation set."""
    from bench.datasets.natural import check_not_evaluation_data, natural_images, natural_root
    from bench.datasets.patches import split_by_image

    if cfg.data != "natural":
        raise FusebenchError(f"cnn-patch training: unknown training data {cfg.data!r} (available: natural)")
    files = [p for _, p, _ in natural_images(cfg.data_dir)]
    train_files, val_files = split_by_image(files)
    if cfg.max_images:
        train_files = train_files[: cfg.max_images]
        val_files = val_files[: max(1, cfg.max_images // 4)]
    check_not_evaluation_data(train_files + val_files)
    return train_files, val_files, natural_root(cfg.data_dir) / "images"


def _tensors(ex, device):
    import torch

    a = torch.from_numpy(ex.first[:, None]).to(device)
    b = torch.from_numpy(ex.second[:, None]).to(device)
    y = torch.from_numpy(ex.labels).to(device)
    return a, b, y


def evaluate(model, ex, device, batch_size: int = 512) -> dict[str, float]:
    """Mean loss and accuracy of ``model`` on patch pairs ``ex`` (plus accuracy per blur level)."""
    import torch
    from torch.nn import functional as F

    a, b, y = _tensors(ex, device)
    model.eval()
    losses, preds = [], []
    with torch.inference_mode():
        for i in range(0, len(ex), batch_size):
            sl = slice(i, i + batch_size)
            logits = model(a[sl].float() / 255.0, b[sl].float() / 255.0)
            losses.append(F.cross_entropy(logits, y[sl], reduction="sum").item())
            preds.append(logits.argmax(1).cpu().numpy())
    pred = np.concatenate(preds)
    correct = pred == ex.labels
    out = {"loss": float(sum(losses) / len(ex)), "accuracy": float(correct.mean())}
    for lv in np.unique(ex.levels):
        out[f"accuracy_level{int(lv)}"] = float(correct[ex.levels == lv].mean())
    return out


def _state_path(out: Path) -> Path:
    return out.with_name(out.name + STATE_SUFFIX)


def train(cfg: TrainConfig, net: Network | None = None) -> TrainResult:
    """Build the patch pairs, train, validate, save checkpoint + model card. Resumable.

    ``net``: the network to train (default: cnn-patch's, see :class:`Network`).
    """
    import torch
    from torch.nn import functional as F

    from bench.datasets.patches import build_patch_pairs
    from methods.devices import torch_device

    net = net or _cnn_patch_network()

    torch.set_num_threads(max(1, cfg.threads))
    device = torch_device(cfg.device, "cnn-patch training")  # auto: CUDA when available
    out = Path(cfg.out)
    state_file = _state_path(out)
    train_files, val_files, corpus = training_images(cfg)

    t0 = time.time()
    train_ex = build_patch_pairs(train_files, cfg.examples, cfg.seed, progress=cfg.progress)
    val_ex = build_patch_pairs(val_files, cfg.val_examples, cfg.seed + 1, progress=cfg.progress)
    data_seconds = time.time() - t0

    model = net.build(cfg)
    model.reset_parameters(torch.Generator().manual_seed(cfg.seed))
    model.to(device)
    opt = torch.optim.SGD(model.parameters(), lr=cfg.lr, momentum=cfg.momentum, weight_decay=cfg.weight_decay)
    history: list[dict[str, Any]] = []
    lr_dropped_at: int | None = None
    start_epoch, train_seconds = 0, 0.0
    if state_file.is_file() and not cfg.restart:
        st = load_training_state(state_file)
        if st.get("fingerprint") != cfg.fingerprint():
            raise FusebenchError(
                f"{state_file}: saved state was trained with different settings "
                f"({st.get('fingerprint')}); pass --restart or another --out"
            )
        model.load_state_dict(st["model"])
        opt.load_state_dict(st["optimizer"])
        history, lr_dropped_at = st["history"], st["lr_dropped_at"]
        start_epoch, train_seconds = st["epoch"] + 1, st["train_seconds"]
        if cfg.progress:
            print(f"resuming from {state_file} after epoch {start_epoch}")

    a, b, y = _tensors(train_ex, device)
    n = len(train_ex)
    if not history:  # epoch 0: the untrained network, for the loss curve
        init = evaluate(model, val_ex, device)
        history.append({"epoch": 0, "train_loss": None, "val_loss": init["loss"],
                        "val_accuracy": init["accuracy"], "lr": cfg.lr, "seconds": 0.0})
    for epoch in range(start_epoch, cfg.epochs):
        t_ep = time.time()
        model.train()
        order = torch.randperm(n, generator=torch.Generator().manual_seed(cfg.seed * 1000 + epoch)).to(device)
        batches = range(0, n, cfg.batch_size)
        if cfg.progress:
            from tqdm import tqdm

            batches = tqdm(batches, desc=f"epoch {epoch + 1}/{cfg.epochs}", unit="batch")
        run_loss, seen = 0.0, 0
        for i in batches:
            idx = order[i : i + cfg.batch_size]
            logits = model(a[idx].float() / 255.0, b[idx].float() / 255.0)
            loss = F.cross_entropy(logits, y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            run_loss += loss.item() * len(idx)
            seen += len(idx)
            if cfg.progress and (i // cfg.batch_size) % 20 == 0:
                batches.set_postfix(loss=f"{run_loss / seen:.4f}", lr=opt.param_groups[0]["lr"])
        val = evaluate(model, val_ex, device)
        train_seconds += time.time() - t_ep
        rec = {"epoch": epoch + 1, "train_loss": run_loss / max(seen, 1), "val_loss": val["loss"],
               "val_accuracy": val["accuracy"], "lr": opt.param_groups[0]["lr"], "seconds": time.time() - t_ep}
        prev = history[-1]["val_loss"] if history else None
        history.append(rec)
        if lr_dropped_at is None and prev is not None and prev - val["loss"] < cfg.plateau * prev:
            for g in opt.param_groups:
                g["lr"] *= 0.1
            lr_dropped_at = epoch + 1
        if cfg.progress:
            print(f"epoch {epoch + 1}: train loss {rec['train_loss']:.4f}  val loss {val['loss']:.4f}  "
                  f"val accuracy {100 * val['accuracy']:.2f} %  lr {rec['lr']:g}", flush=True)
        save_training_state({"model": model.state_dict(), "optimizer": opt.state_dict(), "history": history,
                         "lr_dropped_at": lr_dropped_at, "epoch": epoch, "train_seconds": train_seconds,
                         "fingerprint": cfg.fingerprint()}, state_file)

    meta = {
        "method": net.method,
        "paper": net.paper,
        **net.extra_meta(cfg),
        "config": dataclasses.asdict(cfg),
        "data": {
            "corpus": cfg.data,
            "folder": str(corpus),
            "train_images": len(train_files),
            "val_images": len(val_files),
            "train_images_sha1": hashlib.sha1("\n".join(p.name for p in train_files).encode()).hexdigest(),
            "val_image_ids": [p.stem for p in val_files],
            "train_examples": len(train_ex),
            "val_examples": len(val_ex),
            "blur": "5 cumulative levels, Gaussian sigma=2 truncated 7x7; flat patches (variance < 25) skipped",
        },
        **run_record(history, train_seconds, data_seconds, device, cfg.threads, cfg.compact,
                     lr_dropped_after_epoch=lr_dropped_at),
    }
    net.save(out, model, meta, compact=cfg.compact)
    # Validate the weights exactly as saved (int8 FC1 in a compact checkpoint).
    final = evaluate(net.load(out, device), val_ex, device)
    meta["val_loss"] = final["loss"]
    meta["val_accuracy"] = final["accuracy"]
    meta["val_accuracy_per_level"] = {k.split("level")[1]: v for k, v in final.items() if "level" in k}
    net.save(out, net.load(out, "cpu"), meta, compact=cfg.compact)
    card_json, card_md = net.write_card(out, meta)
    return TrainResult(out, card_json, card_md, history, final["accuracy"])


def history_table(meta: dict[str, Any]) -> str:
    """The Markdown table of a patch-pair training record's history (one row an epoch).

        >>> print(history_table({"history": [{"epoch": 0, "train_loss": None, "val_loss": 0.69,
        ...                                   "val_accuracy": 0.5, "lr": 0.01}]}))
        | epoch (0 = untrained) | train loss | val loss | val accuracy (%) | lr |
        |---|---|---|---|---|
        | 0 | - | 0.6900 | 50.00 | 0.01 |
    """
    rows = "\n".join(
        f"| {h['epoch']} | {'-' if h['train_loss'] is None else format(h['train_loss'], '.4f')} | "
        f"{h['val_loss']:.4f} | {100 * h['val_accuracy']:.2f} | {h['lr']:g} |"
        for h in meta["history"]
    )
    return ("| epoch (0 = untrained) | train loss | val loss | val accuracy (%) | lr |\n"
            "|---|---|---|---|---|\n" + rows)


def accuracy_per_level(meta: dict[str, Any]) -> str:
    """``"level 1: 99.10 %, ..."``: the final validation accuracy per blur level."""
    return ", ".join(f"level {k}: {100 * v:.2f} %" for k, v in meta.get("val_accuracy_per_level", {}).items())


def write_model_card(out: Path, meta: dict[str, Any]) -> tuple[Path, Path]:
    """``<stem>.json`` (the full record) and ``<stem>.md`` (human-readable) beside the checkpoint."""
    out = Path(out)
    stem = out.with_suffix("")
    card_json = stem.parent / "model_card.json" if out.name == "cnn_patch.pt" else stem.with_suffix(".json")
    card_md = card_json.with_name("MODEL_CARD.md" if card_json.name == "model_card.json" else stem.name + ".md")
    card_json.write_text(json.dumps(meta, indent=2) + "\n")
    d, c = meta["data"], meta["config"]
    drop = meta["lr_dropped_after_epoch"]
    drop_text = f"divided by 10 once after epoch {drop} (plateau)" if drop else "never dropped (no plateau)"
    levels = accuracy_per_level(meta)
    card_md.write_text(f"""# Model card: cnn-patch (Liu et al. 2017 siamese patch CNN)

Weights file: `{out.name}` ({"int8 FC1 + float16 rest" if meta.get("compact") else "float32"}).
Paper: {meta["paper"]}.

## Intended use
Focus classifier for two-source multi-focus fusion (`python -m bench fuse ... --method cnn-patch`).
Output: P(first 16x16 grey patch is the sharper one).

## Training data
- Corpus: `{d["corpus"]}` (BSDS500 train+val photos, never an evaluation set), grey (BT.601 luma).
- {d["blur"]}.
- Photos split by image: {d["train_images"]} for training, {d["val_images"]} held out for validation.
- Examples: {d["train_examples"]} training, {d["val_examples"]} validation (half positive, half swapped).

## Training
- SGD, momentum {c["momentum"]}, weight decay {c["weight_decay"]}, batch {c["batch_size"]},
  lr {c["lr"]:g} {drop_text}; Xavier init; seed {c["seed"]}.
- Epochs: {meta["epochs"]}; training time {meta["training_seconds"] / 60:.1f} min
  (+ {meta["data_seconds"]:.0f} s building patches) on {meta["device"]}, torch {meta["torch"]}.
- Code version: `{meta["code_version"]}`; created {meta["created"]}.

{history_table(meta)}

## Evaluation
Validation accuracy on held-out synthetic patch pairs (weights as saved):
**{100 * meta["val_accuracy"]:.2f} %** ({levels}).
The paper reports 99.5 % with 2 M examples and 10 epochs.

## Limitations
Trained on synthetic Gaussian blur of 16x16 grey patches; flat regions carry no focus
cue (scores near 0.5). Fewer examples and epochs than the paper.
""")
    return card_json, card_md


# -- CLI --------------------------------------------------------------------
class _Trainer:
    name = "cnn-patch"
    help = "train the cnn-patch focus classifier (Liu et al. 2017) on synthetic blur patch pairs"

    def add_arguments(self, p: argparse.ArgumentParser) -> None:
        d = TrainConfig()
        p.add_argument("--data", default=d.data, choices=["natural"], help="training corpus (default: natural)")
        p.add_argument("--data-dir", default=None, help="data root holding natural/ (default: FUSEBENCH_DATA, user cache)")
        p.add_argument("--examples", type=int, default=d.examples, help=f"training examples (default {d.examples})")
        p.add_argument("--val-examples", type=int, default=d.val_examples, help=f"validation examples (default {d.val_examples})")
        p.add_argument("--epochs", type=int, default=d.epochs, help=f"epochs (default {d.epochs})")
        p.add_argument("--batch-size", type=int, default=d.batch_size)
        p.add_argument("--lr", type=float, default=d.lr, help=f"initial learning rate (default {d.lr:g}; paper 1e-4)")
        p.add_argument("--plateau", type=float, default=d.plateau,
                       help="drop lr x0.1 once when val loss improves by less than this fraction")
        p.add_argument("--seed", type=int, default=d.seed)
        p.add_argument("--threads", type=int, default=d.threads, help="CPU threads for torch (default 2)")
        p.add_argument("--max-images", type=int, default=None, help="use only the first N training photos")
        add_output_options(p, out_help=f"checkpoint path (default {d.out}); model card beside it",
                           out_default=d.out, device_default=d.device,
                           float32_help="save full float32 weights (default: compact int8 FC1)")

    def run(self, args: argparse.Namespace) -> int:
        cfg = TrainConfig(
            data=args.data, data_dir=args.data_dir, examples=args.examples, val_examples=args.val_examples,
            epochs=args.epochs, batch_size=args.batch_size, lr=args.lr, plateau=args.plateau, seed=args.seed,
            device=args.device, threads=args.threads, out=args.out, compact=not args.float32,
            max_images=args.max_images, progress=not args.no_progress, restart=args.restart,
        )
        res = train(cfg)
        print(f"validation accuracy {100 * res.val_accuracy:.2f} %  checkpoint {res.checkpoint}  "
              f"model card {res.card_md}")
        return 0


register_trainer("cnn-patch")(_Trainer())
