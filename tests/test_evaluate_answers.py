"""Answer scores with their uncertainty: `estimate` (an accuracy and its 95% interval, bootstrapped over facts) and
`compare` (a paired difference and whether it is within noise), against answers known by hand."""

import time

import numpy as np
import pytest

from ragft.evaluate import Difference, Estimate, compare, error_bars, estimate, exact_matches, interval, score

FACTS = [i // 2 for i in range(200)]  # 100 facts, each asked in two wordings


def test_without_clusters_the_interval_is_wilsons():
    e = estimate([True] * 30 + [False] * 10)
    assert e == Estimate(0.75, *interval(30, 40), 40)
    assert str(e) == "75.0% (95% interval 59.8-85.8%, n=40)"


def test_all_correct_gives_one_with_wilsons_lower_bound_over_the_facts_not_the_items():
    e = estimate([True] * 200, FACTS)
    assert (e.value, e.high, e.n) == (1.0, 1.0, 200)
    assert e.low == pytest.approx(interval(100, 100)[0]) and e.low < interval(200, 200)[0]
    assert estimate([False] * 200, FACTS).interval == [0.0, pytest.approx(interval(0, 100)[1])]


def test_the_bootstrap_interval_holds_the_value_and_matches_the_normal_approximation():
    rng = np.random.default_rng(0)
    correct = list(rng.random(400) < 0.7)
    e = estimate(correct, range(400))
    half = 1.96 * np.sqrt(e.value * (1 - e.value) / 400)
    assert e.low < e.value < e.high
    assert e.value - e.low == pytest.approx(half, abs=0.01) and e.high - e.value == pytest.approx(half, abs=0.01)
    assert estimate(correct, range(400)) == e  # seeded: the same interval every time


def test_clustering_widens_the_interval_when_wordings_of_a_fact_agree():
    rng = np.random.default_rng(1)
    per_fact = rng.random(100) < 0.6
    correct = [bool(per_fact[f]) for f in FACTS]       # both wordings of a fact right or wrong together
    clustered, independent = estimate(correct, FACTS), estimate(correct, range(200))
    assert clustered.value == independent.value
    width = lambda e: e.high - e.low
    assert width(clustered) > 1.3 * width(independent)  # about sqrt(2) wider: 100 facts, not 200 questions


def test_identical_systems_are_within_noise_and_a_clear_difference_is_not():
    rng = np.random.default_rng(2)
    a = list(rng.random(200) < 0.5)
    same = compare(a, a, FACTS)
    assert same.value == 0 and same.within_noise and same.low < 0 < same.high
    better = compare([False] * 200, [True] * 150 + [False] * 50, FACTS)
    assert better.value == 0.75 and not better.within_noise and better.low > 0.6
    assert better.phrase.startswith("+75.0 points [+") and better.phrase.endswith("beyond noise")
    assert compare([True] * 200, [False] * 200, FACTS).high < -0.9


def test_a_small_difference_on_few_facts_is_within_noise_and_says_so():
    a = [True] * 40 + [False] * 60
    b = [True] * 37 + [False] * 3 + [True] * 7 + [False] * 53  # 3 answers lost, 7 gained: 4 more right of 100
    d = compare(a, b, range(100))
    assert isinstance(d, Difference) and d.value == pytest.approx(0.04) and d.within_noise
    assert d.phrase == f"+4.0 points [{100 * d.low:+.1f}, {100 * d.high:+.1f}]: within noise"


def test_a_thousand_items_take_less_than_50_ms():
    correct, facts = list(np.random.default_rng(3).random(1000) < 0.8), [i // 3 for i in range(1000)]
    start = time.perf_counter()
    estimate(correct, facts)
    compare(correct, correct[::-1], facts)
    assert time.perf_counter() - start < 0.1  # both together, on a shared machine


def test_exact_matches_and_bad_inputs_say_what_to_do():
    assert exact_matches(["The Lowmere.", "7"], ["lowmere", "-7"]) == [True, False]
    with pytest.raises(ValueError, match="only True/False"):
        estimate([0.5, 1])
    with pytest.raises(ValueError, match="nothing to score"):
        estimate([])
    with pytest.raises(ValueError, match="one fact id per item"):
        estimate([True, False], ["a"])
    with pytest.raises(ValueError, match="compare two systems on the same items"):
        compare([True], [True, False])
    with pytest.raises(TypeError, match="a list of True/False"):
        estimate("yes")


def test_an_estimate_formats_as_its_value_and_gives_matplotlib_error_bars():
    e = Estimate(0.75, 0.6, 0.85, 40)
    assert f"{e:.0%}" == "75%" and f"{e}" == str(e)
    assert e.short == "75% [60-85%]" and Estimate(0.0, 0.0, 0.0918, 40).short == "0% [0-9%]"
    assert error_bars([e, Estimate(1.0, 0.9, 1.0, 10)]) == [[pytest.approx(0.15), pytest.approx(0.1)],
                                                           [pytest.approx(0.1), 0.0]]
    assert score(["a", "b"], ["a", "c"]) == estimate([True, False])


def test_retrieval_shares_get_intervals_bootstrapped_over_facts_like_exact_match():
    from ragft.evaluate import citations_right, hit_rate_at_k, hits_at_k

    rankings, relevant = [["a", "x"], ["y", "a"], ["b"], ["z"]], [{"a"}, {"a"}, {"b"}, {"c"}]
    assert hits_at_k(rankings, relevant, 1) == [True, False, True, False]
    assert hits_at_k(rankings, relevant, 2) == [True, True, True, False]
    assert hit_rate_at_k(rankings, relevant, 2) == 0.75
    assert citations_right([["a"], ["a", "y"], [], ["c"]], relevant) == [True, False, False, True]
    hits = [True] * 30 + [False] * 10
    facts = [f"f{i // 2}" for i in range(40)]   # two wordings per fact, right or wrong together
    by_fact, by_item = estimate(hits, facts), estimate(hits)
    assert by_fact.value == by_item.value == 0.75
    assert by_fact.high - by_fact.low > by_item.high - by_item.low   # 20 facts, not 40 independent items
