"""How good is a ranker? Metrics on held-out folds, baselines, calibration, importance and validity.

Everything here works on arrays and fitted estimators; ``train`` decides what to run.
"""

import math
import warnings
from collections.abc import Callable, Mapping, Sequence

import numpy as np
from scipy.stats import ConstantInputWarning, rankdata, spearmanr
from sklearn.base import clone

from scoring.features import Cards

TIERS = ("A", "B", "C")
TIER_VALUE = {"A": 3, "B": 2, "C": 1}  # ordinal: higher is better
METRICS = ("spearman", "auc_a", "qwk", "brier", "top20_precision")
TOP_SHARE = 0.2
RELIABILITY_BINS = 10
# Validity figures from fewer pairs than this are shown but flagged as not enough to judge.
ENOUGH_FOR_TRAIT = 20
ENOUGH_FOR_INTERVIEWER = 15

Folds = Sequence[tuple[np.ndarray, np.ndarray]]


def expected_score(proba: np.ndarray) -> np.ndarray:
    """Expected fit on a 0-100 scale: ``100 * (P(A) + 0.5 * P(B))``.

    Parameters
    ----------
    proba : numpy.ndarray
        Columns P(A), P(B), P(C).

    Returns
    -------
    numpy.ndarray
    """
    return 100.0 * (proba[:, 0] + 0.5 * proba[:, 1])


def tier_values(tiers: Sequence[str]) -> np.ndarray:
    """Tiers as ordinal numbers, A=3, B=2, C=1.

    Parameters
    ----------
    tiers : sequence of str

    Returns
    -------
    numpy.ndarray
    """
    return np.array([TIER_VALUE[tier] for tier in tiers], dtype=float)


def rank_correlation(x: np.ndarray, y: np.ndarray) -> tuple[float | None, float | None]:
    """Spearman's rho and its p-value, or (None, None) when either side is constant or too short.

    Parameters
    ----------
    x, y : numpy.ndarray

    Returns
    -------
    tuple
    """
    if len(x) < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return None, None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConstantInputWarning)
        result = spearmanr(x, y)
    return float(result.statistic), float(result.pvalue)


def top_share_precision(score: np.ndarray, is_a: np.ndarray, share: float = TOP_SHARE) -> float:
    """Share of A-players among the top ``share`` by score; tied scores at the cut count pro rata.

    Parameters
    ----------
    score : numpy.ndarray
    is_a : numpy.ndarray of bool
    share : float

    Returns
    -------
    float
    """
    k = max(1, math.ceil(share * len(score)))
    cut = np.sort(score)[::-1][k - 1]
    above, tied = score > cut, score == cut
    # Without the pro rata share, a constant score would "pick" whoever happens to come first.
    needed = k - above.sum()
    return float((is_a[above].sum() + needed * is_a[tied].mean()) / k)


def auc(score: np.ndarray, positive: np.ndarray) -> float:
    """ROC AUC as the Mann-Whitney statistic (ties count half); NaN when one side is empty.

    Same value as ``sklearn.metrics.roc_auc_score``, without its per-call overhead (it runs
    for every fold of every variant).

    Parameters
    ----------
    score : numpy.ndarray
    positive : numpy.ndarray of bool

    Returns
    -------
    float
    """
    n_positive = int(positive.sum())
    n_negative = len(positive) - n_positive
    if n_positive == 0 or n_negative == 0:
        return math.nan
    ranks = rankdata(score)
    return float((ranks[positive].sum() - n_positive * (n_positive + 1) / 2) / (n_positive * n_negative))


def quadratic_kappa(actual: np.ndarray, predicted: np.ndarray, n_classes: int) -> float:
    """Cohen's kappa with quadratic weights for class indices 0..n_classes-1 (0 when undefined).

    Same value as ``sklearn.metrics.cohen_kappa_score(weights="quadratic")``, without the overhead.

    Parameters
    ----------
    actual, predicted : numpy.ndarray of int
    n_classes : int

    Returns
    -------
    float
    """
    observed = np.bincount(actual * n_classes + predicted, minlength=n_classes**2).reshape(n_classes, n_classes)
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0)) / observed.sum()
    index = np.arange(n_classes)
    weights = (index[:, None] - index[None, :]) ** 2
    disagreement = (weights * expected).sum()
    return float(1 - (weights * observed).sum() / disagreement) if disagreement > 0 else 0.0


