"""Typed results: one record per file a notebook writes to results/, the learner's own or the kit's shipped one.

    ParametricResults(closed_static=..., ...).save()      # notebook 01 writes results/parametric.json
    FinetuneResults.load()                                # results/finetune.json, else results/shipped/finetune.json
    FinetuneResults.load().whose                          # "yours" or "shipped": whose numbers these are
    FinetuneResults.read("shipped").ft_new_day_acc        # the kit's own run only; a summary over its week

The files keep plain JSON; a record checks every field when it reads or saves one, so a malformed file fails with its
name and the field at fault. Maps keyed by a number (days kept, passages) are keyed by int here, by string in JSON.

Every accuracy comes with its 95% interval in `intervals`, keyed by the accuracy's dotted path in the record
("closed_static", "rag_dynamic_by_days_kept.30", "week.0.ft_today"). A notebook passes `ragft.evaluate.Estimate`s
where the numbers go and `from_estimates` splits them:

    ParametricResults.from_estimates(closed_static=reader.score(items), ...).save()
    record.interval("closed_static")                      # (low, high), or None in a file written before intervals
"""

from __future__ import annotations

import json
import typing
from dataclasses import MISSING, asdict, dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any, ClassVar, Literal, TypeVar

from ragft import RESULTS_DIR, SHIPPED_DIR, model_setting
from ragft.evaluate import Estimate

Whose = Literal["yours", "shipped"]
R = TypeVar("R", bound="Results")


def shipped_dir(results_dir: Path) -> Path:
    """Where a results folder's shipped runs are: its shipped/; for your results folder, the kit's results/shipped,
    also when RAGFT_WORK puts your results elsewhere."""
    return SHIPPED_DIR if results_dir == RESULTS_DIR else results_dir / "shipped"


