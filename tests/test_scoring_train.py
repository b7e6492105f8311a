"""Training: refusal with too little data, honest cross-validation, baselines and the report."""

import json
import math

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.metrics import cohen_kappa_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold

from scoring import evaluate
from scoring import train as train_module
from scoring.features import Scorecard
from scoring.synthetic import make_data
from scoring.train import (
    MIN_LABELLED,
    TIERS,
    NotEnoughData,
    OrdinalClassifier,
    build_pipeline,
    check_enough,
    train,
)


@pytest.fixture(scope="module")
def planted():
    """600 reps where 3 of 10 traits decide the tier; trained once for the module."""
    data = make_data(600, random_state=3)
    return data, train(data.scorecards, data.labels, data.trait_keys, n_repeats=2, trait_names=data.trait_names)


# Refusing too little data ------------------------------------------------------------


@pytest.mark.parametrize(
    "counts, problems",
    [
        ({"A": 10, "B": 10, "C": 10}, []),
        (
            {"A": 3, "B": 14, "C": 5},
            [
                "Only 22 reps have a tier; at least 30 are needed.",
                "Only 3 A-players; at least 5 are needed in every tier.",
            ],
        ),
        (
            {"A": 20, "B": 30, "C": 1},
            ["Only 1 C-player; at least 5 are needed in every tier."],
        ),
        (
            {"A": 0, "B": 0, "C": 0},
            [
                "No rep has a tier; at least 30 are needed.",
                "No A-players; at least 5 are needed in every tier.",
                "No B-players; at least 5 are needed in every tier.",
                "No C-players; at least 5 are needed in every tier.",
            ],
        ),
    ],
)
def test_check_enough_says_what_is_missing(counts, problems):
    labels = [tier for tier, count in counts.items() for _ in range(count)]
    assert check_enough(labels) == problems


def test_train_refuses_too_little_data_before_fitting_anything(monkeypatch):
    monkeypatch.setattr(train_module, "build_pipeline", lambda *a, **k: pytest.fail("fitted despite too little data"))
    data = make_data(20, random_state=1)
    labels = dict(data.labels)
    labels[999] = "A"  # a rep with a tier but no scorecard cannot be used
    with pytest.raises(NotEnoughData) as raised:
        train(data.scorecards, labels, data.trait_keys)
    assert raised.value.problems[0] == f"Only 20 reps have a tier; at least {MIN_LABELLED} are needed."
    assert raised.value.problems[-1] == "1 rep with a tier has no submitted scorecard, so cannot be used."
    assert "Only 20 reps have a tier" in str(raised.value)


# The estimator -------------------------------------------------------------------------


def test_the_pipeline_follows_sklearn_rules_and_returns_tier_probabilities():
    data = make_data(120, random_state=2)
    from scoring.features import build_features

    ids, X = build_features(data.scorecards, data.trait_keys)
    y = np.array([data.labels[i] for i in ids])
    pipeline = build_pipeline(random_state=0)
    assert [name for name, _ in pipeline.steps] == ["impute", "scale", "ordinal"]
    assert clone(pipeline).get_params()["ordinal__random_state"] == 0
    ordinal = OrdinalClassifier(C=0.5)
    assert ordinal.get_params() == {"C": 0.5, "calibration_folds": 2, "random_state": 0}
    assert pipeline.fit(X, y) is pipeline
    proba = pipeline.predict_proba(X)
    assert list(pipeline.classes_) == list(TIERS)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert (proba >= 0).all()
    assert set(pipeline.predict(X)) <= set(TIERS)


def test_imputer_and_scaler_learn_from_each_training_fold_only():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(90, 4))
    X[rng.random(X.shape) < 0.2] = np.nan
    y = np.array(["A", "B", "C"] * 30)
    X[y == "A", 0] += 5  # the folds' medians differ from the whole sample's
    folds = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    _, models = evaluate.cross_val_proba(build_pipeline(), X, y, folds)
    for model, (train_rows, test_rows) in zip(models, folds, strict=True):
        imputer, scaler = model.named_steps["impute"], model.named_steps["scale"]
        np.testing.assert_allclose(imputer.statistics_, np.nanmedian(X[train_rows], axis=0))
        filled = np.where(np.isnan(X[train_rows]), imputer.statistics_, X[train_rows])
        np.testing.assert_allclose(scaler.mean_, filled.mean(axis=0))
        assert set(train_rows).isdisjoint(test_rows)


