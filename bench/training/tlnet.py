"""Training of tlnet: ``python -m bench train tlnet --config paper|cpu [...]``.

Data: :mod:`bench.datasets.focus_pairs` (paper recipe on ``natural`` or any
folder with ``images/`` + ``masks/``), 90/10 image-level split stratified by
blur level. Loss (:func:`hybrid_loss`), per decoder head ``h`` (logits
upsampled to the label size, ``p = softmax``, class 1 = unfocused)::

    L_h = CE(p, y) + mean((p_1 − y)²)          L = mean_h L_h   (layerwise-hybrid)
    L   = CE(p_last, y)                                         (ce-last, "Compare-loss")

Configurations (:data:`TRAIN_CONFIGS`):

* ``paper``: 224×224 crops, RMSprop (lr 1e-6, weight decay 1e-3, momentum
  0.9), 50 epochs, VGG-19 transfer on.
* ``cpu``: the ``cpu`` network (⅛ width, 1 new conv per encoder, 2 convs per
  decoder), 192×192 crops, 4 epochs, AdamW with a cosine schedule (converges in a few
  thousand steps on a 2-core CPU), no transfer (no ImageNet file here).

Both add training-only sensor noise and JPEG re-encoding to each source
(:func:`bench.datasets.focus_pairs.degrade`; ``noise_max=0, jpeg_prob=0``
gives the bare recipe): without it the net learns "pixel noise = in focus"
and calls every real photo focused.

An epoch = one pair per (training image, blur level), i.e. 1 350 pairs =
2 700 source crops on ``natural``. Each epoch writes ``last.pt`` (resumable
with ``--resume``); the end writes the slim checkpoint + model card.

    python -m bench train tlnet --config cpu --out runs/tlnet-cpu --data-dir ../shared/datasets
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import json
import math
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.errors import CheckpointError, ParameterError
from bench.training import register_trainer
from bench.training.checkpoint import load_training_state, save_training_state

LOSSES = ("layerwise-hybrid", "ce-last")


@dataclass
class TrainConfig:
    """Everything that defines a training run (saved in the checkpoint and model card)."""

    config: str = "cpu"
    epochs: int = 5
    crop: int = 96
    pairs_per_batch: int = 4
    optimizer: str = "adamw"
    lr: float = 2e-3
    weight_decay: float = 1e-4
    momentum: float = 0.9
    loss: str = "layerwise-hybrid"
    transfer: bool = False
    freeze_vgg: bool = False
    batchnorm: bool = True
    init: str = "xavier"
    seed: int = 0
    val_fraction: float = 0.1
    blob_fraction: float = 0.3
    noise_max: float = 4.0  # training-only sensor noise (grey levels), see focus_pairs.degrade
    jpeg_prob: float = 0.5
    pairs_per_epoch: int = 0  # 0: one per (training image, blur level)
    val_images_per_epoch: int = 4


TRAIN_CONFIGS = {
    "paper": TrainConfig(
        config="paper", epochs=50, crop=224, pairs_per_batch=4, optimizer="rmsprop", lr=1e-6,
        weight_decay=1e-3, momentum=0.9, transfer=True,
    ),
    "cpu": TrainConfig(config="cpu", epochs=4, crop=192),
}


def _data_options(tc: TrainConfig) -> dict:
    return {"blob_fraction": tc.blob_fraction, "noise_max": tc.noise_max, "jpeg_prob": tc.jpeg_prob}


def hybrid_loss(heads, labels, mode: str = "layerwise-hybrid"):
    """The layer-by-layer hybrid loss (see module docstring); ``labels`` N×H×W in {0, 1}."""
    import torch
    from torch.nn import functional as F

    if mode not in LOSSES:
        raise ParameterError(f"tlnet: unknown loss {mode!r} (choose from {', '.join(LOSSES)})")
    target = labels.long()
    used = heads if mode == "layerwise-hybrid" else heads[-1:]
    terms = []
    for logits in used:
        if logits.shape[-2:] != labels.shape[-2:]:
            logits = F.interpolate(logits, size=labels.shape[-2:], mode="bilinear", align_corners=False)
        term = F.cross_entropy(logits, target)
        if mode == "layerwise-hybrid":
            p1 = torch.softmax(logits, dim=1)[:, 1]
            term = term + torch.mean((p1 - labels) ** 2)
        terms.append(term)
    return torch.stack(terms).mean()


def focus_scores(pred: np.ndarray, label: np.ndarray) -> dict:
    """Pixel accuracy and IoU of binary unfocused maps (IoU of class 1 and mean over both)."""
    pred = np.asarray(pred, bool)
    label = np.asarray(label) > 0.5
    inter1, union1 = np.sum(pred & label), np.sum(pred | label)
    inter0, union0 = np.sum(~pred & ~label), np.sum(~pred | ~label)
    iou1 = inter1 / union1 if union1 else 1.0
    iou0 = inter0 / union0 if union0 else 1.0
    return {"pixel_accuracy": float(np.mean(pred == label)), "iou": float(iou1),
            "miou": float((iou0 + iou1) / 2)}


def evaluate(net, source, items, levels=None, degraded: bool = False) -> dict:
    """Mean pixel accuracy / IoU of thresholded P(unfocused) on whole validation pairs.

    ``degraded``: the pairs get the training-time noise/JPEG degradation (seeded).
    """
    from bench.datasets.focus_pairs import LEVELS
    from methods.tlnet.model import predict_unfocused

    per_level: dict[int, list[dict]] = {}
    for _id, level, a, b, ua, ub in source.validation_pairs(items, levels or LEVELS, degraded=degraded):
        for img, lab in ((a, ua), (b, ub)):
            per_level.setdefault(level, []).append(focus_scores(predict_unfocused(net, img) > 0.5, lab))
    allrows = [r for rows in per_level.values() for r in rows]
    out = {k: float(np.mean([r[k] for r in allrows])) for k in ("pixel_accuracy", "iou", "miou")}
    out["per_level_accuracy"] = {
        str(lv): float(np.mean([r["pixel_accuracy"] for r in rows])) for lv, rows in sorted(per_level.items())
    }
    out["n_images"] = len(allrows)
    return out


def build_network(tc: TrainConfig, vgg_weights=None, download_vgg=False):
    """The network of a training config, with the VGG transfer applied when asked."""
    import torch

    from methods.tlnet.model import CONFIGS, TLNet

    torch.manual_seed(tc.seed)
    arch = CONFIGS[tc.config].replace(batchnorm=tc.batchnorm, init=tc.init)
    net = TLNet(arch)
    if tc.transfer:
        from methods.tlnet.vgg_transfer import load_vgg19_state_dict, transfer_vgg19

        transfer_vgg19(net, load_vgg19_state_dict(vgg_weights, download=download_vgg), freeze=tc.freeze_vgg)
    return net


def make_optimizer(tc: TrainConfig, net, total_steps: int):
    import torch

    params = [p for p in net.parameters() if p.requires_grad]
    if tc.optimizer == "rmsprop":
        opt = torch.optim.RMSprop(params, lr=tc.lr, weight_decay=tc.weight_decay, momentum=tc.momentum)
        sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 1.0)
    elif tc.optimizer == "adamw":
        opt = torch.optim.AdamW(params, lr=tc.lr, weight_decay=tc.weight_decay)
        warm = max(1, total_steps // 50)
        sched = torch.optim.lr_scheduler.LambdaLR(
            opt,
            lambda s: min(1.0, (s + 1) / warm) * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * min(1.0, s / total_steps)))),
        )
    else:
        raise ParameterError(f"tlnet: unknown optimizer {tc.optimizer!r} (rmsprop or adamw)")
    return opt, sched


def to_batch(x: np.ndarray):
    """N×H×W×3 float 0..255 -> ImageNet-normalised N×3×H×W tensor."""
    import torch

    from methods.tlnet.model import IMAGENET_MEAN, IMAGENET_STD

    x = (x / 255.0 - np.array(IMAGENET_MEAN, np.float32)) / np.array(IMAGENET_STD, np.float32)
    return torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2), dtype=np.float32))


def train(tc: TrainConfig, out: Path, *, data_dir=None, data_folder=None, resume=False,
          threads: int = 1, vgg_weights=None, download_vgg=False, name: str | None = None,
          progress: bool = True, max_steps: int | None = None) -> dict:
    """Run (or resume) a training; returns the model card dict. See module docstring."""
    import torch
    from tqdm import tqdm

    from bench.datasets.focus_pairs import LEVELS, FocusPairSource, split_items

    torch.set_num_threads(max(1, threads))
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    source = (FocusPairSource.from_folder(data_folder, **_data_options(tc)) if data_folder
              else FocusPairSource.natural(data_dir, **_data_options(tc)))
    train_items, val_items = split_items(source.items, tc.val_fraction, tc.seed)
    pairs_per_epoch = tc.pairs_per_epoch or len(train_items) * len(LEVELS)
    steps_per_epoch = max(1, pairs_per_epoch // tc.pairs_per_batch)
    total_steps = steps_per_epoch * tc.epochs
    net = build_network(tc, vgg_weights, download_vgg)
    opt, sched = make_optimizer(tc, net, total_steps)
    rng = np.random.default_rng(tc.seed)
    state = {"epoch": 0, "step": 0, "history": [], "train_seconds": 0.0}
    last = out / "last.pt"
    if resume and last.is_file():
        ck = load_training_state(last)
        if ck["train_config"] != dataclasses.asdict(tc):
            raise CheckpointError(f"{last}: saved with a different training config; use another --out")
        net.load_state_dict(ck["model"])
        opt.load_state_dict(ck["optimizer"])
        sched.load_state_dict(ck["scheduler"])
        rng.bit_generator.state = ck["numpy_rng"]
        torch.set_rng_state(ck["torch_rng"])
        state = ck["state"]
        print(f"resumed from {last} at epoch {state['epoch']}")
    val_subset = val_items[: tc.val_images_per_epoch]
    for epoch in range(state["epoch"], tc.epochs):
        net.train()
        t0 = time.time()
        losses = []
        bar = tqdm(range(steps_per_epoch), desc=f"tlnet {tc.config} epoch {epoch + 1}/{tc.epochs}",
                   disable=not progress, mininterval=5.0)
        for _ in bar:
            x, y = source.random_crops(train_items, tc.pairs_per_batch, tc.crop, rng)
            heads = net(to_batch(x))
            loss = hybrid_loss(heads, torch.from_numpy(y), tc.loss)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            state["step"] += 1
            losses.append(loss.item())
            bar.set_postfix(loss=f"{np.mean(losses[-50:]):.4f}")
            if max_steps is not None and len(losses) >= max_steps:
                break
        state["train_seconds"] += time.time() - t0
        val = evaluate(net, source, val_subset)
        state["epoch"] = epoch + 1
        state["history"].append({"epoch": epoch + 1, "loss": float(np.mean(losses)),
                                 "val_pixel_accuracy": val["pixel_accuracy"], "val_iou": val["iou"],
                                 "seconds": round(time.time() - t0, 1)})
        print(json.dumps(state["history"][-1]), flush=True)
        save_training_state({"model": net.state_dict(), "optimizer": opt.state_dict(),
                         "scheduler": sched.state_dict(), "numpy_rng": rng.bit_generator.state,
                         "torch_rng": torch.get_rng_state(), "state": state,
                         "train_config": dataclasses.asdict(tc), "arch": net.config.to_dict()}, last)
        if max_steps is not None:
            break
    return finish(net, tc, out, source=source, train_items=train_items, val_items=val_items, state=state,
                  data=str(data_folder or "natural"), name=name)


def finish(net, tc, out, *, source, train_items, val_items, state, data, name, val_limit=None):
    """Full validation on held-out pairs (clean and degraded as in training), then :func:`export`."""
    items = val_items[:val_limit] if val_limit else val_items
    val = evaluate(net, source, items)
    val["degraded"] = evaluate(net, source, items, degraded=True)
    return export(net, tc, out, val=val, state=state, source=source, n_train=len(train_items),
                  n_val=len(val_items), data=data, name=name or f"tlnet-{tc.config}")


def export_from_last(out: Path, *, data_dir=None, data_folder=None, name=None, val_limit=None,
                     threads: int = 1) -> dict:
    """Export the slim checkpoint + model card from ``out/last.pt`` (e.g. an unfinished run)."""
    import torch

    from bench.datasets.focus_pairs import FocusPairSource, split_items
    from methods.tlnet.model import TLNet, TLNetConfig

    torch.set_num_threads(max(1, threads))
    ck = load_training_state(Path(out) / "last.pt")
    tc = TrainConfig(**ck["train_config"])
    net = TLNet(TLNetConfig.from_dict(ck["arch"]))
    net.load_state_dict(ck["model"])
    source = (FocusPairSource.from_folder(data_folder, **_data_options(tc)) if data_folder
              else FocusPairSource.natural(data_dir, **_data_options(tc)))
    train_items, val_items = split_items(source.items, tc.val_fraction, tc.seed)
    return finish(net, tc, Path(out), source=source, train_items=train_items, val_items=val_items,
                  state=ck["state"], data=str(data_folder or "natural"), name=name, val_limit=val_limit)


def export(net, tc: TrainConfig, out: Path, *, val, state, source, n_train, n_val, data, name) -> dict:
    """Write ``<name>.pt`` (weights + architecture) and ``model_card.json`` / ``MODEL_CARD.md``."""
    import torch

    from methods.tlnet.model import count_layers

    card = {
        "name": name,
        "configuration": tc.config,
        "architecture": net.config.to_dict(),
        "parameters": count_layers(net)["parameters"],
        "vgg_transfer": bool(tc.transfer),
        "vgg_transfer_note": (
            "encoder VGG layers initialised from torchvision VGG-19 ImageNet weights" if tc.transfer else
            "trained from scratch (Xavier init): no ImageNet VGG-19 weights were available; this is NOT "
            "the paper's transferred model"
        ),
        "data": {
            "source": data,
            "recipe": "paper: 3x3 Gaussian sigma=2 applied k=1..5 times; A=M*I+(1-M)*blur_k, B the reverse; "
                      "M = union of BSDS regions covering 20-60% (or smooth blobs, "
                      f"{tc.blob_fraction:.0%}); training sources only: Gaussian noise sigma U(0,{tc.noise_max}) and "
                      f"JPEG re-encode (q 60-95) with p={tc.jpeg_prob}; validation pairs clean",
            "train_images": n_train, "val_images": n_val,
            "split": "90/10 by image, every image with all 5 blur levels (stratified by level)",
        },
        "training": dataclasses.asdict(tc),
        "epochs_completed": state["epoch"],
        "steps": state["step"],
        "history": state["history"],
        "training_seconds": round(state["train_seconds"], 1),
        "validation": val,
        "seed": tc.seed,
        "torch": str(torch.__version__),
        "created": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    sd = {k: v.detach().clone() for k, v in net.state_dict().items()}
    torch.save({"name": name, "arch": net.config.to_dict(), "state_dict": sd, "card": card},
               out / f"{name}.pt")
    (out / "model_card.json").write_text(json.dumps(card, indent=2) + "\n")
    (out / "MODEL_CARD.md").write_text(model_card_markdown(card))
    print(f"wrote {out / (name + '.pt')}: validation pixel accuracy {val['pixel_accuracy']:.4f}, "
          f"IoU {val['iou']:.4f}")
    return card


def model_card_markdown(card: dict) -> str:
    v = card["validation"]
    t = card["training"]
    lines = [
        f"# Model card: {card['name']}",
        "",
        f"**VGG transfer: {'yes' if card['vgg_transfer'] else 'NO'}**: {card['vgg_transfer_note']}.",
        "",
        f"- Configuration: `{card['configuration']}`; architecture {json.dumps(card['architecture'])}; "
        f"{card['parameters']:,} parameters.",
        f"- Data: {card['data']['source']} ({card['data']['train_images']} training / "
        f"{card['data']['val_images']} validation images); {card['data']['recipe']}; split: "
        f"{card['data']['split']}.",
        f"- Training: {card['epochs_completed']} epochs, {card['steps']} steps of "
        f"{2 * t['pairs_per_batch']} crops {t['crop']}×{t['crop']}; optimiser {t['optimizer']} "
        f"lr {t['lr']}, weight decay {t['weight_decay']}; loss {t['loss']}; init {t['init']}; "
        f"batchnorm {t['batchnorm']}; seed {card['seed']}; {card['training_seconds'] / 60:.1f} min on CPU "
        f"(torch {card['torch']}).",
        f"- Validation ({v['n_images']} whole held-out synthetic sources): pixel accuracy "
        f"{v['pixel_accuracy']:.4f}, IoU (unfocused) {v['iou']:.4f}, mean IoU {v['miou']:.4f}; "
        f"per blur level: " + ", ".join(f"{k}: {a:.3f}" for k, a in v["per_level_accuracy"].items()) + ".",
        *([f"- Same pairs with the training-time noise/JPEG degradation: pixel accuracy "
           f"{v['degraded']['pixel_accuracy']:.4f}, IoU {v['degraded']['iou']:.4f}; per blur level: "
           + ", ".join(f"{k}: {a:.3f}" for k, a in v["degraded"]["per_level_accuracy"].items()) + "."]
          if "degraded" in v else []),
        f"- Created {card['created']}.",
        "",
    ]
    return "\n".join(lines)


class _TLNetTrainer:
    name = "tlnet"
    help = "train the tlnet focus network (configs: paper, cpu)"

    @staticmethod
    def ablation_table(*args, **kwargs):
        """The paper's ablation rows (``bench ablate tlnet``), see :mod:`bench.training.tlnet_ablation`."""
        from bench.training.tlnet_ablation import ablation_table

        return ablation_table(*args, **kwargs)

    def add_arguments(self, p):
        p.add_argument("--config", choices=sorted(TRAIN_CONFIGS), default="cpu")
        p.add_argument("--out", default=None, help="output folder (default runs/tlnet-<config>)")
        p.add_argument("--name", default=None, help="checkpoint name (default tlnet-<config>)")
        p.add_argument("--data-dir", default=None, help="data root holding natural/")
        p.add_argument("--data-folder", default=None, help="any folder with images/ and masks/")
        p.add_argument("--epochs", type=int)
        p.add_argument("--crop", type=int)
        p.add_argument("--pairs-per-batch", type=int)
        p.add_argument("--pairs-per-epoch", type=int)
        p.add_argument("--lr", type=float)
        p.add_argument("--optimizer", choices=("rmsprop", "adamw"))
        p.add_argument("--loss", choices=LOSSES)
        p.add_argument("--init", choices=("xavier", "normal"))
        p.add_argument("--no-batchnorm", dest="batchnorm", action="store_false", default=None)
        p.add_argument("--transfer", dest="transfer", action="store_true", default=None)
        p.add_argument("--no-transfer", dest="transfer", action="store_false")
        p.add_argument("--freeze-vgg", action="store_true", default=None)
        p.add_argument("--vgg-weights", default=None, help="path to vgg19-dcbb9e9d.pth")
        p.add_argument("--download-vgg", action="store_true")
        p.add_argument("--seed", type=int)
        p.add_argument("--threads", type=int, default=1)
        p.add_argument("--resume", action="store_true")
        p.add_argument("--max-steps", type=int, default=None, help="stop after N steps (smoke runs)")
        p.add_argument("--no-progress", action="store_true")
        p.add_argument("--export-only", action="store_true",
                       help="write the checkpoint + model card from OUT/last.pt and stop")
        p.add_argument("--val-images", type=int, default=None,
                       help="validate on the first N held-out images only (with --export-only)")

    def run(self, args) -> int:
        if args.export_only:
            export_from_last(Path(args.out or f"runs/tlnet-{args.config}"), data_dir=args.data_dir,
                             data_folder=args.data_folder, name=args.name, val_limit=args.val_images,
                             threads=args.threads)
            return 0
        tc = dataclasses.replace(TRAIN_CONFIGS[args.config])
        for f in ("epochs", "crop", "pairs_per_batch", "pairs_per_epoch", "lr", "optimizer", "loss", "init",
                  "batchnorm", "transfer", "freeze_vgg", "seed"):
            v = getattr(args, f, None)
            if v is not None:
                tc = dataclasses.replace(tc, **{f: v})
        out = Path(args.out or f"runs/tlnet-{args.config}")
        train(tc, out, data_dir=args.data_dir, data_folder=args.data_folder, resume=args.resume,
              threads=args.threads, vgg_weights=args.vgg_weights, download_vgg=args.download_vgg,
              name=args.name, progress=not args.no_progress, max_steps=args.max_steps)
        return 0


register_trainer("tlnet")(_TLNetTrainer())
