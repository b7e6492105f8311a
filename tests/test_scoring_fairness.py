"""Fairness audit: rates, impact ratios, tests and notes, checked by hand and against fairlearn."""

import json
import math
from statistics import NormalDist

import numpy as np
import pytest
from fairlearn.metrics import MetricFrame, demographic_parity_ratio, selection_rate

from scoring.fairness import (
    ROW_FIELDS,
    Subject,
    build_report,
    decision_analyses,
    flagged,
    model_analyses,
    report_rows,
)

Z = NormalDist().inv_cdf(0.975)


def people(*groups):
    """Subjects and selections from (sex, race, count, selected) tuples, the selected ones first."""
    subjects, chosen = [], []
    for sex, race, count, selected in groups:
        subjects += [Subject(sex, race)] * count
        chosen += [True] * selected + [False] * (count - selected)
    return subjects, chosen


def hired_analysis(*groups):
    """The "hired" analysis of these groups (everyone also moved forward)."""
    subjects, chosen = people(*groups)
    return decision_analyses(subjects, [True] * len(subjects), chosen)[1]


def dimension(analysis, key="sex"):
    """One dimension of an analysis, by key."""
    return next(item for item in analysis["dimensions"] if item["key"] == key)


def group(analysis, label, key="sex"):
    """One group of an analysis, by label."""
    return next(item for item in dimension(analysis, key)["groups"] if item["group"] == label)


def fisher_p(a, n1, c, n2):
    """Two-sided Fisher exact p by hand: every table with the same margins at most as likely as this one."""
    selected, total = a + c, n1 + n2

    def probability(x):
        return math.comb(n1, x) * math.comb(n2, selected - x) / math.comb(total, selected)

    observed = probability(a)
    low, high = max(0, selected - n2), min(n1, selected)
    return sum(p for x in range(low, high + 1) if (p := probability(x)) <= observed * (1 + 1e-7))


def katz(a, n1, c, n2):
    """Katz log interval of (a/n1)/(c/n2) by the formula."""
    log_ratio = math.log((a / n1) / (c / n2))
    margin = Z * math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n2)
    return math.exp(log_ratio - margin), math.exp(log_ratio + margin)


# Hand-computed rates, ratios, tests and intervals -------------------------------------


def test_rates_ratio_fisher_and_katz_by_hand():
    analysis = hired_analysis(("Female", None, 50, 20), ("Male", None, 40, 8))
    female, male = group(analysis, "Female"), group(analysis, "Male")

    assert (female["count"], female["selected"], female["rate"]) == (50, 20, 0.4)
    assert (male["count"], male["selected"], male["rate"]) == (40, 8, 0.2)
    assert female["share"] == pytest.approx(50 / 90)
    assert dimension(analysis)["reference"] == "Female"
    assert female["reference"] and female["impact_ratio"] == 1.0
    assert female["p_value"] is female["ci_low"] is female["ci_high"] is None
    assert male["impact_ratio"] == pytest.approx(0.5)
    assert male["p_value"] == pytest.approx(fisher_p(8, 40, 20, 50), rel=1e-9)
    assert (male["ci_low"], male["ci_high"]) == pytest.approx(katz(8, 40, 20, 50), rel=1e-9)
    # p is about 0.066: under the four-fifths line, but 40 people cannot show it is not chance.
    assert male["flag"] and not male["significant"]
    assert male["note"] == (
        "Impact ratio 0.50 is under 0.80, but with 40 people the difference could be chance "
        "(Fisher p = 0.066): too few people to mean anything on its own."
    )
    assert female["note"] == "Most selected group: the reference."


def test_flag_that_is_significant():
    analysis = hired_analysis(("Female", None, 50, 25), ("Male", None, 50, 10))
    male = group(analysis, "Male")
    p_value = fisher_p(10, 50, 25, 50)

    assert 0.001 < p_value < 0.05
    assert male["impact_ratio"] == pytest.approx(0.4)
    assert male["flag"] and male["significant"]
    assert male["note"] == f"Impact ratio 0.40 is under 0.80 and statistically significant (Fisher p = {p_value:.2g})."


def test_zero_cell_gets_the_half_correction():
    analysis = hired_analysis(("Female", None, 20, 10), ("Male", None, 10, 0))
    male = group(analysis, "Male")

    assert male["impact_ratio"] == 0.0
    assert male["p_value"] == pytest.approx(fisher_p(0, 10, 10, 20), rel=1e-9)
    # The corrected interval's upper bound; the lower bound widens to the observed ratio, 0.
    assert male["ci_high"] == pytest.approx(katz(0.5, 11, 10.5, 21)[1], rel=1e-9)
    assert male["ci_low"] == 0.0
    assert all(math.isfinite(value) for value in (male["ci_low"], male["ci_high"]))


