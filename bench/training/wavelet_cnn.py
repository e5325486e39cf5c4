"""Training ``wavelet-cnn`` (the Haar-sub-band siamese focus classifier).

``python -m bench train wavelet-cnn [--config cpu|paper] [--domain wavelet|pixel]
[--data-dir DIR] [--examples N] [--epochs E] [--device auto|cpu|cuda] [--out PATH]``

The data and the loop are cnn-patch's (:func:`bench.training.cnn_patch.train`,
given this network): 16×16 patch pairs from the ``natural`` corpus (BSDS500)
split by image (10 % of the photos held out for validation), Liu et al.'s blur
recipe (5 cumulative Gaussian levels, σ = 2, 7×7), flat patches skipped, each
pair in both orders; softmax loss, SGD with momentum 0.9 and weight decay 5e-4,
Xavier init, the learning rate divided by 10 once at a validation plateau;
a resumable state file after every epoch, progress bars, a model card at the end.
Never an evaluation set (``check_not_evaluation_data``).

Configurations (``--config``; explicit options override them):

======  =====================  ========  ======  =====  ======  ==========================
config  widths c1,c2,c3,hidden  examples  epochs  batch  lr      meant for
======  =====================  ========  ======  =====  ======  ==========================
cpu     16, 32, 32, 64          80 000    1       128    1e-2    the shipped checkpoint
paper   64, 128, 256, 256       2 000 000 10      128    1e-4    ``--device cuda`` (paper)
======  =====================  ========  ======  =====  ======  ==========================

``--domain pixel`` trains the same network on the 2×2 polyphase pixels instead
of the Haar sub-bands (the ablation of ``bench ablate wavelet-cnn``).
Deterministic on CPU for a fixed seed (no data-loader workers, seeded init and order).

    >>> cfg = config_for("paper", device="cuda")
    >>> cfg.examples, cfg.epochs, cfg.lr, widths_of(cfg)
    (2000000, 10, 0.0001, (64, 128, 256, 256))
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.errors import FusebenchError
from bench.training import add_output_options, register_trainer
from bench.training.ablation import CheckpointAblation
from bench.training.cnn_patch import (
    Network,
    TrainConfig,
    TrainResult,
    accuracy_per_level,
    history_table,
)
from bench.training.cnn_patch import train as train_patch_pairs

PAPER = ("A. Sharma, H. Gupta, Y. Sharma, Image Fusion with Deep Learning using Wavelet Transformation; "
         "after J. Li, G. Yuan, H. Fan, Multifocus image fusion using wavelet domain based deep CNN, "
         "Computational Intelligence and Neuroscience 2019, 4179397, and Y. Liu et al., Information "
         "Fusion 36 (2017) 191-207")

PRESETS: dict[str, dict[str, Any]] = {
    "cpu": {"examples": 80_000, "val_examples": 4_000, "epochs": 1, "batch_size": 128, "lr": 1e-2},
    "paper": {"examples": 2_000_000, "val_examples": 10_000, "epochs": 10, "batch_size": 128, "lr": 1e-4},
}


@dataclass
class WaveletTrainConfig(TrainConfig):
    """cnn-patch's settings plus the configuration name and the input domain."""

    config: str = "cpu"
    domain: str = "wavelet"
    out: str = "runs/wavelet-cnn/wavelet_cnn.pt"

    def fingerprint(self) -> dict[str, Any]:
        return {**super().fingerprint(), "config": self.config, "domain": self.domain}


def config_for(name: str = "cpu", **overrides: Any) -> WaveletTrainConfig:
    """The ``cpu`` or ``paper`` configuration with ``overrides`` (None values ignored)."""
    if name not in PRESETS:
        raise FusebenchError(f"wavelet-cnn training: unknown configuration {name!r} ({', '.join(PRESETS)})")
    values = {**PRESETS[name], **{k: v for k, v in overrides.items() if v is not None}}
    return WaveletTrainConfig(config=name, **values)


def widths_of(cfg: WaveletTrainConfig) -> tuple[int, ...]:
    from methods.wavelet_cnn.model import WIDTHS

    return WIDTHS[cfg.config]


def network() -> Network:
    """The :class:`~bench.training.cnn_patch.Network` record for the patch-pair loop."""
    from methods.wavelet_cnn.model import WaveletCNN
    from methods.wavelet_cnn.weights import load_model, save_checkpoint

    return Network(
        method="wavelet-cnn",
        paper=PAPER,
        build=lambda cfg: WaveletCNN(widths_of(cfg), cfg.domain),
        save=save_checkpoint,
        load=load_model,
        write_card=write_model_card,
        extra_meta=lambda cfg: {"configuration": cfg.config, "domain": cfg.domain,
                                "widths": list(widths_of(cfg)), "imagenet_weights": False},
    )


