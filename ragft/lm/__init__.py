"""The course language model: a tiny Llama-style causal LM pretrained from scratch on the course world.

nanoGPT in spirit, one idea per file:

    tokenizer.py   word-level tokenizer (one token per digit) and `detokenize` for clean answers
    prompt.py      the one prompt format: `passage 1: ...`, `question: ...`, `answer:`
    data.py        DataConfig and PretrainStream: static knowledge and RAFT-style reading exercises
    model.py       ModelConfig and build_model (a transformers LlamaForCausalLM)
    generate.py    batched greedy `generate`, `answer`, `accuracy_on` reading items
    train.py       TrainConfig, the learning-rate schedule, `train_step` and `pretrain`
    stages.py      LATER_STAGES and `continue_pretraining`
    checkpoint.py  save, load, benchmark
    card.py        the model card, with how the stages were found
    __main__.py    ``python -m ragft.lm pretrain`` reproduces the shipped checkpoint from its seed
"""

from ragft.lm.card import write_model_card
from ragft.lm.checkpoint import DEFAULT_DIR, benchmark, load, save
from ragft.lm.data import DataConfig, PretrainStream, collate, encode
from ragft.lm.generate import accuracy_on, answer, generate
from ragft.lm.model import ModelConfig, build_model, count_parameters
from ragft.lm.prompt import prompt
from ragft.lm.stages import LATER_STAGES, Stage, continue_pretraining
from ragft.lm.tokenizer import SPECIAL_TOKENS, detokenize, tokenizer_corpus, train_tokenizer
from ragft.lm.train import TrainConfig, lr_at, pretrain, quick_eval, train_step
from ragft.reading import TRAINING_DAYS, DocIndex, open_book_example  # the reading task, still used as lm.X

__all__ = ["DEFAULT_DIR", "LATER_STAGES", "SPECIAL_TOKENS", "TRAINING_DAYS", "DataConfig", "DocIndex", "ModelConfig",
           "PretrainStream", "Stage", "TrainConfig", "accuracy_on", "answer", "benchmark", "build_model", "collate",
           "continue_pretraining", "count_parameters", "detokenize", "encode", "generate", "load", "lr_at",
           "open_book_example", "pretrain", "prompt", "quick_eval", "save", "tokenizer_corpus", "train_step",
           "train_tokenizer", "write_model_card"]
