"""Self-checks for the notebooks' exercises: each says what is wrong and hints at why.

A check returns a `Verdict`; printing it shows a line that starts with "Correct" or "Not yet".
Checks never raise on a wrong answer, so an unsolved notebook still runs from top to bottom.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from ragft.evaluate import exact_match


@dataclass
class Verdict:
    ok: bool
    message: str

    def __str__(self) -> str:
        return ("Correct! " if self.ok else "Not yet: ") + self.message

    def _repr_pretty_(self, p, cycle) -> None:  # shown as text in a notebook
        p.text(str(self))


def stale_model_guess(guess: Sequence[bool] | None, questions: Sequence, model_correct: Sequence[bool],
                      cutoff_day: int) -> Verdict:
    """Exercise 01.1: which questions *can* the closed-book model answer? Then what it actually did."""
    if guess is None or len(guess) != len(questions):
        return Verdict(False, f"set `my_guess` to a list of {len(questions)} True/False values, one per question.")
    wrong = []
    for i, (g, q) in enumerate(zip(guess, questions)):
        can = q.day <= cutoff_day
        if bool(g) != can:
            why = (f"it asks about day {q.day}, after the model's training data ended (day {cutoff_day}): nothing "
                   "about it can be in the weights" if not can else
                   "it is a static fact, in the training data: the weights can hold it")
            wrong.append(f"question {i + 1}: {why}")
    actual = ", ".join(f"{i + 1}: {'right' if ok else 'wrong'}" for i, ok in enumerate(model_correct))
    if wrong:
        return Verdict(False, "; ".join(wrong) + ".")
    return Verdict(True, f"only facts from before the cutoff can be in the weights. What the model actually did: {actual}"
                         " (a static fact can still be missed: parametric memory is imperfect; a dynamic one can be "
                         "guessed by chance).")


def store_answers(retrieved: Sequence, answer: str, gold: str, fact_sentence: str) -> Verdict:
    """Exercise 01.2: after adding today's news to the store, the store finds it and the model reads it.

    The exercise cell starts from a fresh copy of 1.5's store (`my_store`), so a wrong try leaves nothing behind."""
    if not any(fact_sentence in d.page_content for d in retrieved):
        got = repr(retrieved[0].page_content[:90]) if retrieved else "nothing"
        return Verdict(False, f"the store returned no document that states the new fact (it returned {got}; k=1: "
                              "only the best match comes back). Add a document whose text contains: "
                              f"{fact_sentence!r} with `my_store.add_documents([...])`, then run this cell again: "
                              "it starts from a fresh copy of 1.5's store every time, so a wrong try leaves nothing "
                              "behind.")
    if not exact_match(answer, gold):
        return Verdict(False, f"the store found the fact, but the model answered {answer!r} instead of {gold!r}: "
                              "is the retrieved passage in the prompt?")
    return Verdict(True, "one appended document, no training: the store knows today's news in milliseconds.")


def retriever_finds(retriever, question: str, expected: str) -> Verdict:
    """Exercise 02.1: a retriever over your own texts puts the right one first."""
    if retriever is None:
        return Verdict(False, "set `my_retriever` to a retriever over my_texts, e.g. rag.bm25_retriever(my_texts, k=1).")
    if not hasattr(retriever, "invoke"):
        return Verdict(False, f"`my_retriever` is a {type(retriever).__name__}, not a retriever: build one with "
                              "rag.bm25_retriever(...) or rag.vector_retriever(rag.vector_store(...)).")
    found = retriever.invoke(question)
    if not found:
        return Verdict(False, "the retriever returned nothing: is the store empty?")
    if expected.lower() not in found[0].page_content.lower():
        return Verdict(False, f"the top chunk is {found[0].page_content!r}. BM25 needs shared words; a vector "
                              "search matches meaning: try the other one.")
    return Verdict(True, f"the top chunk is {found[0].page_content!r}: RAG works on any texts.")


