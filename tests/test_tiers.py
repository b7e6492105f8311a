"""scoring.tiers: the A/B/C rule on plain months, at its edges."""

from datetime import date

import pytest

from scoring.tiers import Month, Rule, assess, profile, trajectory

HIRED = date(2024, 1, 15)  # ramp (3 months by default): 2024-01, 2024-02, 2024-03


def period(index: int) -> str:
    """The period ``index`` months after the hire month."""
    year, month = divmod(HIRED.month - 1 + index, 12)
    return f"{HIRED.year + year}-{month + 1:02d}"


def months(attainments: list[float], start: int = 3, quota: float = 1000.0) -> list[Month]:
    """Months from ``start`` months after the hire, with the given attainments in %."""
    return [Month(period(start + i), quota, quota * pct / 100) for i, pct in enumerate(attainments)]


def test_exactly_two_of_three_is_not_c():
    result = assess(HIRED, months([100, 100, 90]), Rule(min_observed_months=3))
    assert (result.months_at_quota, result.months_observed, result.tier) == (2, 3, "B")


def test_four_of_six_is_not_c():
    result = assess(HIRED, months([100, 120, 80, 100, 90, 105]), Rule())
    assert (result.months_at_quota, result.tier) == (4, "B")


def test_three_of_five_is_c():
    result = assess(HIRED, months([100, 100, 100, 99, 50]), Rule(min_observed_months=5))
    assert (result.months_at_quota, result.months_observed, result.tier) == (3, 5, "C")


@pytest.mark.parametrize("attainment, tier", [(110, "A"), (109.9, "B"), (150, "A")])
def test_a_needs_mean_attainment_of_at_least_110(attainment, tier):
    result = assess(HIRED, months([attainment] * 6), Rule())
    assert result.tier == tier


def test_c_even_with_a_high_mean_when_quota_is_missed_too_often():
    result = assess(HIRED, months([300, 300, 90, 90, 90, 90]), Rule())
    assert (result.on_target_pct, result.tier) == (160.0, "C")


def test_ramp_months_are_shown_but_not_counted():
    ramp = months([0, 10, 20], start=0)
    result = assess(HIRED, ramp + months([120] * 6), Rule())
    assert [m.ramp for m in result.months] == [True] * 3 + [False] * 6
    assert (result.months_observed, result.months_at_quota, result.on_target_pct, result.tier) == (6, 6, 120.0, "A")
    no_ramp = assess(HIRED, ramp + months([120] * 6), Rule(ramp_months=0))
    assert (no_ramp.months_observed, no_ramp.on_target_pct, no_ramp.tier) == (9, 83.3, "B")


def test_five_observed_months_are_too_early_and_six_are_tiered():
    five = assess(HIRED, months([120] * 5), Rule())
    assert (five.tier, five.too_early, five.months_observed) == (None, True, 5)
    assert five.on_target_pct == 120.0  # the numbers are there, only the tier waits
    six = assess(HIRED, months([120] * 6), Rule())
    assert (six.tier, six.too_early) == ("A", False)


def test_months_before_the_hire_or_after_leaving_are_ignored():
    before = [Month("2023-12", 1000, 0), Month("2023-06", 1000, 0)]
    after = [Month(period(9), 1000, 0), Month(period(12), 1000, 0)]
    left_on = date(2024, 9, 30)  # period(8) is the month the rep left, still counted
    result = assess(HIRED, before + months([120] * 6) + after, Rule(), left_on=left_on)
    assert [m.period for m in result.months][0] == "2024-04"
    assert result.months[-1].period == "2024-09"
    assert (result.months_observed, result.tier) == (6, "A")


def test_trajectory_up_flat_and_none():
    assert trajectory([100, 110, 120, 130]) > 2
    assert trajectory([100, 100, 100]) == 0.0
    assert trajectory([100, 90, 80]) < 0
    assert trajectory([100, 200]) is None  # fewer than 3 months
    assert trajectory([0, 0, 0, 0]) is None  # nothing booked: no growth to speak of
    assert trajectory([]) is None


@pytest.mark.parametrize(
    "attainments, expected",
    [
        ([100, 110, 120, 130, 140, 150], "excelling"),
        ([120, 120, 120, 120, 120, 120], "stabilizing"),
        ([50, 60, 70, 80, 90, 95], "emerging"),
        ([80, 80, 80, 80, 80, 80], "developing"),
    ],
)
def test_the_four_profiles(attainments, expected):
    assert assess(HIRED, months(attainments), Rule()).profile == expected


def test_profile_needs_both_numbers():
    assert profile(None, 5.0) is None
    assert profile(120.0, None) is None
    assert profile(100.0, 2.0) == "excelling"  # both thresholds are inclusive
    assert profile(99.9, 1.9) == "developing"


def test_a_changed_rule_changes_tiers():
    results = months([100, 115, 120, 90, 110, 125])  # 5 of 6 at quota, mean 110 %
    assert assess(HIRED, results, Rule()).tier == "A"
    assert assess(HIRED, results, Rule(a_attainment_pct=120)).tier == "B"
    assert assess(HIRED, results, Rule(quota_months_hit=6, quota_months_of=6)).tier == "C"
    assert assess(HIRED, results, Rule(min_observed_months=7)).tier is None
    assert assess(HIRED, results, Rule(ramp_months=5)).tier is None  # two months move into ramp


def test_rule_in_words_names_every_number():
    words = Rule(ramp_months=2, min_observed_months=8, quota_months_hit=3, quota_months_of=4, a_attainment_pct=125)
    text = words.describe()
    assert "3 of every 4" in text and "125 %" in text and "first 2 months" in text and "fewer than 8 months" in text