def fold_metrics(proba: np.ndarray, tiers: np.ndarray) -> dict[str, float]:
    """Score one fold's held-out predictions.

    Parameters
    ----------
    proba : numpy.ndarray
        Columns P(A), P(B), P(C).
    tiers : numpy.ndarray of str
        The actual tiers.

    Returns
    -------
    dict
        ``spearman`` (expected score vs tier, 0 when undefined), ``auc_a`` (P(A), A vs rest; 0.5
        when the score is constant, NaN when the fold has only one side), ``qwk``, ``brier``
        (multiclass, lower is better) and ``top20_precision``.
    """
    value = tier_values(tiers)
    score = expected_score(proba)
    is_a = tiers == "A"
    rho, _ = rank_correlation(score, value)
    predicted = np.argmax(proba, axis=1)
    onehot = np.asarray(TIERS)[None, :] == tiers[:, None]
    return {
        "spearman": rho if rho is not None else 0.0,
        "auc_a": auc(proba[:, 0], is_a),
        "qwk": quadratic_kappa(np.argmax(onehot, axis=1), predicted, len(TIERS)),
        "brier": float(np.mean(np.sum((proba - onehot) ** 2, axis=1))),
        "top20_precision": top_share_precision(score, is_a),
    }


def summarise(per_fold: Sequence[Mapping[str, float]]) -> dict[str, dict[str, float]]:
    """Mean and standard deviation of each metric over folds (NaN folds skipped).

    Parameters
    ----------
    per_fold : sequence of dict
        One :func:`fold_metrics` result per fold.

    Returns
    -------
    dict
        ``metric -> {"mean": .., "std": ..}``, rounded to 4 decimals.
    """
    summary = {}
    for metric in METRICS:
        values = np.array([fold[metric] for fold in per_fold], dtype=float)
        values = values[~np.isnan(values)]
        mean = float(values.mean()) if values.size else math.nan
        std = float(values.std(ddof=1)) if values.size > 1 else 0.0
        summary[metric] = {"mean": round(mean, 4), "std": round(std, 4)}
    return summary


def cross_val_proba(
    estimator, X: np.ndarray, y: np.ndarray, folds: Folds, on_fold: Callable[[int], None] | None = None
) -> tuple[list[np.ndarray], list]:
    """Fit a fresh clone of ``estimator`` on each training fold and predict its held-out fold.

    Parameters
    ----------
    estimator : sklearn estimator
        Not fitted; it is cloned, so every step (imputer, scaler, ...) learns from the training
        fold only.
    X, y : numpy.ndarray
    folds : sequence of (train indices, test indices)
    on_fold : callable, optional
        Called with the fold number after each fold.

    Returns
    -------
    probas : list of numpy.ndarray
        Held-out P(A), P(B), P(C) per fold.
    models : list
        The fitted clone per fold.
    """
    probas, models = [], []
    for number, (train_rows, test_rows) in enumerate(folds):
        model = clone(estimator).fit(X[train_rows], y[train_rows])
        probas.append(model.predict_proba(X[test_rows]))
        models.append(model)
        if on_fold:
            on_fold(number)
    return probas, models


def majority_proba(y: np.ndarray, folds: Folds) -> list[np.ndarray]:
    """Baseline: each held-out rep gets the training fold's tier shares as probabilities.

    Parameters
    ----------
    y : numpy.ndarray of str
    folds : sequence of (train indices, test indices)

    Returns
    -------
    list of numpy.ndarray
    """
    probas = []
    for train_rows, test_rows in folds:
        shares = np.array([np.mean(y[train_rows] == tier) for tier in TIERS])
        probas.append(np.tile(shares, (len(test_rows), 1)))
    return probas


