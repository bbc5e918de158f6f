"""The sealed test split: its days and wordings reach no training, tuning or teaching code, the world refuses them
to anyone but its accessors (`reading.sealed_sets`, `reading.sealed_facts`), and adding them changed nothing else."""

import hashlib
import json
import re
import shutil

import pytest

from ragft import ROOT, finetune, hybrid, lm, reading
from ragft.lm import card
from ragft.lm.stages import LATER_STAGES
from ragft.world import ATTRIBUTES, N_TRAIN_WORDINGS, QUESTIONS, STATEMENTS, World, sealed

# Where the sealed split may be named: its own module, the world's guard, its accessor, the benchmark parts that
# measure it (final figures, every setting fixed before), the model card that quotes it, and the checkpoint's list of
# files it does not checksum.
ALLOWED = {ROOT / "ragft" / p for p in ("world/sealed.py", "world/world.py", "world/__init__.py", "reading.py",
                                         "course/bench_sealed.py", "course/bench_real.py", "lm/card.py",
                                         "lm/checkpoint.py")}
MODULES = sorted(p for p in (ROOT / "ragft").rglob("*.py") if "__pycache__" not in p.parts)
NOTEBOOKS = sorted((ROOT / "solutions").glob("*.ipynb")) + sorted((ROOT / "notebooks").glob("*.ipynb"))
NAMES = re.compile(r"\bsealed_(?:sets|facts)\b|\bSEALED_[A-Z_]+\b|\bunsealed\b|\bworld\.sealed\b|"
                   r"\bsealed\.(?:wordings|count|check_open)\b|from ragft\.world import[^\n]*\bsealed\b")
CONFIGS = {"stage 1": lm.DataConfig(), **{s.name: s.data for s in LATER_STAGES}}  # every stage the card lists
# sha256 of World(seed=0, day=3).to_json(days) before the sealed split was added: the world must not change
WORLD_JSON = {(1, 2, 3): "743fdc4cf37e5c8659fc6771dd064956586d0651eab48cec493eebba934f26a1",
              (60, 61, 62, 63): "71cef2ff98bb55aacd1cada9b0bb6bd30b669759ca6bcf6e5b864b7efc065aba",
              (100, 365): "e0b1b7e67e6aa3d2d5d5568bb31125cc3b7946965af1c3e60145b0f4e6d7f00c"}
DEV_SETS = "66ec91384f928003f80dbb5f7077149bb7edf8398134db5d473299a7a3286157"  # eval_sets(World(seed=0)), likewise


def _templates() -> dict[str, tuple[str, ...]]:
    with sealed.unsealed():
        return {a: sealed.wordings(a) for a in ATTRIBUTES}


def _sealed_questions(facts) -> set[str]:
    templates = _templates()
    return {f.render(t) for f in facts for t in templates[f.attribute]}