@dataclass
class Results:
    """What every results record shares: its file name, the notebook that writes it, whose numbers it holds, and the
    model that measured them (RAGFT_MODEL when it was made; a file without `model`: the course model)."""

    NAME: ClassVar[str]      # the file is results/NAME.json (the kit's own run: results/shipped/NAME.json)
    NOTEBOOK: ClassVar[str]  # the notebook that writes it, for the messages that say what to run
    whose: Whose = field(default="yours", kw_only=True, compare=False)  # not saved: where the record was read
    model: str = field(default_factory=model_setting, kw_only=True)
    intervals: dict[str, list[float]] = field(default_factory=dict, kw_only=True)  # dotted path -> [low, high]

    @classmethod
    def path(cls, whose: Whose = "yours", results_dir: Path = RESULTS_DIR) -> Path:
        """The file of the learner's own run (results/NAME.json) or of the kit's (results/shipped/NAME.json)."""
        return results_dir / f"{cls.NAME}.json" if whose == "yours" else shipped_dir(results_dir) / f"{cls.NAME}.json"

    @classmethod
    def read(cls: type[R], whose: Whose = "yours", results_dir: Path = RESULTS_DIR) -> R:
        """Exactly one file: the learner's own run, or the kit's shipped one."""
        path = cls.path(whose, results_dir)
        if not path.exists():
            raise FileNotFoundError(f"no {path}: run notebook {cls.NOTEBOOK} to write it")
        try:
            data = json.loads(path.read_text())
        except json.JSONDecodeError as e:
            raise ValueError(f"{path} is not valid JSON ({e}); run notebook {cls.NOTEBOOK} again to rewrite it") from e
        record = cls.from_dict(data, where=str(path))
        record.whose = whose
        return record

    @classmethod
    def load(cls: type[R], results_dir: Path = RESULTS_DIR) -> R:
        """The learner's own run if there is one, else the kit's shipped one; `whose` says which."""
        for whose in typing.get_args(Whose):
            if cls.path(whose, results_dir).exists():
                return cls.read(whose, results_dir)
        raise FileNotFoundError(f"no {cls.path('yours', results_dir)}, and no shipped copy: "
                                f"run notebook {cls.NOTEBOOK} to write it")

    @classmethod
    def from_dict(cls: type[R], data: Any, where: str = "") -> R:
        """A record from parsed JSON, every field checked against its type (`where` names the file in errors)."""
        where = where or f"{cls.NAME}.json"
        record = _convert({"model": "course", **data} if isinstance(data, dict) else data, cls, where, cls.NOTEBOOK)
        for path, bounds in record.intervals.items():
            if not (isinstance(_at(record, path), (int, float)) and len(bounds) == 2 and 0 <= bounds[0] <= bounds[1] <= 1):
                raise ValueError(f"{where}: intervals: {path!r} should name an accuracy of the record and hold "
                                 f"[low, high] with 0 <= low <= high <= 1, got {bounds!r}; "
                                 f"run notebook {cls.NOTEBOOK} again to rewrite it")
        return record

    @classmethod
    def from_estimates(cls: type[R], **values: Any) -> R:
        """A record from its fields where any accuracy, at any depth, may be an `Estimate`: its value goes in the
        field and its interval in `intervals`, under the accuracy's dotted path."""
        intervals: dict[str, list[float]] = {}
        record = cls(**{name: _split(v, name, intervals) for name, v in values.items() if name != "intervals"})
        record.intervals = {**values.get("intervals", {}), **intervals}
        return record

    def interval(self, path: str) -> tuple[float, float] | None:
        """The 95% interval of the accuracy at `path` ("closed_static", "week.0.ft_today"), None if not stored."""
        _at(self, path)
        bounds = self.intervals.get(path)
        return None if bounds is None else (bounds[0], bounds[1])

    def to_dict(self) -> dict[str, Any]:
        """The record as the JSON object its file holds (`whose` is not part of it)."""
        out = asdict(self)
        del out["whose"]
        for f in fields(self):  # a newer optional field left empty (model: the course model) is not written
            if f.default_factory is not MISSING and f.name != "intervals" and out[f.name] in ({}, [], "course"):
                del out[f.name]
        intervals = out.pop("intervals")  # last in the file; none: a file written before them saves back unchanged
        return {**out, "intervals": intervals} if intervals else out

    def save(self, results_dir: Path = RESULTS_DIR) -> Path:
        """Check the record, write it to results/NAME.json (the learner's own run), and return the path."""
        path = self.path("yours", results_dir)
        data = self.to_dict()
        type(self).from_dict(data, where=f"the {type(self).__name__} to save")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, indent=1))
        return path


@dataclass
class ParametricResults(Results):
    """Notebook 01: the course model closed-book."""

    NAME: ClassVar[str] = "parametric"
    NOTEBOOK: ClassVar[str] = "01"
    closed_static: float                # accuracy on static facts, held-out wordings
    closed_unseen_day: float            # accuracy on a day the model never saw (chance level)
    closed_seconds_per_question: float
    # SmolLM2 beside the course model on the same items (01's section 1.7): setting -> course_model, smollm2
    # (accuracies), difference (smollm2 - course_model, paired) with difference_low / difference_high, and n
    real_model: dict[str, dict[str, float]] = field(default_factory=dict)


@dataclass
class RetrievalResults(Results):
    """Notebook 02: four retrievers on the same questions, and the index hot-swap."""

    NAME: ClassVar[str] = "retrieval"
    NOTEBOOK: ClassVar[str] = "02"
    retrievers: dict[str, dict[str, Any]]   # keyword / BM25 / vector / hybrid -> score_rag's scores and latencies
    hot_swap: dict[str, dict[str, float]]   # index -> question set -> exact match (Lewis et al.'s swap, one day each)
    # SmolLM2 as the chain's reader beside the course model (02's 2.10): passages k -> course_model, smollm2 (extracted
    # answer), smollm2_raw (raw sentence), difference (smollm2 - course_model, paired), difference_low / _high, and n
    real_model: dict[int, dict[str, float]] = field(default_factory=dict)
    # each reader's change from one passage to four on those questions (k=4 minus k=1, paired): course_model and
    # smollm2 -> value, low, high (its 95% interval, bootstrapped over facts), n
    real_model_k4_minus_k1: dict[str, dict[str, float]] = field(default_factory=dict)