def test_a_group_too_small_to_anchor_the_comparison_is_not_the_reference():
    analysis = hired_analysis(("Non-binary", None, 3, 2), ("Female", None, 40, 10), ("Male", None, 40, 9))
    dimension = analysis["dimensions"][0]

    assert dimension["reference"] == "Female"  # 3 people, 2 selected: 67 %, but too few to compare against
    assert not group(analysis, "Male")["flag"]  # 0.9 of the Female rate
    assert group(analysis, "Non-binary")["impact_ratio"] == pytest.approx((2 / 3) / (10 / 40))


def test_small_groups_are_the_reference_when_no_group_is_large_enough():
    analysis = hired_analysis(("Female", None, 6, 3), ("Male", None, 8, 1))

    assert analysis["dimensions"][0]["reference"] == "Female"
    assert group(analysis, "Male")["flag"]


def test_a_ratio_of_exactly_four_fifths_is_not_flagged():
    analysis = hired_analysis(("Female", None, 10, 5), ("Male", None, 10, 4))

    assert group(analysis, "Male")["impact_ratio"] == 0.8
    assert not group(analysis, "Male")["flag"]


def test_a_ratio_just_under_four_fifths_never_reads_as_080():
    analysis = hired_analysis(("Female", None, 1000, 500), ("Male", None, 1000, 398))
    male = group(analysis, "Male")

    assert male["impact_ratio"] == pytest.approx(0.796)
    assert male["note"] == "Impact ratio 0.79 is under 0.80 and statistically significant (Fisher p < 0.001)."


def test_ratio_above_four_fifths_yet_significant_with_a_big_sample():
    analysis = hired_analysis(("Female", None, 5000, 2000), ("Male", None, 5000, 1700))
    male = group(analysis, "Male")

    assert male["impact_ratio"] == pytest.approx(0.85)
    assert not male["flag"] and male["significant"]
    assert male["note"] == (
        "Impact ratio 0.85 passes the four-fifths rule, yet the difference is statistically significant "
        "(Fisher p < 0.001): worth a look."
    )
    assert build_report({}, [analysis])["summary"] == "No group is flagged."


def test_a_ratio_that_passes_and_is_not_significant():
    male = group(hired_analysis(("Female", None, 100, 50), ("Male", None, 100, 45)), "Male")

    assert male["note"] == "Impact ratio 0.90 passes the four-fifths rule."


# The median scoring rate (NYC LL144) ---------------------------------------------------


@pytest.mark.parametrize(
    "scores, median, above",
    [
        ([1, 2, 3, 4, 5], 3, 2),  # odd: the middle score
        ([1, 2, 3, 4], 2.5, 2),  # even: halfway between the middle two
        ([1, 2, 2, 2, 5], 2, 1),  # ties at the median are not above it
        ([7, 7, 7], 7, 0),
    ],
)
def test_scoring_rate_counts_scores_strictly_above_the_median(scores, median, above):
    subjects = [Subject("Female", "White")] * len(scores)
    scoring = model_analyses(subjects, ["B"] * len(scores), scores, 0)[2]

    assert scoring["key"] == "scoring_rate" and scoring["measure"] == "scoring"
    assert scoring["median"] == median
    assert scoring["selected"] == above
    assert group(scoring, "Female")["selected"] == above


def test_scoring_median_includes_people_of_unknown_sex():
    subjects = [Subject("Female", None), Subject("Male", None), Subject("Male", None)]
    subjects += [Subject("Female", None), Subject(None, None)]
    # Over everyone the median is 30; over the known four it would be 25 and count the man scoring 30.
    scoring = model_analyses(subjects, ["B"] * 5, [10, 20, 30, 40, 50], 0)[2]

    assert scoring["median"] == 30
    assert scoring["selected"] == 2
    assert (group(scoring, "Female")["rate"], group(scoring, "Male")["rate"]) == (0.5, 0.0)
    assert group(scoring, "Female")["note"] == "Highest scoring rate: the reference."


# Top n and predicted A ---------------------------------------------------------------


def test_top_n_breaks_ties_by_input_order():
    scores = [5, 9, 7, 9, 7, 1]
    # The first 7 (index 2) makes the top 3 with both 9s; the second 7 (index 4) does not.
    subjects = [Subject(None, None)] * 6
    subjects[2], subjects[4] = Subject("Female", None), Subject("Male", None)
    top = model_analyses(subjects, ["C"] * 6, scores, 3)[1]

    assert top["key"] == "top_n" and top["title"] == "Top 3 by fit score"
    assert top["selected"] == 3
    assert (group(top, "Female")["selected"], group(top, "Male")["selected"]) == (1, 0)