def day_filter_fixes(question: str | None, plain, filtered) -> Verdict:
    """Exercise 02.2: a question the plain vector search gets wrong on the day, and the filter gets right."""
    from ragft.rag import day_of

    if not question:
        return Verdict(False, "set `broken_question` to one of today's dynamic questions (it names a day).")
    day = day_of(question)
    if day is None:
        return Verdict(False, f"{question!r} names no day: the day filter only acts on questions like '... on day 61?'.")
    plain_docs, fixed_docs = plain.invoke(question), filtered.invoke(question)
    if not plain_docs or not fixed_docs:
        return Verdict(False, f"the store holds no report of day {day}, so there is nothing to find (the kit abstains): "
                              "ask about a day in the store, such as today's.")
    top = plain_docs[0]
    if top.metadata.get("day") in (day, 0):
        return Verdict(False, f"the plain vector search already returns a day-{top.metadata.get('day')} chunk for this "
                              "question: try other towns or companies, or other wordings.")
    fixed = fixed_docs[0]
    if fixed.metadata.get("day") != day:
        return Verdict(False, f"the filtered search returned day {fixed.metadata.get('day')}: is the question's "
                              "day in the store?")
    return Verdict(True, f"the plain search returned day {top.metadata['day']}, the filtered one day {day}: "
                         "embeddings blur numbers, metadata does not.")


def plain_hit_rate(days_kept: int, chunks: Sequence, vectors, questions: Sequence, k: int = 1) -> float:
    """Hit@k (share of questions with their gold chunk in the top k) of a plain vector search over the last
    `days_kept` days of a store (vectors precomputed)."""
    from ragft import rag
    from ragft.evaluate import gold_chunks, hit_rate_at_k

    newest = max(c.metadata["day"] for c in chunks)
    keep = [i for i, c in enumerate(chunks) if c.metadata["day"] == 0 or c.metadata["day"] > newest - days_kept]
    docs = [chunks[i] for i in keep]
    store = rag.vector_store(docs, vectors=vectors[keep])
    gold = gold_chunks(docs)
    ranked = [[d.metadata["chunk"] for d in store.similarity_search(q.question, k=k)] for q in questions]
    return hit_rate_at_k(ranked, [gold.get(q.fact_id, set()) for q in questions], k)


def retention_window(days_kept: int | None, chunks: Sequence, vectors, questions: Sequence, target: float = 0.95) -> Verdict:
    """Exercise 03.1: the most days a store can keep while plain vector search keeps hit@1 >= target."""
    if not isinstance(days_kept, int) or not 1 <= days_kept <= 365:
        return Verdict(False, "set `my_days_kept` to a whole number of days between 1 and 365.")
    hit = plain_hit_rate(days_kept, chunks, vectors, questions)
    if hit < target:
        return Verdict(False, f"with {days_kept} days kept, hit@1 is {hit:.2f} (< {target}): too many near-identical "
                              "reports of other days compete. Keep fewer days.")
    if days_kept < 365:
        more = min(365, 2 * days_kept)
        if (more_hit := plain_hit_rate(more, chunks, vectors, questions)) >= target:
            return Verdict(False, f"hit@1 is {hit:.2f} with {days_kept} days, and still {more_hit:.2f} with {more}: "
                                  "you can keep more history. Keep more days.")
    return Verdict(True, f"keeping {days_kept} days gives hit@1 {hit:.2f}, twice as many would not: a retention "
                         "window trades history (older questions go unanswered) for a store the retriever can handle.")