@dataclass
class RagResults(Results):
    """Notebook 03: RAG on static and today's questions, and a store that keeps more and more days."""

    NAME: ClassVar[str] = "rag"
    NOTEBOOK: ClassVar[str] = "03"
    rag_static: float
    rag_dynamic_today: float
    rag_dynamic_by_days_kept: dict[int, float]        # the kit's default (hybrid) retriever, by days kept
    rag_dynamic_by_days_kept_plain: dict[int, float]  # plain vector search, by days kept
    rag_seconds_per_question_by_days_kept: dict[int, float]
    growth: dict[int, dict[str, Any]]  # days kept -> chunks, build_s, memory_mb, search_ms, and per retriever
    #                                    ("plain", "day filter", "hybrid") hit@1, hit@4, exact_match, latencies


@dataclass
class WeekDay:
    """One day of notebook 04's week: fine-tune on the day's facts (option A), or index its reports (option B)."""

    day: int
    facts: int            # the day's new facts
    docs: int             # the day's new chunks
    ft_seconds: float     # the day's fine-tuning run
    index_seconds: float  # the day's index update
    ft_today: float       # accuracy on the day's questions, fine-tuned
    rag_today: float      # accuracy on the day's questions, through RAG
    index_bytes: int      # what the index update ships


@dataclass
class FinetuneResults(Results):
    """Notebook 04: the form of the data, full versus LoRA, forgetting and replay, and a week of daily updates."""

    NAME: ClassVar[str] = "finetune"
    NOTEBOOK: ClassVar[str] = "04"
    raw_heldout_acc: float
    raw_trained_wording_acc: float
    paraphrase_heldout_acc: float
    paraphrase_trained_wording_acc: float
    old_fact_acc_before: float
    old_fact_acc_after_no_replay: float
    old_fact_acc_after_replay: float
    replay_heldout_acc: float       # the day's facts in held-out wordings, fine-tuned with REPLAY
    lora_acc: float
    full_acc: float
    lora_trainable_params: int
    full_trainable_params: int
    lora_bytes: int
    full_bytes: int
    daily_update_cost_ratio: float  # mean fine-tuning seconds / mean index-update seconds over the week
    week: list[WeekDay]
    end_of_week_first_day: dict[str, float]  # the first day's questions at the week's end: "fine-tuned every day", "RAG"
    steps: int
    # 4.1's 2x2 of the data's form (finetune.DATA: raw, raw_qa, paraphrase_no_qa, paraphrase), full fine-tuning, the
    # same steps: "heldout" / "trained_wording" closed-book accuracy, "memorised" the memorisation probe
    data_2x2: dict[str, dict[str, float]] = field(default_factory=dict)

    @property
    def ft_new_day_acc(self) -> float:
        """Accuracy on each new day's questions right after fine-tuning on its facts, mean over the week."""
        return sum(d.ft_today for d in self.week) / len(self.week)

    @property
    def rag_new_day_acc(self) -> float:
        """Accuracy on each new day's questions through RAG, mean over the week."""
        return sum(d.rag_today for d in self.week) / len(self.week)

    @property
    def ft_seconds_per_fact(self) -> float:
        """Fine-tuning seconds per new fact over the week."""
        return sum(d.ft_seconds for d in self.week) / sum(d.facts for d in self.week)

    @property
    def index_seconds_per_doc(self) -> float:
        """Seconds to embed and index one chunk over the week."""
        return sum(d.index_seconds for d in self.week) / sum(d.docs for d in self.week)

    @property
    def docs_per_fact(self) -> float:
        """Chunks per new fact over the week."""
        return sum(d.docs for d in self.week) / sum(d.facts for d in self.week)


