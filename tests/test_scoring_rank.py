"""Ranking candidates: probabilities, order, certainty and the reasons behind a score."""

import dataclasses
from collections import Counter

import numpy as np
import pytest

from scoring.features import Scorecard
from scoring.rank import Prediction, Reason, rank
from scoring.synthetic import make_data
from scoring.train import train


@pytest.fixture(scope="module")
def planted():
    """A ranker trained on 600 reps where 3 of 10 traits decide the tier, and 2,000 new candidates."""
    data = make_data(600, 2_000, random_state=3)
    reps = [card for card in data.scorecards if card.candidate_id in data.labels]
    result = train(reps, data.labels, data.trait_keys, n_repeats=1, trait_names=data.trait_names)
    candidates = [card for card in data.scorecards if card.candidate_id not in data.labels]
    return data, result.ranker, candidates


def steady(candidate: int, interviewer: int, keys, rating: int = 3, recommendation: str = "yes", **overrides):
    """A scorecard rating every trait ``rating`` unless overridden."""
    return Scorecard(candidate, interviewer, recommendation, {key: overrides.get(key, rating) for key in keys})


def by_id(predictions: list[Prediction]) -> dict[int, Prediction]:
    """Predictions keyed by candidate id."""
    return {prediction.candidate_id: prediction for prediction in predictions}


def test_one_prediction_per_candidate_best_first(planted):
    data, ranker, candidates = planted
    predictions = rank(ranker, candidates)
    assert sorted(p.candidate_id for p in predictions) == data.candidate_ids
    scores = [p.score for p in predictions]
    assert scores == sorted(scores, reverse=True)
    for p in predictions[:50]:
        assert p.p_a + p.p_b + p.p_c == pytest.approx(1.0)
        assert p.score == pytest.approx(100 * (p.p_a + 0.5 * p.p_b))
        assert p.predicted_tier == "ABC"[int(np.argmax([p.p_a, p.p_b, p.p_c]))]
        assert p.certainty in {"low", "medium", "high"}


