"""Typed results: every shipped file reads and saves back byte for byte, the learner's own run wins over the
shipped one, and a malformed file fails with its name and the field at fault."""

import json
import os
import subprocess
import sys
from dataclasses import replace

import pytest

from ragft.results import (FinetuneResults, HybridResults, ParametricResults, RagResults, ThresholdResults, WeekDay,
                           scalars)

SHIPPED = [ParametricResults, RagResults, FinetuneResults, HybridResults]


@pytest.mark.parametrize("record", SHIPPED, ids=lambda r: r.NAME)
def test_every_shipped_file_round_trips_byte_for_byte(record, tmp_path):
    shipped = record.read("shipped")
    assert shipped.whose == "shipped"
    saved = shipped.save(tmp_path)
    assert saved == tmp_path / f"{record.NAME}.json"
    assert saved.read_bytes() == record.path("shipped").read_bytes()
    assert record.read("yours", tmp_path) == shipped


def test_numbered_keys_are_ints_in_the_record_and_strings_in_the_file(tmp_path):
    rag = RagResults.read("shipped")
    assert list(rag.growth) == [1, 30, 90, 365] and rag.rag_dynamic_by_days_kept[365] == 0.925
    hybrid = HybridResults.read("shipped")
    assert list(hybrid.raft_acc_by_k["RAFT reader"]) == [1, 2, 4, 8]
    assert list(hybrid.raft_by_distractors["base reader"]) == [0, 2, 4]
    hybrid.save(tmp_path)
    saved = json.loads((tmp_path / "hybrid.json").read_text())
    assert list(saved["raft_acc_by_k"]["RAFT reader"]) == ["1", "2", "4", "8"]


def test_the_learners_own_run_wins_over_the_shipped_one(tmp_path):
    (tmp_path / "shipped").mkdir()
    with pytest.raises(FileNotFoundError, match="run notebook 01"):
        ParametricResults.load(tmp_path)
    (tmp_path / "shipped" / "parametric.json").write_bytes(ParametricResults.path("shipped").read_bytes())
    assert ParametricResults.load(tmp_path).whose == "shipped"
    mine = ParametricResults(closed_static=0.5, closed_unseen_day=0.1, closed_seconds_per_question=0.002)
    assert mine.whose == "yours" and mine.save(tmp_path) == tmp_path / "parametric.json"
    loaded = ParametricResults.load(tmp_path)
    assert loaded == mine and loaded.whose == "yours"
    assert ParametricResults.read("shipped", tmp_path).closed_static == 1.0  # the shipped one is still there


def test_a_record_notes_the_model_that_measured_it_and_the_course_models_files_stay_as_they_were(tmp_path,
                                                                                                monkeypatch):
    monkeypatch.delenv("RAGFT_LLM", raising=False)
    monkeypatch.setenv("RAGFT_MODEL", "smollm2")   # what notebook 01 saves when run with SmolLM2 selected
    real = ParametricResults(closed_static=0.0, closed_unseen_day=0.0, closed_seconds_per_question=0.6)
    assert json.loads(real.save(tmp_path).read_text())["model"] == "smollm2"
    assert ParametricResults.read("yours", tmp_path).model == "smollm2"
    monkeypatch.delenv("RAGFT_MODEL")
    assert ParametricResults.read("shipped").model == "course"  # a file without `model`: the course model's
    course = ParametricResults(closed_static=1.0, closed_unseen_day=0.0, closed_seconds_per_question=0.002)
    assert course.model == "course" and "model" not in json.loads(course.save(tmp_path).read_text())


def test_ragft_work_moves_your_results_and_build_files_but_the_shipped_runs_stay_the_kits(tmp_path):
    from ragft import ROOT

    work = tmp_path.resolve()
    code = ("from ragft import BUILD_DIR, RESULTS_DIR; from ragft.results import ParametricResults as P\n"
            "mine = P(closed_static=0.5, closed_unseen_day=0.1, closed_seconds_per_question=0.002)\n"
            "print(RESULTS_DIR, BUILD_DIR, P.path('shipped'), P.load().whose, mine.save(), P.load().whose)")
    out = subprocess.run([sys.executable, "-c", code], env=os.environ | {"RAGFT_WORK": str(work)}, text=True,
                         capture_output=True, check=True).stdout.split()
    assert out == [str(work / "results"), str(work / "build"), str(ROOT / "results" / "shipped" / "parametric.json"),
                   "shipped", str(work / "results" / "parametric.json"), "yours"]