@dataclass
class ThresholdResults(Results):
    """Notebook 05: the decision model's predictions against the real systems, and the explorer's redraw time."""

    NAME: ClassVar[str] = "threshold"
    NOTEBOOK: ClassVar[str] = "05"
    validation: list[dict[str, Any]]  # share, strategy, predicted and measured (accuracies as fractions)
    max_abs_error_points: float       # the largest |predicted - measured|, in percentage points
    redraw_ms: float                  # median of the timed slider moves
    redraw_ms_min: float
    redraw_ms_max: float
    redraw_moves: int
    # each preset at the explorer's default prices, on the course model's and (presets_real) SmolLM2's unit numbers:
    # choice, threshold (None: never) and its 95% band, accuracy, its band and money a day by strategy, ties in noise
    presets: dict[str, dict[str, Any]] = field(default_factory=dict)
    presets_real: dict[str, dict[str, Any]] = field(default_factory=dict)
    prompt_tokens: dict[str, float] = field(default_factory=dict)  # "closed" / "rag": mean prompt tokens (k = 4)
    # out of sample (day 75, 30 days kept, shares 0.25 and 0.75): share, strategy, predicted, measured, inside_interval
    oos_validation: list[dict[str, Any]] = field(default_factory=list)

    @property
    def oos_max_abs_error_points(self) -> float | None:
        """The largest |predicted - measured| out of sample, in percentage points (None: not measured)."""
        errors = [abs(v["predicted"] - v["measured"]) for v in self.oos_validation]
        return 100 * max(errors) if errors else None


@dataclass
class HybridResults(Results):
    """Notebook 06: the hybrid against each strategy alone, RAFT, the tuned embedder, feedback into index or weights."""

    NAME: ClassVar[str] = "hybrid"
    NOTEBOOK: ClassVar[str] = "06"
    acc_hybrid: float                # at the default dynamic share
    acc_rag_only: float
    acc_ft_only: float
    default_share: float
    shares: list[float]
    measured_by_share: dict[str, list[float]]   # strategy -> accuracy at each share
    by_type: dict[str, dict[str, float]]        # strategy -> "static" / "dynamic" -> accuracy
    days_kept: int
    index_docs_hybrid: int
    index_docs_rag_only: int
    index: dict[str, dict[str, float]]          # "RAG only" / "hybrid" -> chunks, vector_mb, searches, latencies
    retriever_hit1_before: float                # share of today's questions with the gold chunk first (hit@1)
    retriever_hit1_after: float
    retriever: dict[str, dict[str, float]]      # "before" / "after" tuning the embedder -> hit@1, hit@4, exact_match
    retriever_seconds: float
    raft_acc_by_k: dict[str, dict[int, dict[str, float]]]  # reader -> passages k -> kind of question -> accuracy
    raft_by_distractors: dict[str, dict[int, float]]       # reader -> distractors -> accuracy with the gold passage
    feedback_corrections: dict[str, int]        # "static" / "dynamic" -> corrections the simulated user made
    feedback: dict[str, Any]                    # into_index / into_weights: before and after; insert_seconds
    seconds: dict[str, float]                   # training seconds of each part


def _split(value: Any, path: str, intervals: dict[str, list[float]]) -> Any:
    """`value` with every Estimate inside replaced by its number, its interval noted under its dotted path."""
    if isinstance(value, Estimate):
        intervals[path] = value.interval
        return value.value
    if isinstance(value, dict):
        if any("." in str(k) for k in value):
            raise ValueError(f"{path}: keys may not hold '.', which separates the parts of a path; got {list(value)}")
        return {k: _split(v, f"{path}.{k}", intervals) for k, v in value.items()}
    if isinstance(value, list):
        return [_split(v, f"{path}.{i}", intervals) for i, v in enumerate(value)]
    if is_dataclass(value) and not isinstance(value, type):
        return type(value)(**{f.name: _split(getattr(value, f.name), f"{path}.{f.name}", intervals)
                              for f in fields(value)})
    return value