def replay_share(share: float | None, reader, world, new_facts: Sequence, old_facts: Sequence,
                 old_before: float, steps: int) -> Verdict:
    """Exercise 04.1: a replay share that keeps the old facts held out of replay within 10 points of before."""
    from ragft.finetune import FinetuneConfig, finetune, replay_split
    from ragft.reading import closed_book_items

    if not isinstance(share, (int, float)) or not 0 <= share <= 0.9:
        return Verdict(False, "set `my_replay` to a share between 0 and 0.9 (for example 0.3 = 30% of each batch).")
    result = finetune(reader, world, new_facts, FinetuneConfig(steps=steps, replay=float(share)),
                      old_facts=old_facts, progress=False)
    old_after = result.reader.accuracy(closed_book_items(world, replay_split(old_facts)[1], "heldout"))  # not replayed
    new_after = result.reader.accuracy(closed_book_items(world, new_facts, "heldout"))
    if old_after < old_before - 0.10:
        return Verdict(False, f"with {share:.0%} replay the old facts fall from {old_before:.0%} to {old_after:.0%}: "
                              "replay more of the old data in each batch.")
    return Verdict(True, f"with {share:.0%} replay the old facts stay at {old_after:.0%} (before: {old_before:.0%}) "
                         f"and the new ones reach {new_after:.0%}. Replay costs the share of each batch it takes.")


def paraphrase_gap(answer: str | None, runs: dict) -> Verdict:
    """Exercise 04.2: where paraphrases beat raw text by more, on training or held-out wordings (from the runs)."""
    if answer not in ("training", "held-out"):
        return Verdict(False, 'set `my_answer` to "training" or "held-out".')
    acc = lambda run, key: getattr(runs[run][key], "value", runs[run][key])  # an Estimate (finetune.report) or a number
    gap_train = acc("paraphrase", "new_trained_wording") - acc("raw", "new_trained_wording")
    gap_heldout = acc("paraphrase", "new_heldout") - acc("raw", "new_heldout")
    truth = "training" if gap_train >= gap_heldout else "held-out"
    numbers = f"the gap is {gap_train:+.0%} on training wordings and {gap_heldout:+.0%} on held-out ones"
    if answer != truth:
        return Verdict(False, f"look again at the bars: {numbers}.")
    why = ("the model learned the question patterns it was shown, which transfer less to new wordings"
           if truth == "training" else "at this scale the paraphrases helped extraction in new wordings most")
    return Verdict(True, f"{numbers}: {why}.")


def cost_ratio(ratio: float | None, week: Sequence[dict]) -> Verdict:
    """Exercise 04.3: mean daily fine-tuning seconds / mean daily index-update seconds."""
    truth = (sum(w["ft_seconds"] for w in week) / len(week)) / (sum(w["index_seconds"] for w in week) / len(week))
    if not isinstance(ratio, (int, float)):
        return Verdict(False, "set `my_ratio` to a number: the mean of the ft_seconds divided by the mean of the index_seconds.")
    if abs(ratio - truth) > 0.02 * truth:
        hint = " (did you divide the other way round?)" if abs(1 / max(ratio, 1e-9) - truth) < 0.02 * truth else ""
        return Verdict(False, f"{ratio:.1f} is not the ratio of the means{hint}; compute mean(ft_seconds) / mean(index_seconds).")
    return Verdict(True, f"fine-tuning every day costs {truth:.0f} times the index update.")


def bank_desk(scenario, choice: str | None, measured) -> Verdict:
    """Exercise 05.1: the bank's news desk as a Scenario, and the strategy the model recommends for it."""
    from ragft import threshold as th

    expected = dict(dynamic_share=0.8, changes_per_day=1500, retrain_every=30, days_kept=90, queries_per_day=2000)
    if not isinstance(scenario, th.Scenario):
        return Verdict(False, "set `bank` to th.Scenario(dynamic_share=..., changes_per_day=..., retrain_every=..., "
                              "days_kept=..., queries_per_day=...) with the numbers of the story.")
    wrong = [f"{k} should be {v} (it is {getattr(scenario, k)})" for k, v in expected.items() if getattr(scenario, k) != v]
    if wrong:
        return Verdict(False, "re-read the story: " + "; ".join(wrong) + ". A month is 30 days.")
    truth, why = th.recommend(scenario, measured)
    if choice != truth:
        return Verdict(False, f"the model recommends {truth!r}, not {choice!r}. {why}")
    return Verdict(True, why)


