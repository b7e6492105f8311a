"""Train the fit model: which interview evidence predicts A-players here, measured honestly.

``train`` refuses too little data, measures the model with repeated stratified k-fold against two
baselines on the same folds, then fits the kept variant on every labelled rep.
"""

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import sklearn
from sklearn import config_context
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import RepeatedStratifiedKFold, StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted, validate_data
from threadpoolctl import threadpool_limits

from scoring import evaluate
from scoring.evaluate import TIERS
from scoring.features import (
    PER_TRAIT,
    Cards,
    Scorecard,
    cards_offsets,
    distance_model,
    evidence,
    feature_groups,
    feature_names,
    gc_paused,
    offsets_to_strings,
    standardized_distance,
    to_cards,
)

__all__ = [
    "MIN_LABELLED",
    "MIN_PER_TIER",
    "TIERS",
    "NotEnoughData",
    "OrdinalClassifier",
    "Ranker",
    "TrainingResult",
    "build_pipeline",
    "check_enough",
    "train",
]

MIN_LABELLED = 30
MIN_PER_TIER = 5
TIER_PLAYERS = {"A": "A-players", "B": "B-players", "C": "C-players"}
PERMUTATIONS = 3  # shuffles per trait and fold for importance
GROUP_LABELS = {"recommendations": "Recommendations", "interviews": "Number of interviews"}


class NotEnoughData(ValueError):
    """Too few labelled reps to train and test a model; ``problems`` says what is missing."""

    def __init__(self, problems: Sequence[str]):
        self.problems = list(problems)
        super().__init__(" ".join(self.problems))


def check_enough(labels: Sequence[str]) -> list[str]:
    """List what is missing before a model can be trained.

    Parameters
    ----------
    labels : sequence of str
        The tier ("A", "B" or "C") of every labelled rep.

    Returns
    -------
    list of str
        One sentence per problem, for a manager; empty when there is enough.
    """
    problems = []
    counts = Counter(labels)
    unknown = sorted(set(counts) - set(TIERS))
    if unknown:
        problems.append(f"Unknown tiers {', '.join(map(repr, unknown))}; a tier is A, B or C.")
    total = sum(counts[tier] for tier in TIERS)
    if total < MIN_LABELLED:
        have = "No rep has" if total == 0 else "Only 1 rep has" if total == 1 else f"Only {total} reps have"
        problems.append(f"{have} a tier; at least {MIN_LABELLED} are needed.")
    for tier in TIERS:
        count = counts[tier]
        if count < MIN_PER_TIER:
            have = f"No {TIER_PLAYERS[tier]}" if count == 0 else f"Only {count} {TIER_PLAYERS[tier]}"
            if count == 1:
                have = have.removesuffix("s")
            problems.append(f"{have}; at least {MIN_PER_TIER} are needed in every tier.")
    return problems


def _calibrated_logistic(C: float, folds: int, random_state: int) -> CalibratedClassifierCV:
    """A class-balanced logistic regression whose probabilities are sigmoid-calibrated."""
    # tol 1e-3 stops after ~8 instead of ~12 iterations; coefficients move far less than the
    # fold-to-fold noise, and fitting is most of the training time.
    logistic = LogisticRegression(C=C, class_weight="balanced", tol=1e-3, random_state=random_state)
    # Balanced weights inflate the rare class's probabilities; a sigmoid fitted on out-of-fold
    # predictions maps them back to real frequencies. ensemble=False keeps one regression,
    # fitted on all rows, rather than one per calibration fold.
    cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=random_state)
    return CalibratedClassifierCV(logistic, method="sigmoid", cv=cv, ensemble=False)