def _at(record: Any, path: str) -> Any:
    """The value at a dotted path: field names, map keys (int keys written as digits) and list positions."""
    value = record
    for part in path.split("."):
        if is_dataclass(value) and part in {f.name for f in fields(value)}:
            value = getattr(value, part)
        elif isinstance(value, dict) and (part in value or (part.lstrip("-").isdigit() and int(part) in value)):
            value = value[part] if part in value else value[int(part)]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            raise KeyError(f"{type(record).__name__} has no {path!r} (at {part!r})")
    return value


def scalars(record: Results) -> dict[str, float]:
    """The record's one-number float fields (accuracies, ratios), in the order of its file."""
    hints = typing.get_type_hints(type(record))
    return {f.name: getattr(record, f.name) for f in fields(record) if hints[f.name] is float}


def _convert(value: Any, kind: Any, where: str, notebook: str) -> Any:
    """`value` checked against the type `kind` (dict keys typed int are converted from their JSON strings)."""
    def wrong(expected: str) -> ValueError:
        return ValueError(f"{where}: expected {expected}, got {value!r:.60}; "
                          f"run notebook {notebook} again to rewrite it")

    if is_dataclass(kind):
        if not isinstance(value, dict):
            raise wrong(f"an object with the fields of {kind.__name__}")
        hints = typing.get_type_hints(kind)
        names = [f.name for f in fields(kind) if f.name != "whose"]
        optional = {"intervals"} | {f.name for f in fields(kind) if f.default_factory is not MISSING}  # newer fields
        missing = [n for n in names if n not in value and n not in optional]
        unknown = [k for k in value if k not in names]
        if missing or unknown:
            raise ValueError(f"{where}: " + "; ".join(
                ([f"missing {', '.join(missing)}"] if missing else []) +
                ([f"unknown {', '.join(map(str, unknown))} (not fields of {kind.__name__})"] if unknown else [])) +
                f"; run notebook {notebook} again to rewrite it")
        return kind(**{n: _convert(value[n], hints[n], f"{where}: {n}", notebook) for n in names if n in value})
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if kind is Any:
        return value
    if kind in (float, int):
        if isinstance(value, bool) or not isinstance(value, (int, float) if kind is float else int):
            raise wrong("a number" if kind is float else "a whole number")
        return value
    if origin is list:
        if not isinstance(value, list):
            raise wrong("a list")
        return [_convert(v, args[0], f"{where}[{i}]", notebook) for i, v in enumerate(value)]
    if origin is dict:
        if not isinstance(value, dict):
            raise wrong("an object")
        return {_key(k, args[0], where, notebook): _convert(v, args[1], f"{where}: {k}", notebook)
                for k, v in value.items()}
    if kind is str:
        if not isinstance(value, str):
            raise wrong("a string")
        return value
    raise TypeError(f"{where}: no check for the type {kind!r}")


def _key(key: Any, kind: Any, where: str, notebook: str) -> Any:
    """A dict key as its record type: int keys are written as strings in JSON ("30" days kept)."""
    if kind is int and isinstance(key, str) and key.lstrip("-").isdigit():
        return int(key)
    if isinstance(key, int if kind is int else str) and not isinstance(key, bool):
        return key
    raise ValueError(f"{where}: key {key!r} should be {'a whole number' if kind is int else 'a string'}; "
                     f"run notebook {notebook} again to rewrite it")


def save_curve(file: str, data: dict, ship: bool = False, results_dir: Path = RESULTS_DIR) -> list[Path]:
    """A benchmark curve (plain JSON: store_scale, new_static) to results/FILE; with ship, results/shipped/ too."""
    paths = [results_dir / file] + ([shipped_dir(results_dir) / file] if ship else [])
    for path in paths:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, indent=1) + "\n")
    return paths


def load_curve(file: str, whose: Whose | None = None, results_dir: Path = RESULTS_DIR) -> tuple[dict | None, Whose | None]:
    """A curve and whose: the learner's (results/FILE), else the kit's (results/shipped/), or `whose`'s; or (None, None)."""
    for w in [whose] if whose else ["yours", "shipped"]:
        path = results_dir / file if w == "yours" else shipped_dir(results_dir) / file
        if path.exists():
            return json.loads(path.read_text()), w
    return None, None