def threshold_value(share: float | None, scenario, measured) -> Verdict:
    """Exercise 05.2: the threshold of a preset, within two points."""
    from ragft import threshold as th

    truth = th.threshold(scenario, measured)
    if not isinstance(share, (int, float)):
        return Verdict(False, "set `my_threshold` to a share between 0 and 1 (read it off the red line in the explorer).")
    if truth is None:
        return Verdict(False, "with these measurements fine-tuning only stays ahead at every share: the threshold does not exist.")
    if abs(share - truth) > 0.02:
        return Verdict(False, f"{share:.0%} is not where the two accuracy lines cross: move the dynamic share slider "
                              "until fine-tuning only and RAG only are level.")
    return Verdict(True, f"the threshold is at {truth:.1%}: below it fine-tuning only is more accurate, above it RAG only.")


def retrain_needed(days, scenario, measured, target: float) -> Verdict:
    """Exercise 05.3: the longest retraining interval at which fine-tuning only beats `target` (or None)."""
    from dataclasses import replace

    from ragft import threshold as th

    if days == "?":
        return Verdict(False, "set `my_retrain_every` to a number of days, or None if no interval is enough.")
    ok = [n for n in range(1, 366) if th.accuracy("fine-tuning only", replace(scenario, retrain_every=n), measured) > target]
    truth = max(ok) if ok else None
    if truth is None:
        if days is None:
            return Verdict(True, f"even retraining every day, fine-tuning only stays at or below {target:.0%}: the "
                                 "dynamic facts it learns are not extractable enough, and the share is too high.")
        return Verdict(False, f"even with retrain_every=1 fine-tuning only does not beat {target:.0%}: the answer is None.")
    if days != truth:
        return Verdict(False, f"the longest interval that beats {target:.0%} is not {days}: try the slider "
                              "'retrain every' in the explorer with this preset.")
    return Verdict(True, f"retraining at least every {truth} day(s) keeps fine-tuning only above {target:.0%}; "
                         "each retrain costs what notebook 04 measured.")


def smallest_k(k: int | None | str, by_k: dict[int, dict], target: float = 0.95) -> Verdict:
    """Exercise 03.2: the smallest k whose hit@k reaches the target (None if none does)."""
    reached = [n for n in sorted(by_k) if by_k[n][f"hit@{n}"] >= target]
    truth = reached[0] if reached else None
    if k == "?":
        return Verdict(False, "set `my_k` to the smallest k in `ks` whose hit@k is at least 0.95 (or None).")
    if k != truth:
        return Verdict(False, f"read the hit@k line of the plot again: the smallest k at or above {target} is not {k}.")
    if truth is None:
        return Verdict(True, f"no k reaches {target}: the plain vector search needs a filter or BM25 here.")
    best = max(by_k, key=lambda n: by_k[n]["exact_match"])
    return Verdict(True, f"k={truth} reaches hit@{truth} {by_k[truth][f'hit@{truth}']:.2f}; exact match there is "
                         f"{by_k[truth]['exact_match']:.0%} and best at k={best} ({by_k[best]['exact_match']:.0%}): past "
                         "that point, more passages only add distractors.")


def seeds(answer: tuple | None) -> Verdict:
    """Exercise 00.1: (do seed 0 and seed 1 name their towns differently?, is a world's JSON the same every time?)."""
    from ragft.world import World

    if not (isinstance(answer, tuple) and len(answer) == 2):
        return Verdict(False, "set `my_answer` to a pair of booleans: (towns differ between seeds, JSON identical every time).")
    truth = (World(seed=0).towns != World(seed=1).towns, World(seed=1, day=3).to_json() == World(seed=1, day=3).to_json())
    if tuple(map(bool, answer)) != truth:
        return Verdict(False, "compare World(seed=0).towns with World(seed=1).towns, and World(seed=1).to_json() with "
                              "itself computed twice: a seed fixes everything, and only the seed.")
    return Verdict(True, "another seed is another world; the same seed is the same world, byte for byte.")