def test_shuffled_labels_score_at_chance():
    data = make_data(300, random_state=4)
    tiers = list(data.labels.values())
    np.random.default_rng(0).shuffle(tiers)
    shuffled = dict(zip(data.labels, tiers, strict=True))
    report = train(data.scorecards, shuffled, data.trait_keys, n_repeats=2).report
    model = report["metrics"]["model"]
    assert abs(model["auc_a"]["mean"] - 0.5) < 0.1
    assert abs(model["spearman"]["mean"]) < 0.1
    assert report["beats"] == {"majority": False, "mean_rating": False}
    assert report["verdict"].startswith("The model does not beat the simple average of the interview ratings")


def test_the_same_data_and_seed_give_the_same_report_and_ranker():
    data = make_data(90, random_state=6)
    first = train(data.scorecards, data.labels, data.trait_keys, random_state=7, n_repeats=1)
    second = train(list(reversed(data.scorecards)), data.labels, data.trait_keys, random_state=7, n_repeats=1)
    assert first.report == second.report
    assert first.fingerprint == second.fingerprint
    from scoring.features import build_features

    _, X = build_features(data.scorecards, data.trait_keys)
    np.testing.assert_array_equal(first.ranker.predict_proba(X), second.ranker.predict_proba(X))


def test_progress_moves_forward_to_the_end():
    data = make_data(60, random_state=8)
    seen = []
    train(data.scorecards, data.labels, data.trait_keys, n_repeats=1, progress=lambda f, m: seen.append((f, m)))
    fractions = [fraction for fraction, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert len(seen) > 10 and all(message for _, message in seen)


# What the report shows -----------------------------------------------------------------


def test_the_model_beats_both_baselines_on_a_planted_structure(planted):
    _, result = planted
    report = result.report
    assert report["beats"] == {"majority": True, "mean_rating": True}
    metrics = report["metrics"]
    assert metrics["model"]["spearman"]["mean"] > metrics["mean_rating"]["spearman"]["mean"] + 0.2
    assert metrics["model"]["auc_a"]["mean"] > metrics["mean_rating"]["auc_a"]["mean"]
    assert metrics["majority"]["spearman"]["mean"] == 0.0 and metrics["majority"]["auc_a"]["mean"] == 0.5
    assert metrics["model"]["brier"]["mean"] < metrics["majority"]["brier"]["mean"]
    assert report["verdict"].startswith("The model ranks past hires clearly better")
    assert f"against {round(100 * report['base_rate_a'])} % of all hires" in report["accuracy_words"]


def test_planted_traits_matter_more_than_noise_traits(planted):
    data, result = planted
    drop = {row["key"]: row["drop"] for row in result.report["importance"]}
    assert min(drop[key] for key in data.predictive) > max(drop[key] for key in data.noise)
    assert {"recommendations", "interviews"} <= set(drop)
    assert [row["drop"] for row in result.report["importance"]] == sorted(drop.values(), reverse=True)
    rho = {row["key"]: row["rho"] for row in result.report["trait_validity"]}
    assert min(rho[key] for key in data.predictive) > max(rho[key] for key in data.noise)


def test_the_interviewer_who_rates_at_random_has_the_lowest_validity(planted):
    data, result = planted
    rows = result.report["interviewer_validity"]
    assert min(rows, key=lambda row: row["rho"])["interviewer_id"] in data.noisy_interviewers
    assert all(row["enough"] == (row["n"] >= evaluate.ENOUGH_FOR_INTERVIEWER) for row in rows)


def test_the_report_has_the_contract_shape_and_is_json(planted):
    data, result = planted
    report = result.report
    json.dumps(report, allow_nan=False)
    assert report["n_reps"] == 600 and sum(report["tier_counts"].values()) == 600
    assert report["cv"] == {"splits": 5, "repeats": 2}
    assert set(report["variants"]) == {"raw", "normalized"}
    assert report["normalized"] == result.ranker.normalized_
    for name in ("model", "majority", "mean_rating"):
        assert set(report["metrics"][name]) == set(evaluate.METRICS)
        assert set(report["metrics"][name]["qwk"]) == {"mean", "std"}
    bins = report["reliability"]
    assert sum(row["count"] for row in bins) == 600 and len(bins) <= 10
    assert all(row["low"] <= row["mean_predicted"] <= row["high"] for row in bins)
    trait = report["trait_validity"][0]
    assert set(trait) == {"key", "label", "n", "rho", "p_value", "enough"}
    assert trait["label"] == data.trait_names[trait["key"]]
    assert set(report["interviewer_validity"][0]) == {"interviewer_id", "n", "rho", "p_value", "enough"}
    assert result.fingerprint["rows"] == 600 and len(result.fingerprint["sha256"]) == 64
    assert result.fingerprint["tiers"] == report["tier_counts"]


def test_held_out_probabilities_are_calibrated_on_a_big_sample(planted):
    data, result = planted
    sample = make_data(600, 20_000, random_state=3)  # the same reps and structure, 20,000 new people
    from scoring.features import build_features

    offsets = result.ranker.offsets_ if result.ranker.normalized_ else None
    new_people = [card for card in sample.scorecards if card.candidate_id not in sample.labels]
    ids, X = build_features(new_people, result.ranker.trait_keys, offsets)
    proba = result.ranker.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    is_a = np.array([sample.true_tiers[i] == "A" for i in ids])
    assert abs(proba[:, 0].mean() - is_a.mean()) < 0.03
    bins = evaluate.reliability(proba[:, 0], is_a)
    gap = sum(abs(row["mean_predicted"] - row["observed"]) * row["count"] for row in bins) / len(ids)
    assert gap < 0.06  # expected calibration error: a few points, from 600 reps


def test_fold_metrics_agree_with_sklearn():
    rng = np.random.default_rng(1)
    tiers = rng.choice(list(TIERS), size=200)
    proba = rng.dirichlet([1, 1, 1], size=200)
    metrics = evaluate.fold_metrics(proba, tiers)
    assert math.isclose(metrics["auc_a"], roc_auc_score(tiers == "A", proba[:, 0]))
    predicted = np.asarray(TIERS)[proba.argmax(axis=1)]
    assert math.isclose(metrics["qwk"], cohen_kappa_score(tiers, predicted, weights="quadratic"))
    onehot = np.asarray(TIERS) == tiers[:, None]
    assert math.isclose(metrics["brier"], float(((proba - onehot) ** 2).sum(axis=1).mean()))


def test_top_fifth_precision_splits_ties_pro_rata():
    score = np.array([5.0, 5.0, 5.0, 5.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0])
    is_a = np.array([True, False, False, False, True, False, False, False, False, False])
    assert evaluate.top_share_precision(score, is_a) == 0.25  # 2 picked from 4 tied, 1 of them A
    assert evaluate.top_share_precision(np.ones(10), is_a) == 0.2  # constant score: the base rate


def test_reps_without_ratings_still_count_when_they_have_scorecards():
    data = make_data(60, random_state=9)
    blank = [Scorecard(5000 + i, 101, "yes", {}) for i in range(3)]
    labels = {**data.labels, **{5000 + i: "B" for i in range(3)}}
    result = train(data.scorecards + blank, labels, data.trait_keys, n_repeats=1)
    assert result.report["n_reps"] == 63


def test_the_smallest_allowed_data_set_trains():
    data = make_data(300, random_state=10)
    by_tier = {tier: [cid for cid, t in data.labels.items() if t == tier] for tier in TIERS}
    labels = {cid: tier for tier, count in (("A", 5), ("B", 20), ("C", 5)) for cid in by_tier[tier][:count]}
    result = train(data.scorecards, labels, data.trait_keys, n_repeats=1)
    json.dumps(result.report, allow_nan=False)
    assert result.report["n_reps"] == MIN_LABELLED and result.report["cv"]["splits"] == 5
    assert all(row["enough"] == (row["n"] >= 20) for row in result.report["trait_validity"])
    assert all(row["enough"] == (row["n"] >= 15) for row in result.report["interviewer_validity"])
