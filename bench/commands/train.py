"""``python -m bench train NAME [...]``: train a deep method (see bench.training)."""

from __future__ import annotations

NAME = "train"
HELP = "train a deep method's network (cnn-patch, tlnet, wavelet-cnn)"


def add_arguments(p):
    from bench.training import get_trainer, list_trainers

    sub = p.add_subparsers(dest="trainer", metavar="NAME")
    for name in list_trainers():
        trainer = get_trainer(name)
        tp = sub.add_parser(name, help=getattr(trainer, "help", ""))
        trainer.add_arguments(tp)
        tp.set_defaults(_trainer=trainer)


def run(args) -> int:
    trainer = getattr(args, "_trainer", None)
    if trainer is None:
        from bench.training import list_trainers

        print("usage: python -m bench train NAME ...; trainers: " + ", ".join(list_trainers()))
        return 2
    return int(trainer.run(args) or 0)
