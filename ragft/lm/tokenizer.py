"""The course model's tokenizer: word level, lower-cased, punctuation split off, one token per digit.

One token per digit makes every number representable (and copied digit by digit); the vocabulary comes
from training text only, so words that only held-out question wordings use become [UNK].
"""

from __future__ import annotations

import re

from ragft.lm.prompt import prompt
from ragft.world import CONDITIONS, PROFESSIONS, REGIONS, SECTORS, World

SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[BOS]", "[EOS]"]


def tokenizer_corpus(world: World) -> list[str]:
    """The text the model may see: statements, training-wording questions, documents, names, prompt words.

    Held-out question wordings are left out, so their few unseen words ('tell', 'me', 'describe', ...)
    become [UNK], which the model is trained to skip (see `PretrainStream.noisy`).
    """
    facts = world.static_facts() + world.facts_on(1)
    texts = [s for f in facts for s in world.statements(f)]
    texts += [q.question for f in facts for q in world.questions(f, "train")]
    texts += [d.text for d in world.documents(range(1, 366))]
    texts += world.towns + world.companies + world.people + world.rivers + world.products
    texts += REGIONS + SECTORS + PROFESSIONS + CONDITIONS
    texts.append(prompt("what is it?", ["a passage."]) + " 0 1 2 3 4 5 6 7 8 9 - .")
    return texts


def train_tokenizer(world: World | None = None):
    """Train the word-level tokenizer on the world's text and wrap it as a PreTrainedTokenizerFast."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    world = world or World(seed=0)
    tok = Tokenizer(models.WordLevel(unk_token="[UNK]"))
    tok.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Lowercase()])
    tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Whitespace(),
                                                 pre_tokenizers.Punctuation("isolated"),
                                                 pre_tokenizers.Digits(individual_digits=True)])
    tok.train_from_iterator(tokenizer_corpus(world), trainers.WordLevelTrainer(special_tokens=SPECIAL_TOKENS))
    tok.post_processor = processors.TemplateProcessing(single="[BOS] $A", special_tokens=[("[BOS]", tok.token_to_id("[BOS]"))])
    return PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="[PAD]", unk_token="[UNK]",
                                   bos_token="[BOS]", eos_token="[EOS]", padding_side="left",
                                   model_max_length=512)


_NUMBER_GLUE = [(re.compile(r"(?<=\d) (?=\d)"), ""),          # 1 8 4 -> 184
                (re.compile(r"(?<=\d) \. (?=\d)"), "."),     # 184 . 20 -> 184.20
                (re.compile(r"(^|(?<= ))- (?=\d)"), "-"),     # - 3 -> -3
                (re.compile(r" (?=[.,?!:;])"), "")]          # word . -> word.


def detokenize(text: str) -> str:
    """Turn space-separated decoded tokens back into clean text: '1 8 4 . 2 0' -> '184.20', '- 3' -> '-3'."""
    text = " ".join(text.split())
    for pattern, repl in _NUMBER_GLUE:
        text = pattern.sub(repl, text)
    return text.strip()
