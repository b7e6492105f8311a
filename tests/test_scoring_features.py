"""Scorecards to features: combined ratings, spread, assessed, tally, interviews and leniency."""

import math

import numpy as np
import pytest

from scoring.features import (
    Scorecard,
    build_features,
    feature_groups,
    feature_names,
    interviewer_offsets,
    offsets_to_strings,
)

TRAITS = ["drive", "grit"]


def card(candidate: int, interviewer: int, recommendation: str | None = "yes", **ratings) -> Scorecard:
    """A submitted scorecard with the given ratings (keyword per trait)."""
    return Scorecard(candidate, interviewer, recommendation, ratings)


def columns(X: np.ndarray, row: int) -> dict[str, float]:
    """One feature row as a name -> value dict."""
    return dict(zip(feature_names(TRAITS), X[row].tolist(), strict=True))


def test_feature_names_follow_the_trait_order():
    assert feature_names(TRAITS) == [
        "drive.mean", "drive.spread", "drive.assessed", "grit.mean", "grit.spread", "grit.assessed",
        "rec.strong_no", "rec.no", "rec.yes", "rec.strong_yes", "interviews",
    ]  # fmt: skip
    assert feature_groups(TRAITS) == {
        "drive": [0, 1, 2],
        "grit": [3, 4, 5],
        "recommendations": [6, 7, 8, 9],
        "interviews": [10],
    }


def test_each_trait_gets_mean_spread_and_assessed_over_submitted_scorecards():
    ids, X = build_features([card(7, 1, drive=2, grit=4), card(7, 2, drive=5, grit=None), card(7, 3, drive=4)], TRAITS)
    assert ids == [7]
    row = columns(X, 0)
    assert (row["drive.mean"], row["drive.spread"], row["drive.assessed"]) == (11 / 3, 3, 1)
    # One rating: spread 0. "Not assessed" (None) and "not on the template" (missing) both just don't count.
    assert (row["grit.mean"], row["grit.spread"], row["grit.assessed"]) == (4, 0, 1)


def test_a_trait_nobody_assessed_has_no_mean_or_spread():
    _, X = build_features([card(1, 1, drive=3, grit=None), card(1, 2, drive=4)], TRAITS)
    row = columns(X, 0)
    assert math.isnan(row["grit.mean"]) and math.isnan(row["grit.spread"])
    assert row["grit.assessed"] == 0


def test_recommendations_are_tallied_and_interviews_counted():
    cards = [card(1, 1, "yes"), card(1, 2, "strong_yes"), card(1, 3, "yes"), card(1, 4, None), card(2, 1, "strong_no")]
    _, X = build_features(cards, TRAITS)
    first, second = columns(X, 0), columns(X, 1)
    assert [first[f"rec.{name}"] for name in ("strong_no", "no", "yes", "strong_yes")] == [0, 0, 2, 1]
    assert (first["interviews"], second["interviews"], second["rec.strong_no"]) == (4, 1, 1)


def test_candidates_keep_first_seen_order_and_unknown_traits_are_ignored():
    ids, X = build_features([card(9, 1, drive=3, charm=5), card(4, 1, drive=2), card(9, 2, drive=5)], TRAITS)
    assert ids == [9, 4]
    assert X.shape == (2, len(feature_names(TRAITS)))
    assert columns(X, 0)["drive.mean"] == 4


def test_ratings_outside_one_to_five_and_unknown_recommendations_are_refused():
    with pytest.raises(ValueError, match="between 1 and 5"):
        build_features([card(1, 1, drive=6)], TRAITS)
    with pytest.raises(ValueError, match="Unknown recommendation 'maybe'"):
        build_features([card(1, 1, "maybe", drive=3)], TRAITS)


def planted_leniency(n_candidates: int = 60) -> tuple[list[Scorecard], dict[int, float], dict[int, float]]:
    """Candidates with a true drive level, rated by two of three interviewers: +1, -1 and 0 leniency."""
    rng = np.random.default_rng(5)
    leniency = {1: 1.0, 2: -1.0, 3: 0.0}
    truth, cards = {}, []
    for candidate in range(n_candidates):
        truth[candidate] = float(rng.integers(2, 5))  # 2..4, so +-1 stays on the scale
        for interviewer in rng.choice(list(leniency), size=2, replace=False).tolist():
            cards.append(card(candidate, interviewer, drive=int(truth[candidate] + leniency[interviewer])))
    return cards, truth, leniency


def test_offsets_find_a_planted_leniency_without_labels():
    cards, _, _ = planted_leniency()
    offsets = interviewer_offsets(cards)
    # Shrinkage pulls them a little towards 0; signs and order are what matter.
    assert offsets[(1, "drive")] > 0.6 and offsets[(2, "drive")] < -0.6
    assert abs(offsets[(3, "drive")]) < 0.2
    assert (1, "grit") not in offsets  # never rated: no offset


def test_offsets_shrink_towards_zero_with_few_comparisons():
    few = interviewer_offsets([card(1, 1, drive=5), card(1, 2, drive=3)])
    assert 0 < few[(1, "drive")] < 1  # one comparison of a 2-point gap: +1 before shrinking


def test_normalising_removes_a_planted_leniency():
    cards, truth, _ = planted_leniency()
    ids, raw = build_features(cards, ["drive"])
    _, normalised = build_features(cards, ["drive"], interviewer_offsets(cards))
    true_level = np.array([truth[i] for i in ids])
    raw_error = np.abs(raw[:, 0] - true_level).mean()
    normalised_error = np.abs(normalised[:, 0] - true_level).mean()
    assert normalised_error < raw_error / 2
    assert normalised[:, 1].mean() < raw[:, 1].mean()  # the pair's disagreement was mostly leniency


def test_offsets_keyed_by_strings_work_like_tuples():
    cards, _, _ = planted_leniency(20)
    offsets = interviewer_offsets(cards)
    as_strings = offsets_to_strings(offsets)
    assert set(as_strings) == {f"{iid}:{trait}" for iid, trait in offsets}
    np.testing.assert_array_equal(
        build_features(cards, ["drive"], offsets)[1], build_features(cards, ["drive"], as_strings)[1]
    )