def _plain(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def _pattern(template: str, tokenizer) -> re.Pattern:
    """A whole question in a template, as the course model reads it (lower case, one token per word or sign, unknown
    words as [UNK]) between 'question :' and 'answer :'; any word may also be the [UNK] training's noise puts there."""
    vocab = tokenizer.get_vocab()
    parts = []
    for piece in re.split(r"(\{e\}|\{d\})", template):
        if piece == "{e}":
            parts.append(r"[a-z]+(?: [a-z]+)?")
        elif piece == "{d}":
            parts.append(r"\d(?: \d)*")
        elif piece.strip():
            normal = tokenizer.backend_tokenizer.normalizer.normalize_str(piece)
            words = [w for w, _ in tokenizer.backend_tokenizer.pre_tokenizer.pre_tokenize_str(normal)]
            parts += [rf"(?:{re.escape(w)}|\[UNK\])" if w in vocab else r"\[UNK\]" for w in words]
    return re.compile(r"question : " + " ".join(parts) + r" answer :")


def test_every_attribute_has_three_fresh_sealed_wordings():
    templates = _templates()
    assert set(templates) == set(ATTRIBUTES) and sealed.count() == 3 * len(ATTRIBUTES)
    for name, wordings in templates.items():
        a = ATTRIBUTES[name]
        assert len(set(wordings)) == 3 and all("{e}" in t and ("{d}" in t) == a.dynamic for t in wordings)
        seen = {_plain(t) for t in [*QUESTIONS[name], *STATEMENTS[name]]}
        seen |= {_plain(reading.cloze(t, name)) for t in STATEMENTS[name]}
        assert not seen & {_plain(t) for t in wordings}, name


def test_the_world_refuses_sealed_days_and_wordings_outside_the_accessor(world):
    day = sealed.SEALED_DAYS[0]
    for call in (lambda: world.facts_on(day), lambda: world.documents([day], static=False),
                 lambda: world.dynamic_facts([sealed.SEALED_RANGE.start]), lambda: sealed.wordings("region"),
                 lambda: World(seed=0, day=day).question_mix(4, 1.0)):
        with pytest.raises(ValueError, match="sealed test split, which only ragft.reading.sealed_sets / sealed_facts read"):
            call()
    before = World(seed=0, day=sealed.SEALED_RANGE.start - 1)
    with pytest.raises(ValueError, match="sealed"):
        before.advance()
    assert before.day == sealed.SEALED_RANGE.start - 1  # a refused advance leaves the clock where it was
    with sealed.unsealed():
        assert world.facts_on(day)
    with pytest.raises(ValueError, match="sealed"):
        world.facts_on(day)
    with sealed.unsealed():
        expected = world.facts_on(day)
    assert expected and reading.sealed_facts(world) == reading.sealed_facts(world, day) == expected
    with pytest.raises(ValueError, match="not a sealed day"):
        reading.sealed_facts(world, sealed.SEALED_RANGE.start)


def test_sealed_sets_ask_sealed_wordings_on_sealed_days(world):
    sets = reading.sealed_sets(world)
    dev = reading.eval_sets(world)
    assert list(sets) == list(dev)
    assert len(sets["closed_book_static"]) == 3 * len(world.static_facts())
    days = {int(it.fact.split("|")[2]) for name, items in sets.items() if name != "closed_book_static" for it in items}
    assert days == set(sealed.SEALED_DAYS)
    with sealed.unsealed():
        facts = world.static_facts() + world.dynamic_facts(sealed.SEALED_DAYS)
    assert {it.question for items in sets.values() for it in items} == _sealed_questions(facts)
    for k in (0, 2, 4):
        assert all(len(it.passages) == k + 1 and it.gold for it in sets[f"open_book_k{k}"])
        assert all(f"day {it.fact.split('|')[2]}" in " ".join(it.passages) for it in sets[f"open_book_k{k}"])
    dev_questions = {it.question for items in dev.values() for it in items}
    assert not dev_questions & {it.question for items in sets.values() for it in items}


def test_the_world_and_the_dev_split_are_unchanged():
    world = World(seed=0, day=3)
    for days, digest in WORLD_JSON.items():
        assert hashlib.sha256(world.to_json(list(days)).encode()).hexdigest() == digest, days
    sets = reading.eval_sets(World(seed=0))
    text = json.dumps({k: [list(map(str, it[:3])) for it in v] for k, v in sets.items()})
    assert hashlib.sha256(text.encode()).hexdigest() == DEV_SETS


@pytest.mark.parametrize("name", list(CONFIGS))
def test_sealed_wordings_never_reach_the_pretraining_stream(name, tokenizer, world):
    stream = lm.PretrainStream(tokenizer, CONFIGS[name], world)
    text = "\n".join(tokenizer.decode(stream.sample()[0]) for _ in range(2000))
    assert text.count("question :") > 2000  # the decoded form the patterns read
    found = [t for ts in _templates().values() for t in ts if _pattern(t, tokenizer).search(text)]
    assert not found, f"sealed wordings in the {name} stream: {found}"


def test_the_patterns_would_find_a_sealed_wording(tokenizer, world):
    fact = world.static_facts()[0]
    template = _templates()[fact.attribute][0]
    decoded = tokenizer.decode(tokenizer(lm.prompt(fact.render(template)))["input_ids"])
    assert _pattern(template, tokenizer).search(decoded)


def test_sealed_wordings_never_reach_fine_tuning_data(world):
    today = world.facts_on(reading.TRAINING_DAYS + 1)
    facts = world.static_facts() + world.dynamic_facts(range(1, reading.TRAINING_DAYS + 1)) + today
    forbidden = {_plain(q) for q in _sealed_questions(facts)}
    texts = []
    for data in ("raw", "paraphrase"):
        for example in finetune.training_examples(world, world.static_facts() + today, data):
            texts.append(example if isinstance(example, str) else example.question)
    texts += [it.question for it in hybrid.raft_examples(world, range(1, reading.TRAINING_DAYS + 1), n=3000)]
    assert len(texts) > 3000 and not forbidden & {_plain(t) for t in texts}


def test_training_and_teaching_code_never_touch_sealed_days(monkeypatch, world, tokenizer):
    asked: set[int] = set()
    facts_on = World.facts_on
    monkeypatch.setattr(World, "facts_on", lambda self, day: asked.add(day) or facts_on(self, day))
    lm.tokenizer_corpus(World(seed=0))
    for cfg in CONFIGS.values():
        lm.PretrainStream(tokenizer, cfg, World(seed=0))
    reading.eval_sets(World(seed=0))
    w = World(seed=0)
    hybrid.raft_examples(w, range(1, reading.TRAINING_DAYS + 1), n=200)
    finetune.training_examples(w, w.facts_on(getattr(finetune, "LR_DEV_DAY", reading.TRAINING_DAYS + 1)), "paraphrase")
    assert asked and not asked & set(sealed.SEALED_RANGE)
    literals = {int(n) for p in NOTEBOOKS for cell in json.loads(p.read_text())["cells"] if cell["cell_type"] == "code"
                for n in re.findall(r"(?<![\w.])\d+(?![\w.])", "".join(cell["source"]))}
    assert not literals & set(sealed.SEALED_RANGE), "a notebook names a sealed day"


def test_nothing_but_the_accessor_names_the_sealed_split():
    offenders = [str(p.relative_to(ROOT)) for p in MODULES + NOTEBOOKS if p not in ALLOWED and NAMES.search(p.read_text())]
    assert not offenders, f"only ragft.reading.sealed_sets / sealed_facts may read the sealed split (final figures): {offenders}"
    pieces = {max(re.split(r"\{e\}|\{d\}", t), key=len).strip() for ts in _templates().values() for t in ts}
    pieces = {p for p in pieces if len(p) >= 14}
    quoted = {str(p.relative_to(ROOT)): sorted(x for x in pieces if x in p.read_text())
              for p in MODULES + NOTEBOOKS if p != ROOT / "ragft" / "world" / "sealed.py"}
    assert not {k: v for k, v in quoted.items() if v}, "a sealed wording is written out outside ragft/world/sealed.py"


def test_the_card_quotes_sealed_figures_only_for_the_weights_they_measured(tmp_path):
    folder = tmp_path / "model"
    shutil.copytree(lm.DEFAULT_DIR, folder)
    figure = {"value": 0.5, "interval": [0.4, 0.6], "n": 10}
    weights = json.loads((folder / "checksums.json").read_text())["files"]["model.safetensors"]["sha256"]
    record = {"figures": {"open_book_k2": figure}, "dev": {"open_book_k2": figure}, "days": [1, 2], "wordings": 3,
              "unknown_word_share": 0.5, "model_sha256": weights, "command": "make bench PART=sealed"}
    (folder / card.SEALED_FILE).write_text(json.dumps(record))
    text = card.rewrite_model_card(folder).read_text()
    assert "## What was tuned on what" in text and "| open_book_k2 | 0.500 [0.400, 0.600], n = 10 |" in text
    (folder / card.SEALED_FILE).write_text(json.dumps({**record, "model_sha256": "other weights"}))
    assert "Not measured for these weights yet" in card.rewrite_model_card(folder).read_text()


def test_the_shipped_card_is_what_the_card_code_writes(tmp_path):
    folder = tmp_path / "model"
    shutil.copytree(lm.DEFAULT_DIR, folder)
    assert card.rewrite_model_card(folder).read_text() == (lm.DEFAULT_DIR / "README.md").read_text()