def test_a_record_without_a_shipped_file_says_which_notebook_writes_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="run notebook 05"):
        ThresholdResults.load(tmp_path)
    run = ThresholdResults(validation=[{"share": 0.5, "strategy": "RAG only", "predicted": 0.9, "measured": 0.88}],
                           max_abs_error_points=2.0, redraw_ms=40.0, redraw_ms_min=35.0, redraw_ms_max=50.0,
                           redraw_moves=3)
    run.save(tmp_path)
    assert ThresholdResults.load(tmp_path) == run


def test_the_weeks_summaries_are_computed_once_in_the_record():
    f = FinetuneResults.read("shipped")
    assert f.ft_new_day_acc == sum(d.ft_today for d in f.week) / len(f.week)
    assert f.rag_new_day_acc == 1.0
    assert f.ft_seconds_per_fact == sum(d.ft_seconds for d in f.week) / sum(d.facts for d in f.week)
    assert f.docs_per_fact == pytest.approx(44 / 68)
    assert all(isinstance(d, WeekDay) for d in f.week)
    assert list(scalars(f)) == ["raw_heldout_acc", "raw_trained_wording_acc", "paraphrase_heldout_acc",
                                "paraphrase_trained_wording_acc", "old_fact_acc_before", "old_fact_acc_after_no_replay",
                                "old_fact_acc_after_replay", "replay_heldout_acc", "lora_acc", "full_acc",
                                "daily_update_cost_ratio"]


def _write(tmp_path, data) -> None:
    (tmp_path / "finetune.json").write_text(data if isinstance(data, str) else json.dumps(data))


@pytest.mark.parametrize("change, message", [
    (lambda d: d.pop("week"), r"finetune.json: missing week"),
    (lambda d: d.update(weeks=[]), r"unknown weeks \(not fields of FinetuneResults\)"),
    (lambda d: d.update(lora_acc="76%"), r"finetune.json: lora_acc: expected a number, got '76%'"),
    (lambda d: d.update(steps=150.5), r"steps: expected a whole number"),
    (lambda d: d["week"][2].pop("ft_today"), r"week\[2\]: missing ft_today"),
    (lambda d: d.update(end_of_week_first_day=[0.1, 1.0]), r"end_of_week_first_day: expected an object"),
])
def test_a_malformed_file_names_itself_and_the_field_at_fault(tmp_path, change, message):
    data = json.loads(FinetuneResults.path("shipped").read_text())
    change(data)
    _write(tmp_path, data)
    with pytest.raises(ValueError, match=message) as error:
        FinetuneResults.read("yours", tmp_path)
    assert str(tmp_path / "finetune.json") in str(error.value) and "run notebook 04 again" in str(error.value)


def test_a_file_that_is_not_json_or_has_a_bad_numbered_key_is_refused(tmp_path):
    _write(tmp_path, '{"raw_heldout_acc": 0.2,')
    with pytest.raises(ValueError, match="is not valid JSON"):
        FinetuneResults.load(tmp_path)
    data = json.loads(RagResults.path("shipped").read_text())
    data["rag_dynamic_by_days_kept"]["a month"] = 0.9
    (tmp_path / "rag.json").write_text(json.dumps(data))
    with pytest.raises(ValueError, match="key 'a month' should be a whole number"):
        RagResults.load(tmp_path)


def test_save_checks_the_record_before_writing(tmp_path):
    bad = replace(ParametricResults.read("shipped"), closed_static=None)
    with pytest.raises(ValueError, match="closed_static: expected a number"):
        bad.save(tmp_path)
    assert not (tmp_path / "parametric.json").exists()