class OrdinalClassifier(ClassifierMixin, BaseEstimator):
    """Frank & Hall ordinal classifier for tiers C < B < A.

    Two calibrated, class-balanced logistic regressions estimate P(better than C) and P(A);
    then P(C) = 1 - P(>C), P(B) = P(>C) - P(A), clipped at 0 and renormalised. Expects
    complete, scaled features: :func:`build_pipeline` puts it after an imputer and a scaler.

    Parameters
    ----------
    C : float
        Inverse regularisation strength of the logistic regressions.
    calibration_folds : int
        Folds for the out-of-fold predictions the sigmoids are fitted on (fewer when a class is
        smaller). Two calibrate as well as three here and cost a third less.
    random_state : int
        Seed for the calibration folds.
    """

    def __init__(self, C: float = 1.0, calibration_folds: int = 2, random_state: int = 0):
        self.C = C
        self.calibration_folds = calibration_folds
        self.random_state = random_state

    def fit(self, X, y):
        """Fit both binary classifiers.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of str
            Tiers "A", "B", "C"; every tier must be present.

        Returns
        -------
        self
        """
        X, y = validate_data(self, X, y, dtype=np.float64)
        y = np.asarray(y).astype(str)
        if set(y) != set(TIERS):
            raise ValueError(f"y must hold every tier of {TIERS} and nothing else.")
        self.classes_ = np.array(TIERS)
        self.above_c_ = self._fit_binary(X, y != "C")
        self.is_a_ = self._fit_binary(X, y == "A")
        return self

    def _fit_binary(self, X: np.ndarray, target: np.ndarray) -> CalibratedClassifierCV:
        """Fit one calibrated classifier, with no more calibration folds than the rarer side has rows."""
        folds = min(self.calibration_folds, int(target.sum()), int((~target).sum()))
        if folds < 2:
            raise ValueError("Each side of each split needs at least 2 reps.")
        return _calibrated_logistic(self.C, folds, self.random_state).fit(X, target)

    def predict_proba(self, X) -> np.ndarray:
        """Probabilities of each tier.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        numpy.ndarray
            Columns P(A), P(B), P(C); rows sum to 1.
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        above = self.above_c_.predict_proba(X)[:, 1]
        p_a = self.is_a_.predict_proba(X)[:, 1]
        # The two classifiers are fitted apart and can cross (P(A) > P(>C)); clipping keeps P(B) >= 0.
        proba = np.clip(np.column_stack([p_a, above - p_a, 1.0 - above]), 0.0, None)
        return proba / proba.sum(axis=1, keepdims=True)

    def predict(self, X) -> np.ndarray:
        """Most likely tier.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        numpy.ndarray of str
        """
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


def build_pipeline(random_state: int = 0) -> Pipeline:
    """The unfitted estimator: imputation inside, ordinal-aware, class-balanced and calibrated.

    Imputer and scaler learn nothing from the labels, and each clone fits them on its own
    training rows only; sharing them between the two ordinal classifiers (rather than one
    pipeline each) halves the fitting overhead that dominates training time.

    Parameters
    ----------
    random_state : int

    Returns
    -------
    sklearn.pipeline.Pipeline
        Median imputation (a trait never rated in the training rows becomes 0), standard
        scaling, then :class:`OrdinalClassifier`.
    """
    return Pipeline(
        [
            ("impute", SimpleImputer(strategy="median", keep_empty_features=True)),
            ("scale", StandardScaler()),
            ("ordinal", OrdinalClassifier(random_state=random_state)),
        ]
    )


class Ranker:
    """A trained ranker: the fitted estimator and what ranking needs, as plain attributes.

    Only str-keyed dicts, lists, numpy arrays, numbers and scikit-learn objects, so that skops
    can store it.

    Attributes
    ----------
    trait_keys : list of str
        The trait columns, in order.
    feature_names_ : list of str
        ``feature_names(trait_keys)``.
    normalized_ : bool
        Whether ratings have their interviewer's leniency removed before combining.
    offsets_ : dict
        ``"<interviewer_id>:<trait_key>" -> offset`` used when ``normalized_`` (else empty).
    estimator_ : sklearn.pipeline.Pipeline
        The fitted :func:`build_pipeline`.
    trait_names_ : dict
        Trait key -> label at training.
    typical_ : numpy.ndarray
        The typical training row that explanations compare a candidate with.
    distance_ : dict
        :func:`scoring.features.distance_model` of the training rows.
    distance_p90_, distance_p99_ : float
        Percentiles of the training rows' own distances.
    n_rows_ : int
        Reps trained on.
    sklearn_version_ : str
    """

    def __init__(
        self,
        *,
        trait_keys: Sequence[str],
        estimator: Pipeline,
        normalized: bool,
        offsets: Mapping[str, float],
        X: np.ndarray,
        trait_names: Mapping[str, str],
    ):
        self.trait_keys = list(trait_keys)
        self.feature_names_ = feature_names(self.trait_keys)
        self.normalized_ = bool(normalized)
        self.offsets_ = dict(offsets)
        self.estimator_ = estimator
        self.trait_names_ = dict(trait_names)
        self.n_rows_ = len(X)
        self.sklearn_version_ = sklearn.__version__
        self._learn_training_rows(X)

    def _learn_training_rows(self, X: np.ndarray) -> None:
        """Keep what ranking compares candidates with: typical values and distances of training rows."""
        model = distance_model(X)
        self.distance_ = model
        distances = standardized_distance(X, model)
        self.distance_p90_ = float(np.percentile(distances, 90))
        self.distance_p99_ = float(np.percentile(distances, 99))
        # The "typical candidate" that explanations compare with: median evidence, and a trait
        # counts as assessed when most training reps had it assessed.
        typical = model["fill"].copy()
        width = len(PER_TRAIT)
        for start in range(0, width * len(self.trait_keys), width):
            assessed = bool(np.mean(X[:, start + 2]) >= 0.5)
            typical[start + 2] = float(assessed)
            if not assessed:
                typical[start : start + 2] = np.nan
        self.typical_ = typical

    def predict_proba(self, X) -> np.ndarray:
        """Probabilities of each tier.

        Parameters
        ----------
        X : numpy.ndarray
            Feature rows laid out as ``feature_names_``.

        Returns
        -------
        numpy.ndarray
            Columns P(A), P(B), P(C) (``TIERS`` order); rows sum to 1.
        """
        return self.estimator_.predict_proba(X)


@dataclass
class TrainingResult:
    """A fitted ranker with its report and a fingerprint of the data it learned from."""

    ranker: Ranker
    report: dict
    fingerprint: dict


def trait_label(key: str, names: Mapping[str, str] | None = None) -> str:
    """The display label of a trait key, falling back to the key made readable.

    Parameters
    ----------
    key : str
    names : mapping, optional

    Returns
    -------
    str
    """
    return (names or {}).get(key) or key.replace("_", " ").capitalize()


def fingerprint(cards: Cards, labels: Mapping[int, str]) -> dict:
    """Rows, tier counts and a SHA-256 of the scorecards and labels in a canonical order.

    Parameters
    ----------
    cards : Cards
        Every scorecard used (offsets learn from unlabelled candidates' too).
    labels : mapping
        Candidate id -> tier of the reps trained on.

    Returns
    -------
    dict
    """
    ratings = np.where(np.isnan(cards.ratings), 0, cards.ratings).astype(int).tolist()
    ids = cards.candidate_ids
    rows = sorted(
        [ids[c], int(i), int(r), rating]
        for c, i, r, rating in zip(cards.candidate, cards.interviewer, cards.recommendation, ratings, strict=True)
    )
    canonical = json.dumps(
        {"traits": cards.trait_keys, "scorecards": rows, "labels": sorted(labels.items())}, separators=(",", ":")
    )
    counts = Counter(labels.values())
    return {
        "rows": len(labels),
        "sha256": hashlib.sha256(canonical.encode()).hexdigest(),
        "tiers": {tier: counts[tier] for tier in TIERS},
    }


def train(
    scorecards: Sequence[Scorecard],
    labels: Mapping[int, str],
    trait_keys: Sequence[str],
    *,
    random_state: int = 0,
    n_splits: int = 5,
    n_repeats: int = 3,
    progress: Callable[[float, str], None] | None = None,
    trait_names: Mapping[str, str] | None = None,
) -> TrainingResult:
    """Measure, then fit, a ranker that predicts a rep's tier from interview evidence.

    Parameters
    ----------
    scorecards : sequence of Scorecard
        All submitted scorecards, of labelled and unlabelled candidates (leniency uses them all).
    labels : mapping
        Candidate id -> "A", "B" or "C" for labelled reps.
    trait_keys : sequence of str
        The traits to use, in column order.
    random_state : int
        Seed for folds, calibration and shuffles: the same inputs give the same result.
    n_splits, n_repeats : int
        Repeated stratified k-fold used for every measurement.
    progress : callable, optional
        Called as ``progress(fraction, message)`` after each step.
    trait_names : mapping, optional
        Trait key -> label for the report.

    Returns
    -------
    TrainingResult

    Raises
    ------
    NotEnoughData
        Before any fitting, when there are too few labelled reps or too few in a tier.
    """
    trait_keys = list(trait_keys)
    names = {key: trait_label(key, trait_names) for key in trait_keys}
    # A database returns rows in any order; sorting makes the model bit-for-bit the same anyway.
    cards = to_cards(sorted(scorecards, key=_card_order), trait_keys)
    index = {cid: i for i, cid in enumerate(cards.candidate_ids)}
    usable = {cid: tier for cid, tier in sorted(labels.items()) if cid in index}
    problems = check_enough(list(usable.values()))
    if problems:
        if len(usable) < len(labels):
            missing = len(labels) - len(usable)
            reps = "1 rep with a tier has" if missing == 1 else f"{missing} reps with a tier have"
            problems.append(f"{reps} no submitted scorecard, so cannot be used.")
        raise NotEnoughData(problems)

    rows = np.array([index[cid] for cid in usable])
    y = np.array(list(usable.values()))
    splits = min(n_splits, min(Counter(y).values()))
    folds = list(
        RepeatedStratifiedKFold(n_splits=splits, n_repeats=n_repeats, random_state=random_state).split(rows, y)
    )
    steps = _Steps(progress, len(folds))
    steps.say("Combining the scorecards")
    offsets = cards_offsets(cards)
    raw = evidence(cards)
    variants = {"raw": raw.X[rows], "normalized": evidence(cards, offsets).X[rows]}
    # The data are small, so time goes to per-call overhead: skip sklearn's repeated argument and
    # finiteness checks (NaN is expected and imputed), keep BLAS to one thread, whose hand-offs
    # cost more than they save on matrices this size, and pause the garbage collector, which would
    # rescan the caller's objects again and again (fitting leaves next to no cycles to collect).
    with (
        threadpool_limits(limits=1),
        config_context(skip_parameter_validation=True, assume_finite=True),
        gc_paused(),
    ):
        estimator = build_pipeline(random_state)
        kept, measured = _measure_variants(estimator, variants, y, folds, steps)
        baselines = _measure_baselines(estimator, _mean_rating(variants["raw"], len(trait_keys)), y, folds, steps)
        steps.say("Measuring which evidence matters")
        importance = evaluate.grouped_importance(
            measured[kept][2], variants[kept], y, folds, feature_groups(trait_keys), random_state, PERMUTATIONS
        )
        steps.say("Fitting the final model on every rep")
        ranker = Ranker(
            trait_keys=trait_keys,
            estimator=clone(estimator).fit(variants[kept], y),
            normalized=kept == "normalized",
            offsets=offsets_to_strings(offsets) if kept == "normalized" else {},
            X=variants[kept],
            trait_names=names,
        )
    validity = {
        "trait_validity": evaluate.trait_validity(raw.raw_mean[rows], y, trait_keys, names),
        "interviewer_validity": evaluate.interviewer_validity(cards, usable),
    }
    report = _report(y, (splits, n_repeats), folds, kept, measured, baselines, importance, names, validity)
    report["features"] = ranker.feature_names_
    steps.say("Done", done=True)
    return TrainingResult(ranker, report, fingerprint(cards, usable))


def _report(y, cv: tuple[int, int], folds, kept: str, measured, baselines, importance, names, validity) -> dict:
    """Assemble the JSON-safe report, in the order the model page shows it."""
    per_fold, probas, _ = measured[kept]
    splits, repeats = cv
    test_share = 1 / (splits - 1)  # n_test / n_train of one fold
    margins = {name: evaluate.compare(per_fold, found, test_share) for name, found in baselines.items()}
    beats = {name: margin.pop("beats") for name, margin in margins.items()}
    metrics = {"model": evaluate.summarise(per_fold)}
    metrics.update({name: evaluate.summarise(found) for name, found in baselines.items()})
    base_rate_a = float(np.mean(y == "A"))
    return {
        "n_reps": len(y),
        "tier_counts": {tier: int(np.sum(y == tier)) for tier in TIERS},
        "cv": {"splits": splits, "repeats": repeats},
        "normalized": kept == "normalized",
        "variants": {name: evaluate.summarise(found[0]) for name, found in measured.items()},
        "metrics": metrics,
        "beats": beats,
        "margins": margins,  # what "beats" rests on: mean fold differences and their standard errors
        "verdict": evaluate.verdict(beats),
        "base_rate_a": round(base_rate_a, 4),
        "reliability": evaluate.reliability(_held_out_p_a(probas, folds, len(y)), y == "A"),
        "importance": _importance_rows(importance, names),
        **validity,
        "accuracy_words": evaluate.accuracy_words(metrics["model"]["top20_precision"]["mean"], base_rate_a),
    }


def _measure_variants(estimator, variants: Mapping[str, np.ndarray], y: np.ndarray, folds, steps) -> tuple:
    """Cross-validate each feature variant on the same folds; keep "normalized" only if its spearman is higher.

    Returns the kept variant's name and, per variant, (fold metrics, held-out probabilities, fold models).
    """
    measured = {}
    for name, X in variants.items():
        probas, models = evaluate.cross_val_proba(
            estimator, X, y, folds, steps.fold(f"Testing {VARIANT_WORDS[name]} ratings")
        )
        per_fold = [evaluate.fold_metrics(p, y[test]) for p, (_, test) in zip(probas, folds, strict=True)]
        measured[name] = (per_fold, probas, models)
    rho = {name: np.mean([fold["spearman"] for fold in found[0]]) for name, found in measured.items()}
    return ("normalized" if rho["normalized"] > rho["raw"] else "raw"), measured


def _measure_baselines(estimator, mean_rating: np.ndarray, y: np.ndarray, folds, steps) -> dict[str, list[dict]]:
    """Fold metrics of the two baselines: the majority tier, and the same model on the mean rating alone."""
    mean_probas, _ = evaluate.cross_val_proba(estimator, mean_rating, y, folds, steps.fold("Testing baselines"))
    found = {"majority": evaluate.majority_proba(y, folds), "mean_rating": mean_probas}
    return {
        name: [evaluate.fold_metrics(p, y[test]) for p, (_, test) in zip(probas, folds, strict=True)]
        for name, probas in found.items()
    }


def _card_order(card: Scorecard) -> tuple:
    """A total order of scorecards (None sorts first)."""
    ratings = tuple(sorted((key, -1 if value is None else value) for key, value in card.ratings.items()))
    return card.candidate_id, card.interviewer_id, card.recommendation or "", ratings


def _mean_rating(X: np.ndarray, n_traits: int) -> np.ndarray:
    """The baseline's one feature: the plain mean of a rep's trait ratings (NaN when none)."""
    means = X[:, 0 : len(PER_TRAIT) * n_traits : len(PER_TRAIT)]
    given = ~np.isnan(means)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (np.where(given, means, 0.0).sum(axis=1) / given.sum(axis=1))[:, None]


def _held_out_p_a(probas: Sequence[np.ndarray], folds: evaluate.Folds, n: int) -> np.ndarray:
    """Each rep's held-out P(A), averaged over the repeats (so each rep counts once)."""
    total, count = np.zeros(n), np.zeros(n)
    for proba, (_, test) in zip(probas, folds, strict=True):
        total[test] += proba[:, 0]
        count[test] += 1
    return total / count


def _importance_rows(importance: Mapping[str, tuple[float, float]], names: Mapping[str, str]) -> list[dict]:
    """Importance as report rows, largest drop first."""
    rows = [
        {"key": key, "label": names.get(key) or GROUP_LABELS[key], "drop": round(drop, 4), "std": round(std, 4)}
        for key, (drop, std) in importance.items()
    ]
    return sorted(rows, key=lambda row: (-row["drop"], row["key"]))


VARIANT_WORDS = {"raw": "raw", "normalized": "leniency-corrected"}


class _Steps:
    """Progress reporting: a fraction of the work done and what is happening."""

    def __init__(self, progress: Callable[[float, str], None] | None, folds: int):
        self.progress = progress
        self.folds = folds
        self.total = 3 * folds + 3  # two variants and a baseline per fold, then three single steps
        self.done = 0

    def say(self, message: str, done: bool = False) -> None:
        """Report one step (or the end)."""
        if self.progress:
            self.progress(1.0 if done else min(self.done / self.total, 0.99), message)
        self.done += 1

    def fold(self, message: str) -> Callable[[int], None]:
        """A callback for ``cross_val_proba`` that reports each fold."""
        return lambda number: self.say(f"{message}: round {number + 1} of {self.folds}")
