"""Issue 5's expectations hold on the kit's shipped measurements (test_grading.py checks a fresh run of notebook 04)."""

import pytest

from ragft.results import FinetuneResults
from tests.finetune_expectations import CHECKS


@pytest.mark.parametrize("check", CHECKS)
def test_shipped_finetune_results_meet_the_expectations(check):
    check(FinetuneResults.read("shipped"))