def rainy_towns(count: int | None, world, day: int) -> Verdict:
    """Exercise 00.2: how many towns were rainy on a day."""
    truth = sum(f.attribute == "weather" and f.value == "rainy" for f in world.facts_on(day))
    if not isinstance(count, int):
        return Verdict(False, f"set `my_count` to a number: count the facts of world.facts_on({day}) whose attribute is "
                              "'weather' and whose value is 'rainy'.")
    if count != truth:
        return Verdict(False, f"{count} is not it: did you count weather facts only, on day {day}?")
    return Verdict(True, f"{truth} towns were rainy on day {day}.")


def mix_share(mix, n: int, share: float) -> Verdict:
    """Exercise 00.3: a question mix of n questions with the given dynamic share."""
    if not mix:
        return Verdict(False, f"set `my_mix` to world.question_mix({n}, {share}).")
    dynamic = sum(q.dynamic for q in mix)
    if len(mix) != n or dynamic != round(n * share):
        return Verdict(False, f"the mix has {len(mix)} questions of which {dynamic} are dynamic; asked: {n} with a "
                              f"share of {share}.")
    days = sorted({q.day for q in mix if q.dynamic})
    return Verdict(True, f"{dynamic} of {n} questions are dynamic, all about day(s) {days}: by default a mix asks about today.")


def router(route, questions: Sequence) -> Verdict:
    """Exercise 06.1: a router that sends exactly the dynamic questions to the index."""
    if route is None or not callable(route):
        return Verdict(False, "set `my_router` to a function that takes a question (a string) and returns True when "
                              "it should be answered from the index.")
    wrong = [q for q in questions if bool(route(q.question)) != q.dynamic]
    if wrong:
        q = wrong[0]
        where = "the index (it asks about a dated, changing fact)" if q.dynamic else "the weights (a timeless fact)"
        return Verdict(False, f"{len(wrong)} of {len(questions)} questions go the wrong way, e.g. {q.question!r} belongs "
                              f"in {where}. Hint: dynamic questions in this world always name a day.")
    return Verdict(True, f"all {len(questions)} questions routed right. A rule works here because the world is regular; "
                         "in production a router is a classifier, or the LLM deciding whether to call a search tool.")


def retrievals_saved(share: float | None, outs: Sequence[dict]) -> Verdict:
    """Exercise 06.2: the share of questions the hybrid answered from its weights (no retrieval)."""
    expected = sum(o["route"] == "weights" for o in outs) / len(outs)
    if share is None:
        return Verdict(False, "set `my_share` to a number between 0 and 1 computed from `outs` (each output has a 'route').")
    if abs(share - expected) > 0.005:
        hint = " (did you count the retrieval route instead?)" if abs(share - (1 - expected)) <= 0.005 else ""
        return Verdict(False, f"{share:.3f} is not the share of outputs whose route is 'weights'{hint}.")
    return Verdict(True, f"{expected:.0%} of the questions needed no search at all: no embedding, no index lookup, a "
                         "shorter prompt. That is the saving of moving the static documents into the weights.")