def train(cfg: WaveletTrainConfig) -> TrainResult:
    """Train (or resume) ``cfg``; checkpoint + model card (``<stem>.json`` / ``.md``) at ``cfg.out``."""
    return train_patch_pairs(cfg, network())


def write_model_card(out: Path, meta: dict[str, Any]) -> tuple[Path, Path]:
    """The training record beside the checkpoint: ``<stem>.json`` and ``<stem>.md``."""
    import json

    out = Path(out)
    card_json, card_md = out.with_suffix(".json"), out.with_suffix(".md")
    card_json.write_text(json.dumps(meta, indent=2) + "\n")
    d, c = meta["data"], meta["config"]
    levels = accuracy_per_level(meta)
    drop = meta["lr_dropped_after_epoch"]
    drop_text = f"divided by 10 after epoch {drop}" if drop else "never dropped"
    card_md.write_text(f"""# Training record: wavelet-cnn ({meta["configuration"]} configuration, {meta["domain"]} domain)

Weights: `{out.name}` ({"float16" if meta.get("compact") else "float32"}), widths {meta["widths"]};
no ImageNet (or any other pre-trained) weights: trained from scratch.

- Data: `{d["corpus"]}` photos ({d["train_images"]} train / {d["val_images"]} validation, split by image),
  {d["blur"]}; {d["train_examples"]} training and {d["val_examples"]} validation examples.
- SGD momentum {c["momentum"]}, weight decay {c["weight_decay"]}, batch {c["batch_size"]}, lr {c["lr"]:g}
  ({drop_text}); seed {c["seed"]}; {meta["epochs"]} epoch(s),
  {meta["training_seconds"] / 60:.1f} min on {meta["device"]}, torch {meta["torch"]}; code `{meta["code_version"]}`.

{history_table(meta)}

Validation accuracy (weights as saved): **{100 * meta["val_accuracy"]:.2f} %** ({levels}).
""")
    return card_json, card_md


# -- ablation: wavelet vs pixel domain (``python -m bench ablate wavelet-cnn``) ---------------
def variant_label(meta: dict[str, Any]) -> str:
    """Row label of a checkpoint: its input domain and configuration.

        >>> variant_label({"domain": "pixel", "configuration": "cpu"})
        'pixel domain (cpu)'
    """
    return f"{meta.get('domain', 'wavelet')} domain ({meta.get('configuration', '?')})"


# Rows {"variant", "checkpoint", "epochs", <metric>: mean}: each checkpoint fuses every pair of the
# dataset with the same pipeline; the metrics default to the paper's five indices.
ablation_table = CheckpointAblation(
    "wavelet-cnn", label=variant_label, weights_module="methods.wavelet_cnn.weights",
    hint="train the pixel-domain variant with "
         "`python -m bench train wavelet-cnn --domain pixel --out DIR/pixel.pt`")


class _Trainer:
    name = "wavelet-cnn"
    help = "train the wavelet-cnn focus classifier (Haar sub-bands) on synthetic blur patch pairs"
    ablation_table = staticmethod(ablation_table)  # bench ablate wavelet-cnn

    def add_arguments(self, p: argparse.ArgumentParser) -> None:
        p.add_argument("--config", default="cpu", choices=list(PRESETS),
                       help="cpu (shipped checkpoint, ~15 min on 2 cores) or paper (sizes and schedule "
                            "of the paper, for --device cuda)")
        p.add_argument("--domain", default="wavelet", choices=["wavelet", "pixel"],
                       help="network input: Haar sub-bands (default) or 2x2 polyphase pixels (ablation)")
        p.add_argument("--data-dir", default=None, help="data root holding natural/ (default: FUSEBENCH_DATA)")
        for opt, typ in (("--examples", int), ("--val-examples", int), ("--epochs", int),
                         ("--batch-size", int), ("--lr", float), ("--seed", int), ("--threads", int),
                         ("--max-images", int)):
            p.add_argument(opt, type=typ, default=None, help="override the configuration's value")
        add_output_options(p, out_help="checkpoint path (default runs/wavelet-cnn/<config>/wavelet_cnn.pt)")

    def run(self, args: argparse.Namespace) -> int:
        out = args.out or f"runs/wavelet-cnn/{args.config}-{args.domain}/wavelet_cnn.pt"
        cfg = config_for(
            args.config, domain=args.domain, data_dir=args.data_dir, examples=args.examples,
            val_examples=args.val_examples, epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
            seed=args.seed, threads=args.threads, max_images=args.max_images, device=args.device, out=out,
            compact=not args.float32, progress=not args.no_progress, restart=args.restart,
        )
        res = train(cfg)
        print(f"validation accuracy {100 * res.val_accuracy:.2f} %  checkpoint {res.checkpoint}  "
              f"model card {res.card_md}")
        return 0


register_trainer("wavelet-cnn")(_Trainer())

__all__ = ["PRESETS", "WaveletTrainConfig", "config_for", "network", "train", "widths_of"]