def test_the_ranking_separates_true_tiers(planted):
    data, ranker, candidates = planted
    predictions = rank(ranker, candidates)
    top_fifth = predictions[: len(predictions) // 5]
    share_a = np.mean([data.true_tiers[p.candidate_id] == "A" for p in top_fifth])
    assert share_a > 2.5 * np.mean([data.true_tiers[i] == "A" for i in data.candidate_ids])


def test_nothing_to_rank_gives_an_empty_list(planted):
    assert rank(planted[1], []) == []


def test_reasons_point_at_the_planted_traits(planted):
    data, ranker, candidates = planted
    predictions = rank(ranker, candidates, trait_names={data.predictive[0]: "Renamed"})
    # The strongest push each way. Noise traits do lead sometimes, and rightly: a high rating on a
    # trait that predicts nothing hints at a lenient panel, so the model discounts the others.
    leading = Counter(reason.key for p in predictions for reason in p.up[:1] + p.down[:1])
    planted_share = sum(leading[key] for key in [*data.predictive, "recommendations"]) / sum(leading.values())
    assert planted_share > 0.65
    assert min(leading[key] for key in data.predictive) > max(leading[key] for key in data.noise)
    some = next(p for p in predictions if p.up and p.down)
    assert [r.effect for r in some.up] == sorted((r.effect for r in some.up), reverse=True)
    assert [r.effect for r in some.down] == sorted(r.effect for r in some.down)
    assert all(r.effect > 0 for r in some.up) and all(r.effect < 0 for r in some.down)
    assert len(some.up) <= 3 and len(some.down) <= 3
    labels = {r.key: r.label for p in predictions for r in p.up + p.down}
    assert labels[data.predictive[0]] == "Renamed"


def test_a_better_rating_on_a_planted_trait_raises_the_score_and_names_it(planted):
    data, ranker, _ = planted
    key = data.predictive[0]
    cards = [
        steady(1, 101, data.trait_keys),
        steady(1, 102, data.trait_keys),
        steady(2, 101, data.trait_keys, **{key: 5}),
        steady(2, 102, data.trait_keys, **{key: 5}),
    ]
    found = by_id(rank(ranker, cards))
    assert found[2].score > found[1].score
    assert found[2].up[0].key == key and found[2].up[0].value == "5 (2 ratings)"


def test_reason_values_are_in_words(planted):
    data, ranker, _ = planted
    key = data.predictive[0]
    cards = [
        steady(1, 101, data.trait_keys, rating=1, recommendation="strong_yes", **{key: 4}),
        steady(1, 102, data.trait_keys, rating=1, recommendation="yes", **{key: 5}),
    ]
    [prediction] = rank(ranker, cards)
    words = {reason.key: reason.value for reason in prediction.up + prediction.down}
    assert words[key] == "4.5 (2 ratings)"
    assert words.get("recommendations", "1 yes, 1 strong yes") == "1 yes, 1 strong yes"
    unrated = [Scorecard(3, 101, None, {k: None for k in data.trait_keys})]
    [blank] = rank(ranker, unrated)
    assert {r.value for r in blank.up + blank.down} <= {"not assessed", "no recommendation", "1 interview"}


def test_certainty_is_high_for_consistent_evidence_from_several_interviews(planted):
    data, ranker, _ = planted
    cards = [steady(1, interviewer, data.trait_keys) for interviewer in (101, 102, 103)]
    [prediction] = rank(ranker, cards)
    assert (prediction.certainty, prediction.certainty_reasons) == ("high", [])


def test_certainty_is_low_after_one_interview(planted):
    data, ranker, _ = planted
    [prediction] = rank(ranker, [steady(1, 101, data.trait_keys)])
    assert prediction.certainty == "low" and "only one interview" in prediction.certainty_reasons
    assert prediction.interviews == 1


def test_certainty_is_low_when_interviewers_are_far_apart(planted):
    data, ranker, _ = planted
    key = data.trait_keys[0]
    cards = [steady(1, 101, data.trait_keys, **{key: 1}), steady(1, 102, data.trait_keys, **{key: 5})]
    [prediction] = rank(ranker, cards)
    assert prediction.certainty == "low"
    assert f"interviewers disagree (spread 4 on {data.trait_names[key]})" in prediction.certainty_reasons


def test_certainty_drops_when_interviewers_split_on_the_recommendation(planted):
    data, ranker, _ = planted
    cards = [steady(1, 101, data.trait_keys, recommendation="no"), steady(1, 102, data.trait_keys)]
    [prediction] = rank(ranker, cards)
    assert prediction.certainty == "medium"
    assert prediction.certainty_reasons == ["interviewers split between yes and no"]


def test_certainty_is_low_when_most_traits_were_not_assessed(planted):
    data, ranker, _ = planted
    blanks = {key: None for key in data.trait_keys[:7]}
    cards = [steady(1, i, data.trait_keys, **blanks) for i in (101, 102)]
    [prediction] = rank(ranker, cards)
    assert prediction.certainty == "low"
    assert "7 of 10 traits not assessed" in prediction.certainty_reasons


def test_certainty_is_low_for_evidence_unlike_the_training_reps(planted):
    data, ranker, _ = planted
    cards = [steady(1, 101 + i, data.trait_keys, rating=5, recommendation="strong_yes") for i in range(8)]
    [prediction] = rank(ranker, cards)
    assert prediction.certainty == "low"
    assert "unlike the reps the model learned from" in prediction.certainty_reasons


def test_unknown_traits_are_ignored(planted):
    data, ranker, _ = planted
    cards = [steady(1, 101, data.trait_keys), steady(1, 102, data.trait_keys)]
    extra = [dataclasses.replace(card, ratings={**card.ratings, "charm": 5}) for card in cards]
    assert rank(ranker, extra) == rank(ranker, cards)


def test_interviewer_leniency_is_removed_when_the_ranker_normalises(planted):
    data, ranker, _ = planted
    key = data.predictive[0]
    lenient = type(ranker).__new__(type(ranker))  # a copy that normalises with planted offsets
    lenient.__dict__.update(ranker.__dict__, normalized_=True, offsets_={f"901:{key}": 1.0, f"902:{key}": -1.0})
    same_ratings = [steady(1, 901, data.trait_keys, **{key: 4}), steady(1, 903, data.trait_keys, **{key: 4})]
    same_ratings += [steady(2, 902, data.trait_keys, **{key: 4}), steady(2, 903, data.trait_keys, **{key: 4})]
    found = by_id(rank(lenient, same_ratings))
    assert found[1].score < found[2].score  # a 4 from the lenient interviewer is worth less


def test_predictions_and_reasons_are_frozen(planted):
    data, ranker, _ = planted
    [prediction] = rank(ranker, [steady(1, 101, data.trait_keys)])
    with pytest.raises(dataclasses.FrozenInstanceError):
        prediction.score = 100.0  # type: ignore[misc]
    assert all(isinstance(reason, Reason) for reason in prediction.up + prediction.down)


def test_a_trait_nobody_assessed_is_never_a_reason(planted):
    data, ranker, candidates = planted
    predictions = rank(ranker, candidates)
    reasons = [reason for p in predictions for reason in (*p.up, *p.down)]
    assert reasons, "some candidates must have reasons"
    assert not any(reason.value == "not assessed" for reason in reasons)
    # Even when almost everything is missing, the one rated trait may be a reason, the blanks not.
    sparse = Scorecard(999_999, 101, "yes", {key: None for key in data.trait_keys} | {data.predictive[0]: 5})
    (only,) = rank(ranker, [sparse])
    assert {reason.key for reason in (*only.up, *only.down)} <= {data.predictive[0], "recommendations", "interviews"}