def corrections_split(split: dict | None, rows: Sequence[dict]) -> Verdict:
    """Exercise 06.3: which corrections to fine-tune in, and which to fix in the index."""
    from ragft.hybrid import is_dynamic

    if not isinstance(split, dict) or set(split) != {"fine-tune", "fix the index"}:
        return Verdict(False, "set `my_split` to a dict with two keys, 'fine-tune' and 'fix the index', each a list of rows.")
    for key, want_dynamic in (("fine-tune", False), ("fix the index", True)):
        for row in split[key]:
            if is_dynamic(row["question"]) != want_dynamic:
                why = ("it is about a dated fact: tomorrow the weights would hold a stale value; correct the document "
                       "instead" if want_dynamic is False else "it is about a timeless fact: fine-tuning it in fixes it "
                       "for good and needs no search")
                return Verdict(False, f"{row['question']!r} is under {key!r}, but {why}.")
    if sum(len(v) for v in split.values()) != len(rows):
        return Verdict(False, f"sort every one of the {len(rows)} rows into one of the two lists.")
    return Verdict(True, "static corrections go into the weights (they stay true); dynamic ones into the index "
                         "(they expire, and the index is where today's truth lives).")


def reads_not_knows(question: str | None, reader, world) -> Verdict:
    """Exercise 01.3: a question the model misses closed-book but answers with the gold passage."""
    if not question:
        return Verdict(False, "set `my_question` to one of today's questions (a string from `today`).")
    found = [q for q in world.qa(world.facts_on(world.day), "all") if q.question == question]
    if not found:
        return Verdict(False, f"{question!r} is not one of today's (day {world.day}) questions: pick one from `today`.")
    q = found[0]
    gold = next(d for d in world.documents([world.day], static=False) if q.fact_id in d.facts)
    closed = reader.ask(q.question)
    opened = reader.ask(q.question, [gold.text])
    if exact_match(closed, q.answer):
        return Verdict(False, f"the model already answers it closed-book ({closed!r}): a lucky guess from the weights "
                              "(the weather has few values). Pick one it gets wrong without the passage.")
    if not exact_match(opened, q.answer):
        return Verdict(False, f"with the gold passage it still answers {opened!r} instead of {q.answer!r}: the tiny model "
                              "does not read every passage right. Try another question.")
    return Verdict(True, f"closed-book {closed!r}, with the passage {opened!r}: the knowledge was not in the weights, "
                         "the model read it from the context. That is what RAG relies on.")


def best_retriever(name: str | None, results: dict) -> Verdict:
    """Exercise 02.3: read the comparison table: which retriever puts the gold chunk first most often?"""
    best = max(results, key=lambda n: results[n]["hit@1"])
    if name not in results:
        return Verdict(False, f"set `my_best` to one of {sorted(results)} (the keys of `results`).")
    if results[name]["hit@1"] < results[best]["hit@1"]:
        return Verdict(False, f"{name} has hit@1 {results[name]['hit@1']:.2f}, but {best} has "
                              f"{results[best]['hit@1']:.2f}: look at the hit@1 column, not exact match.")
    return Verdict(True, f"{name} (hit@1 {results[name]['hit@1']:.2f}). Words like a day number or a name must "
                         "match exactly here, which keyword methods do and embeddings blur; fusing both keeps the "
                         "strengths of each.")


def thumbs_up_share(share: float | None, rows: Sequence[dict], question_type: str = "dynamic") -> Verdict:
    """Exercise 03.3: from the feedback store's rows, the share of thumbs up for one question type."""
    typed = [r for r in rows if r["question_type"] == question_type]
    if not typed:
        return Verdict(False, f"no {question_type} ratings in the store yet: run the panel (and the simulated user) first.")
    expected = sum(r["rating"] > 0 for r in typed) / len(typed)
    if share is None:
        return Verdict(False, f"set `my_share` to the share of {question_type} ratings that are thumbs up (rating +1), "
                              "computed from `feedback.rows()`.")
    if abs(share - expected) > 0.005:
        return Verdict(False, f"{share:.3f} is not it: keep only rows whose question_type is {question_type!r}, then "
                              "divide the thumbs up (rating == 1) by the number of those rows.")
    return Verdict(True, f"{expected:.0%} of {len(typed)} {question_type} ratings are thumbs up. The SQL in "
                         "`FeedbackStore.summary` computes the same thing for every type at once.")