def compare(model: Sequence[Mapping], baseline: Sequence[Mapping], test_share: float) -> dict:
    """Does the model beat a baseline by a clear margin on the same folds?

    The per-fold differences in spearman must average more than 2 standard errors above 0, and
    auc_a must not be clearly (2 standard errors) worse. Folds of repeated k-fold overlap, so the
    standard error uses the Nadeau-Bengio correction (1/K + n_test/n_train) instead of 1/K;
    the plain one would make small, noisy gains look certain.

    Parameters
    ----------
    model, baseline : sequence of dict
        :func:`fold_metrics` per fold, the same folds in the same order.
    test_share : float
        n_test / n_train of one fold.

    Returns
    -------
    dict
        ``beats`` (bool) and the mean differences and standard errors behind it (an error is
        None, and nothing is beaten, with fewer than two comparable folds).
    """
    result = {}
    for metric in ("spearman", "auc_a"):
        diff = np.array([m[metric] - b[metric] for m, b in zip(model, baseline, strict=True)], dtype=float)
        diff = diff[~np.isnan(diff)]
        if diff.size < 2:  # no spread to judge a margin by
            result[metric] = (float(diff.mean()) if diff.size else 0.0, math.inf)
            continue
        result[metric] = (float(diff.mean()), math.sqrt((1 / diff.size + test_share) * diff.var(ddof=1)))
    (rho_diff, rho_se), (auc_diff, auc_se) = result["spearman"], result["auc_a"]
    return {
        "beats": bool(rho_diff > 2 * rho_se and auc_diff > -2 * auc_se),
        "spearman_diff": round(rho_diff, 4),
        "spearman_se": round(rho_se, 4) if math.isfinite(rho_se) else None,
        "auc_a_diff": round(auc_diff, 4),
        "auc_a_se": round(auc_se, 4) if math.isfinite(auc_se) else None,
    }


def reliability(p_a: np.ndarray, is_a: np.ndarray, bins: int = RELIABILITY_BINS) -> list[dict]:
    """Predicted P(A) against the observed share of A-players, in equal-width bins.

    Parameters
    ----------
    p_a : numpy.ndarray
        Held-out P(A), one per rep.
    is_a : numpy.ndarray of bool
    bins : int

    Returns
    -------
    list of dict
        ``low``, ``high``, ``mean_predicted``, ``observed``, ``count``; empty bins omitted.
    """
    which = np.minimum((p_a * bins).astype(int), bins - 1)
    table = []
    for number in range(bins):
        inside = which == number
        if inside.any():
            table.append(
                {
                    "low": round(number / bins, 2),
                    "high": round((number + 1) / bins, 2),
                    "mean_predicted": round(float(p_a[inside].mean()), 4),
                    "observed": round(float(is_a[inside].mean()), 4),
                    "count": int(inside.sum()),
                }
            )
    return table


def grouped_importance(
    models: Sequence,
    X: np.ndarray,
    y: np.ndarray,
    folds: Folds,
    groups: Mapping[str, Sequence[int]],
    random_state: int = 0,
    n_permutations: int = 3,
) -> dict[str, tuple[float, float]]:
    """Drop in held-out spearman when a group of columns is shuffled together, per group.

    A trait's mean, spread and assessed columns move together: shuffling one alone would leave
    the others to carry the same information and hide the trait's worth.

    Parameters
    ----------
    models : sequence
        The model fitted on each fold's training rows.
    X, y : numpy.ndarray
    folds : sequence of (train indices, test indices)
    groups : mapping
        Group key -> column indices.
    random_state : int
    n_permutations : int
        Shuffles per group and fold.

    Returns
    -------
    dict
        Group key -> (mean drop, standard deviation of the drop).
    """
    rng = np.random.default_rng(random_state)
    drops: dict[str, list[float]] = {key: [] for key in groups}
    for model, (_, test_rows) in zip(models, folds, strict=True):
        held_out, tiers = X[test_rows], y[test_rows]
        value = tier_values(tiers)
        baseline, _ = rank_correlation(expected_score(model.predict_proba(held_out)), value)
        baseline = baseline or 0.0
        # One predict over every shuffled copy: far cheaper than one call per copy.
        copies, order = [], []
        for key, columns in groups.items():
            for _ in range(n_permutations):
                shuffled = held_out.copy()
                shuffled[:, columns] = held_out[rng.permutation(len(test_rows))][:, columns]
                copies.append(shuffled)
                order.append(key)
        scores = expected_score(model.predict_proba(np.vstack(copies))).reshape(len(copies), len(test_rows))
        for key, rho in zip(order, _row_spearman(scores, value), strict=True):
            drops[key].append(baseline - rho)
    return {key: (float(np.mean(values)), float(np.std(values, ddof=1))) for key, values in drops.items()}