@pytest.mark.parametrize("top_n, selected", [(-2, 0), (0, 0), (4, 4), (100, 6)])
def test_top_n_is_clamped_to_the_sample(top_n, selected):
    top = model_analyses([Subject("Female", None)] * 6, ["C"] * 6, [1, 2, 3, 4, 5, 6], top_n)[1]

    assert top["selected"] == selected
    assert top["title"] == f"Top {selected} by fit score"


def test_predicted_a_selects_tier_a():
    subjects, _ = people(("Female", None, 2, 0), ("Male", None, 2, 0))
    predicted = model_analyses(subjects, ["A", "B", "A", "A"], [0, 0, 0, 0], 1)[0]

    assert predicted["key"] == "predicted_a" and predicted["source"] == "model"
    assert (group(predicted, "Female")["rate"], group(predicted, "Male")["rate"]) == (0.5, 1.0)
    assert "median" not in predicted


# Groups: unknowns, the intersection, small groups ------------------------------------


def test_unknowns_are_counted_not_grouped_and_intersections_need_both():
    subjects = [
        Subject("Female", "Asian"),
        Subject("Female", None),
        Subject(None, "Asian"),
        Subject("Male", "White"),
        Subject(None, None),
    ]
    analysis = decision_analyses(subjects, [True] * 5, [False] * 5)[0]

    sex, race, both = (dimension(analysis, key) for key in ("sex", "race_ethnicity", "sex_race"))
    assert (sex["known"], sex["unknown"]) == (3, 2)
    assert (race["known"], race["unknown"]) == (3, 2)
    assert (both["known"], both["unknown"]) == (2, 3)
    assert [item["group"] for item in sex["groups"]] == ["Female", "Male"]
    assert [item["group"] for item in both["groups"]] == ["Female · Asian", "Male · White"]
    assert both["title"] == "Sex × race/ethnicity"


def test_groups_under_two_percent_are_reported_but_never_flagged_nor_the_reference():
    analysis = hired_analysis(
        ("Female", None, 58, 29), ("Male", None, 39, 10), ("Another gender", None, 2, 0), ("Not listed", None, 1, 1)
    )
    tiny, small = group(analysis, "Not listed"), group(analysis, "Another gender")

    assert tiny["share"] == 0.01 and tiny["excludable"]
    assert tiny["rate"] == 1.0 and tiny["impact_ratio"] == pytest.approx(2.0)
    assert dimension(analysis)["reference"] == "Female"
    assert tiny["note"] == "Under 2 % of the sample: reported, and may be excluded from impact ratios."
    # Exactly 2 % is not under 2 %: a ratio of 0 from two people is flagged (and too few to mean anything).
    assert small["share"] == 0.02 and not small["excludable"]
    assert small["flag"] and "with 2 people the difference could be chance" in small["note"]


def test_when_every_group_is_small_the_reference_is_the_highest_rate_overall():
    subjects = [Subject("Female", f"Race {number:02d}") for number in range(60)]
    chosen = [number in (7, 30) for number in range(60)]
    race = dimension(decision_analyses(subjects, chosen, chosen)[0], "race_ethnicity")

    assert all(item["excludable"] for item in race["groups"])
    assert race["reference"] == "Race 07"  # equal rates and sizes: the first label
    assert not any(item["flag"] for item in race["groups"])


def test_nobody_selected_gives_no_ratios_and_no_flags():
    analysis = hired_analysis(("Female", None, 30, 0), ("Male", None, 20, 0))
    report = build_report({}, [analysis])

    for item in dimension(analysis)["groups"]:
        assert item["impact_ratio"] is item["ci_low"] is item["p_value"] is None
        assert not item["flag"]
        assert item["note"] == "Nobody in these groups was selected, so there are no impact ratios."
    assert report["flags"] == [] and report["summary"] == "No group is flagged."


def test_one_group_only_is_its_own_reference():
    analysis = hired_analysis(("Female", None, 10, 3))

    assert dimension(analysis)["reference"] == "Female"
    assert group(analysis, "Female")["impact_ratio"] == 1.0


