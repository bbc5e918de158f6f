"""Issue 5's expectations, checked on notebook 04's results (results/finetune.json), never on fixed numbers.

One place for the checks, used twice: on the kit's own measurements (results/shipped/finetune.json, in
test_finetune_results.py) and on the results the executed notebook 04 has just written (test_grading.py).
Each check takes the FinetuneResults record (reading it checks every field and its type).
"""

import pytest

from ragft.course.bench import finetune_figures
from ragft.results import FinetuneResults, WeekDay

MARGIN = 0.10      # "a clear margin": 10 percentage points
# Old-fact accuracy is read on the 107 static facts held out of replay (finetune.replay_split; 214 questions).
FORGETTING = 0.05  # old-fact accuracy must drop by 5 points to count as forgetting
COST = 10          # a day's fine-tuning costs at least 10x the time of a day's index update


def has_the_fields(results):
    assert isinstance(results, FinetuneResults), type(results)
    assert results.week and all(isinstance(w, WeekDay) for w in results.week)


def paraphrases_beat_raw_text_on_heldout_wordings(results):
    f = finetune_figures(results)
    assert f["paraphrase_heldout_acc"] >= f["raw_heldout_acc"] + MARGIN, f


def paraphrases_beat_raw_text_on_trained_wordings(results):
    f = finetune_figures(results)
    assert f["paraphrase_trained_wording_acc"] >= f["raw_trained_wording_acc"] + MARGIN, f


def new_facts_push_out_old_ones_unless_replayed(results):
    f = finetune_figures(results)
    assert f["old_fact_acc_after_no_replay"] <= f["old_fact_acc_before"] - FORGETTING, f
    # Issue 5 asked replay to keep old facts within 3 points; that was read on the replayed facts themselves. On the
    # facts held out of replay (issue 21) it holds back forgetting by a clear margin, not all of it.
    assert f["old_fact_acc_after_replay"] >= f["old_fact_acc_after_no_replay"] + MARGIN, f


def rag_scores_at_least_as_high_as_fine_tuning_on_new_days(results):
    f = finetune_figures(results)  # the week of daily updates: each day's questions, mean over the days
    assert f["rag_new_day_acc"] >= f["ft_new_day_acc"], f


def daily_fine_tuning_costs_ten_times_an_index_update(results):
    f = finetune_figures(results)
    assert f["daily_update_cost_ratio"] >= COST, f


CHECKS = [pytest.param(check, id=check.__name__)
          for check in (has_the_fields, paraphrases_beat_raw_text_on_heldout_wordings,
                        paraphrases_beat_raw_text_on_trained_wordings, new_facts_push_out_old_ones_unless_replayed,
                        rag_scores_at_least_as_high_as_fine_tuning_on_new_days,
                        daily_fine_tuning_costs_ten_times_an_index_update)]