def _row_spearman(scores: np.ndarray, value: np.ndarray) -> np.ndarray:
    """Spearman's rho of each row of ``scores`` with ``value`` at once (0 for a constant row)."""
    ranks = rankdata(scores, axis=1)
    ranks -= ranks.mean(axis=1, keepdims=True)
    target = rankdata(value)
    target -= target.mean()
    norms = np.sqrt((ranks**2).sum(axis=1) * (target**2).sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.nan_to_num(ranks @ target / norms)


def trait_validity(
    raw_mean: np.ndarray, tiers: np.ndarray, trait_keys: Sequence[str], labels: Mapping[str, str]
) -> list[dict]:
    """Spearman of each trait's combined rating with the tier, over reps who had it assessed.

    Parameters
    ----------
    raw_mean : numpy.ndarray
        (reps, traits) combined rating, NaN when not assessed.
    tiers : numpy.ndarray of str
    trait_keys : sequence of str
    labels : mapping
        Trait key -> label.

    Returns
    -------
    list of dict
        ``key``, ``label``, ``n``, ``rho``, ``p_value`` (None when undefined), ``enough``.
    """
    value = tier_values(tiers)
    rows = []
    for column, key in enumerate(trait_keys):
        assessed = ~np.isnan(raw_mean[:, column])
        rho, p_value = rank_correlation(raw_mean[assessed, column], value[assessed])
        n = int(assessed.sum())
        rows.append(_validity_row({"key": key, "label": labels[key]}, n, rho, p_value, ENOUGH_FOR_TRAIT))
    return rows


def interviewer_validity(cards: Cards, tiers: Mapping[int, str]) -> list[dict]:
    """Spearman of each interviewer's mean rating of a rep with the rep's tier.

    Parameters
    ----------
    cards : Cards
        All submitted scorecards.
    tiers : mapping
        Candidate id -> tier, for labelled reps.

    Returns
    -------
    list of dict
        ``interviewer_id``, ``n``, ``rho``, ``p_value`` (None when undefined), ``enough``; by id.
    """
    tier_of = np.array([TIER_VALUE.get(tiers.get(cid, ""), np.nan) for cid in cards.candidate_ids])
    rated = ~np.isnan(cards.ratings)
    counts = rated.sum(axis=1)
    keep = (counts > 0) & ~np.isnan(tier_of[cards.candidate])
    card_mean = np.where(rated, cards.ratings, 0.0).sum(axis=1)[keep] / counts[keep]
    interviewer, candidate = cards.interviewer[keep], cards.candidate[keep]
    rows = []
    for iid in np.unique(cards.interviewer):
        mine = interviewer == iid
        # An interviewer who saw a rep twice counts once, with the mean of both scorecards.
        reps, inverse = np.unique(candidate[mine], return_inverse=True)
        mean = np.bincount(inverse, weights=card_mean[mine]) / np.bincount(inverse)
        rho, p_value = rank_correlation(mean, tier_of[reps])
        rows.append(_validity_row({"interviewer_id": int(iid)}, len(reps), rho, p_value, ENOUGH_FOR_INTERVIEWER))
    return rows


def _validity_row(row: dict, n: int, rho: float | None, p_value: float | None, enough: int) -> dict:
    """Finish a validity row: counts, rounded figures and whether there are enough pairs."""
    row.update(
        n=n,
        rho=None if rho is None else round(rho, 4),
        p_value=None if p_value is None else round(p_value, 4),
        enough=n >= enough,
    )
    return row


def verdict(beats: Mapping[str, bool]) -> str:
    """One plain sentence for a hiring manager on how the model compares with the baselines.

    Parameters
    ----------
    beats : mapping
        ``{"majority": bool, "mean_rating": bool}``.

    Returns
    -------
    str
    """
    if beats["mean_rating"] and beats["majority"]:
        return (
            "The model ranks past hires clearly better than both simple rules: the average interview "
            "rating, and guessing the most common tier for everyone."
        )
    if beats["majority"]:
        return (
            "The model does not beat the simple average of the interview ratings: it adds nothing over "
            "ranking candidates by their average rating, so treat its scores with care."
        )
    if beats["mean_rating"]:
        return (
            "The model beats the average interview rating but not clearly guessing the most common tier: "
            "the interviews predict little so far."
        )
    return (
        "The model does not beat the simple average of the interview ratings, nor even guessing the most "
        "common tier for everyone: it has found no reliable signal yet."
    )


def accuracy_words(top20_precision: float, base_rate_a: float) -> str:
    """The model's accuracy as one sentence a hiring manager can check against experience.

    Parameters
    ----------
    top20_precision : float
        Share of A-players among the top fifth by score, on held-out folds.
    base_rate_a : float
        Share of A-players among all labelled reps.

    Returns
    -------
    str
    """
    return (
        f"In testing on past hires, {100 * top20_precision:.0f} % of the reps it ranked in its top fifth "
        f"became A-players, against {100 * base_rate_a:.0f} % of all hires."
    )