def test_nobody_and_all_unknown():
    empty = build_report({"opening": None}, model_analyses([], [], [], 5) + decision_analyses([], [], []))
    unknown = model_analyses([Subject(None, None)] * 4, ["A"] * 4, [1, 2, 3, 4], 2)

    assert [analysis["sample"] for analysis in empty["analyses"]] == [0] * 5
    assert empty["analyses"][2]["median"] is None
    assert empty["summary"] == "Nobody in the sample: nothing to audit."
    assert json.dumps(empty, allow_nan=False)
    for analysis in unknown:
        for item in analysis["dimensions"]:
            assert (item["known"], item["unknown"], item["reference"], item["groups"]) == (0, 4, None, [])


def test_lengths_must_match():
    with pytest.raises(ValueError, match="one value per subject"):
        model_analyses([Subject(None, None)], ["A", "B"], [1.0], 1)


# The report, its flags and its rows --------------------------------------------------


def test_report_flags_summary_rows_and_json():
    few = hired_analysis(("Female", "White", 10, 5), ("Male", "White", 4, 1))
    many = hired_analysis(("Female", None, 1000, 500), ("Male", None, 1000, 300), (None, None, 7, 0))
    report = build_report({"model_version": 3}, [few, many])

    assert report["sample"] == 2007 and report["scope"] == {"model_version": 3}
    assert report["summary"] == "3 flags under the four-fifths rule (1 statistically significant)."
    assert flagged(report) == report["flags"] and flagged(None) == []
    first = report["flags"][0]
    assert set(first) == {
        "analysis",
        "source",
        "analysis_title",
        "dimension",
        "dimension_title",
        "group",
        "impact_ratio",
        "p_value",
        "significant",
        "count",
        "note",
    }
    assert (first["analysis"], first["dimension"], first["group"], first["count"]) == ("hired", "sex", "Male", 4)
    assert [flag["group"] for flag in report["flags"]] == ["Male", "Male · White", "Male"]
    assert json.loads(json.dumps(report, allow_nan=False)) == report

    rows = report_rows(report)
    assert all(tuple(row) == ROW_FIELDS for row in rows)
    # Per analysis and dimension: its groups, then one Unknown row.
    groups = sum(len(item["groups"]) + 1 for analysis in (few, many) for item in analysis["dimensions"])
    assert len(rows) == groups
    unknown = next(row for row in rows if row["group"] == "Unknown" and row["count"] == 7)
    assert (unknown["dimension"], unknown["dimension_title"], unknown["analysis_title"]) == ("sex", "Sex", "Hired")
    assert all(unknown[field] is None for field in ROW_FIELDS[ROW_FIELDS.index("share") :])


def test_decision_analyses_keys():
    subjects, chosen = people(("Female", None, 3, 1))
    analyses = decision_analyses(subjects, chosen, [False] * 3)

    assert [(item["key"], item["source"], item["measure"]) for item in analyses] == [
        ("moved_forward", "decisions", "selection"),
        ("hired", "decisions", "selection"),
    ]


# Cross-check against fairlearn -------------------------------------------------------


def test_rates_and_smallest_ratio_agree_with_fairlearn():
    rng = np.random.default_rng(0)
    n = 3000
    sexes = rng.choice(["Female", "Male", "Another gender", ""], n, p=[0.47, 0.45, 0.01, 0.07])
    races = rng.choice(["Asian", "Black", "Hispanic", "White", ""], n, p=[0.15, 0.2, 0.2, 0.4, 0.05])
    subjects = [Subject(sex or None, race or None) for sex, race in zip(sexes, races, strict=True)]
    chance = np.where(sexes == "Female", 0.25, 0.35) + np.where(races == "Black", -0.1, 0.0)
    chosen = rng.random(n) < chance
    analysis = decision_analyses(subjects, chosen.tolist(), chosen.tolist())[0]

    labels = {
        "sex": sexes,
        "race_ethnicity": races,
        "sex_race": np.where((sexes != "") & (races != ""), np.char.add(np.char.add(sexes, " · "), races), ""),
    }
    for item in analysis["dimensions"]:
        known = labels[item["key"]] != ""
        frame = MetricFrame(
            metrics=selection_rate,
            y_true=chosen[known],
            y_pred=chosen[known],
            sensitive_features=labels[item["key"]][known],
        )
        assert {entry["group"]: entry["rate"] for entry in item["groups"]} == pytest.approx(frame.by_group.to_dict())

        kept = {entry["group"] for entry in item["groups"] if not entry["excludable"]}
        subset = np.isin(labels[item["key"]], list(kept))
        expected = demographic_parity_ratio(
            chosen[subset], chosen[subset], sensitive_features=labels[item["key"]][subset]
        )
        smallest = min(entry["impact_ratio"] for entry in item["groups"] if not entry["excludable"])
        assert smallest == pytest.approx(expected)
    assert group(analysis, "Another gender")["excludable"]
