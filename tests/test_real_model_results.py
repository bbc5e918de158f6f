"""SmolLM2's figures beside the course model's in the records of notebooks 01 and 02 (`real_model`): saved with their
intervals, read back keyed by setting or by k, and optional, so that a file written before them still reads."""

import json

from ragft.evaluate import Estimate
from ragft.results import ParametricResults, RetrievalResults


def test_real_model_figures_save_with_intervals_and_older_files_still_read(tmp_path):
    record = ParametricResults.from_estimates(
        closed_static=1.0, closed_unseen_day=0.09, closed_seconds_per_question=0.002,
        real_model={"real_world_probe": {"course_model": Estimate(0.0, 0.0, 0.2, 15), "smollm2": Estimate(0.8, 0.55, 0.93, 15),
                                         "n": 15, "difference": 0.8, "difference_low": 0.6, "difference_high": 1.0}})
    record.save(tmp_path)
    back = ParametricResults.read("yours", tmp_path)
    assert back.real_model["real_world_probe"]["smollm2"] == 0.8
    assert back.interval("real_model.real_world_probe.smollm2") == (0.55, 0.93)
    older = json.loads((tmp_path / "parametric.json").read_text())
    del older["real_model"], older["intervals"]
    (tmp_path / "parametric.json").write_text(json.dumps(older))
    assert ParametricResults.read("yours", tmp_path).real_model == {}


def test_the_chain_figures_are_keyed_by_k(tmp_path):
    shipped = RetrievalResults.read("shipped")
    record = RetrievalResults.from_estimates(retrievers=shipped.retrievers, hot_swap=shipped.hot_swap,
                                             real_model={2: {"course_model": Estimate(0.9, 0.7, 1.0, 12),
                                                             "smollm2": Estimate(0.5, 0.25, 0.75, 12), "n": 12}})
    record.save(tmp_path)
    back = RetrievalResults.read("yours", tmp_path)
    assert back.real_model[2]["smollm2"] == 0.5 and back.interval("real_model.2.course_model") == (0.7, 1.0)
