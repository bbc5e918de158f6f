"""python -m ragft.lm pretrain|continue|benchmark: train the course model from its seed, or evaluate one.

`pretrain` takes one option per field of ModelConfig, TrainConfig and DataConfig (`--d-model`, `--lr`,
`--static-share`, ...) with the field's default; `--seed` is both the training and the data seed.
"""

from __future__ import annotations

import argparse
import json
import sys
import typing
from dataclasses import fields
from pathlib import Path
from typing import Sequence

from ragft.lm.card import write_model_card
from ragft.lm.checkpoint import DEFAULT_DIR, benchmark, load, save
from ragft.lm.data import DataConfig
from ragft.lm.model import ModelConfig
from ragft.lm.stages import LATER_STAGES, continue_pretraining
from ragft.lm.train import TrainConfig, pretrain

CONFIGS = (ModelConfig, TrainConfig, DataConfig)


def add_config_options(parser: argparse.ArgumentParser) -> None:
    """Add `--field-name` for every field of CONFIGS, defaulting to the dataclass default (a name shared by
    two configs, like seed, is one option that sets both)."""
    owners: dict[str, list[type]] = {}
    for cls in CONFIGS:
        for f in fields(cls):
            owners.setdefault(f.name, []).append(cls)
    for name, classes in owners.items():
        default = {getattr(cls, name) for cls in classes}
        if len(default) > 1:
            raise ValueError(f"--{name} would have two defaults; give {name} one default in every config")
        kind = typing.get_type_hints(classes[0])[name]
        kind = next((t for t in typing.get_args(kind) if t is not type(None)), kind)  # float | None -> float
        flag, default = "--" + name.replace("_", "-"), default.pop()
        doc = " and ".join(f"{cls.__name__}.{name}" for cls in classes) + " (default %(default)s)"
        if kind is bool:
            parser.add_argument(flag, action=argparse.BooleanOptionalAction, default=default, help=doc)
        else:
            parser.add_argument(flag, type=kind, default=default, help=doc)


def configs_from(args: argparse.Namespace) -> list:
    """ModelConfig, TrainConfig and DataConfig built from the parsed options."""
    return [cls(**{f.name: getattr(args, f.name) for f in fields(cls)}) for cls in CONFIGS]


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the command line and run it; pretrain and continue also save, benchmark and write the model card."""
    parser = argparse.ArgumentParser(prog="python -m ragft.lm", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("pretrain", help="pretrain the course model from its seed")
    p.add_argument("--out", default=str(DEFAULT_DIR))
    p.add_argument("--stages", type=int, default=len(LATER_STAGES),
                   help=f"how many of the {len(LATER_STAGES)} later stages (see LATER_STAGES) to run after the first")
    add_config_options(p)
    c = sub.add_parser("continue", help="run the later stages a checkpoint has not been through yet")
    c.add_argument("--from", dest="source", default=str(DEFAULT_DIR))
    c.add_argument("--out", default=str(DEFAULT_DIR))
    b = sub.add_parser("benchmark", help="evaluate a checkpoint")
    b.add_argument("--model-dir", default=str(DEFAULT_DIR))
    b.add_argument("--sample", type=int, default=None)
    args = parser.parse_args(argv)
    if args.command == "benchmark":
        print(json.dumps(benchmark(args.model_dir, args.sample, training_wordings=True), indent=1))
        return
    if args.command == "pretrain":
        model_cfg, train_cfg, data_cfg = configs_from(args)
        model, tokenizer, history = pretrain(model_cfg=model_cfg, train_cfg=train_cfg, data_cfg=data_cfg)
        history["vocab_size"] = len(tokenizer)
        todo = LATER_STAGES[:args.stages]
    else:
        model, tokenizer = load(args.source)
        history = json.loads((Path(args.source) / "history.json").read_text())
        todo = LATER_STAGES[len(history.get("stages", [])):]
    for stage in todo:
        model, tokenizer, history = continue_pretraining(model, tokenizer, history, stage)
    save(model, tokenizer, args.out, history)
    metrics = benchmark(args.out, training_wordings=True)
    (Path(args.out) / "benchmark.json").write_text(json.dumps(metrics, indent=1))
    command = " ".join(["python -m ragft.lm", *(argv if argv is not None else sys.argv[1:])])
    write_model_card(args.out, history, metrics, command)
    print(json.dumps(metrics, indent=1))


if __name__ == "__main__":
    main()
