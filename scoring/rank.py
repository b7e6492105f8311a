"""Rank candidates with a trained ranker: fit probabilities, how sure, and the reasons why.

Everything is computed for all candidates at once, into plain lists; only the final objects (when
asked for) are built one by one.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn import config_context
from threadpoolctl import threadpool_limits

from scoring.evaluate import TIERS, expected_score
from scoring.features import (
    RECOMMENDATIONS,
    Cards,
    Evidence,
    Scorecard,
    evidence,
    feature_groups,
    gc_paused,
    standardized_distance,
    to_cards,
)
from scoring.train import GROUP_LABELS, Ranker, trait_label

TOP_REASONS = 3
MIN_EFFECT = 0.5  # score points; smaller pushes are noise, not reasons
# Certainty rules: interviewers this far apart on one trait disagree (1-5 scale) ...
DISAGREEING_SPREAD = 3
# ... and this share of traits not assessed leaves the evidence thin (low) or patchy (medium).
THIN_EVIDENCE_SHARE = 0.5
PATCHY_EVIDENCE_SHARE = 0.3
LEVELS = ("low", "medium", "high")
LOW, MEDIUM, HIGH = range(3)


@dataclass(frozen=True, slots=True)
class Reason:
    """One piece of evidence that moved a candidate's score, against a typical candidate."""

    key: str  # trait key, or "recommendations" / "interviews"
    label: str
    effect: float  # score points (0-100); positive pushes up
    value: str  # what the candidate had, e.g. "4.5 (2 ratings)"


@dataclass(frozen=True, slots=True)
class Prediction:
    """The ranker's view of one candidate."""

    candidate_id: int
    p_a: float
    p_b: float
    p_c: float
    score: float  # 100 * (P(A) + 0.5 * P(B))
    predicted_tier: str
    certainty: str  # low / medium / high
    certainty_reasons: list[str]
    up: list[Reason]  # largest first
    down: list[Reason]  # most negative first
    interviews: int


@dataclass(frozen=True, slots=True)
class Ranked:
    """Every candidate's prediction as plain lists, best first: what Prediction objects are made of.

    Storing a whole pool's scores needs no object per candidate or reason, so ranking the pool
    writes its rows from these lists (hiring.ranking); :meth:`predictions` builds the objects.
    A reason is (group, effect, text): indexes into ``group_keys`` / ``group_labels`` and ``texts``.
    """

    candidate_ids: list[int]
    proba: list[list[float]]  # p_a, p_b, p_c
    score: list[float]
    tiers: list[str]
    levels: list[str]
    doubts: list[list[str]]  # the certainty reasons
    up: list[list[tuple[int, float, int]]]  # largest first
    down: list[list[tuple[int, float, int]]]  # most negative first
    interviews: list[int]
    group_keys: list[str]
    group_labels: list[str]
    texts: list[str]

    def predictions(self) -> list[Prediction]:
        """The Prediction objects, best first."""
        keys, names, texts = self.group_keys, self.group_labels, self.texts
        with gc_paused():
            return [
                Prediction(
                    candidate_id,
                    p_a,
                    p_b,
                    p_c,
                    fit,
                    tier,
                    level,
                    doubt,
                    [Reason(keys[g], names[g], effect, texts[t]) for g, effect, t in up],
                    [Reason(keys[g], names[g], effect, texts[t]) for g, effect, t in down],
                    interviews,
                )
                for candidate_id, (p_a, p_b, p_c), fit, tier, level, doubt, up, down, interviews in zip(
                    self.candidate_ids,
                    self.proba,
                    self.score,
                    self.tiers,
                    self.levels,
                    self.doubts,
                    self.up,
                    self.down,
                    self.interviews,
                    strict=True,
                )
            ]


def rank(
    ranker: Ranker, scorecards: Iterable[Scorecard] | Cards, trait_names: Mapping[str, str] | None = None
) -> list[Prediction]:
    """Score every candidate found in ``scorecards``, best first.

    Parameters
    ----------
    ranker : Ranker
        A trained ranker.
    scorecards : iterable of Scorecard, or Cards
        Submitted scorecards; traits the ranker does not know are ignored. Cards (already
        arrays) must have the ranker's ``trait_keys`` as columns, in order.
    trait_names : mapping, optional
        Trait key -> label for the reasons (default: the labels known at training).

    Returns
    -------
    list of Prediction
        One per candidate, by score (highest first), then candidate id.
    """
    return rank_lists(ranker, scorecards, trait_names).predictions()


def rank_lists(
    ranker: Ranker, scorecards: Iterable[Scorecard] | Cards, trait_names: Mapping[str, str] | None = None
) -> Ranked:
    """Score every candidate found in ``scorecards``, best first, as plain lists (see :func:`rank`)."""
    if isinstance(scorecards, Cards):
        if list(scorecards.trait_keys) != list(ranker.trait_keys):
            raise ValueError("The scorecards' trait columns are not the ranker's traits.")
        cards = scorecards
    else:
        cards = to_cards(scorecards, ranker.trait_keys)
    found = evidence(cards, ranker.offsets_ if ranker.normalized_ else None)
    labels = {key: trait_label(key, {**ranker.trait_names_, **(trait_names or {})}) for key in ranker.trait_keys}
    labels.update(GROUP_LABELS)
    groups = list(feature_groups(ranker.trait_keys).items())
    group_keys = [key for key, _ in groups]
    if not found.candidate_ids:
        return Ranked([], [], [], [], [], [], [], [], [], group_keys, [labels[key] for key in group_keys], [])
    # One BLAS thread: on 100,000 x 35 matrices its hand-offs cost more than they save (measured).
    with threadpool_limits(limits=1), config_context(assume_finite=True):  # NaN is imputed inside
        proba = ranker.predict_proba(found.X)
        score = expected_score(proba)
        effects = group_effects(ranker, found.X, score, groups)
    with gc_paused():
        levels, doubts = certainty(ranker, found, labels)
        return _ranked(found, proba, score, effects, levels, doubts, group_keys, labels)


def _ranked(found, proba, score, effects, levels, doubts, group_keys, labels) -> Ranked:
    """Put every candidate's prediction in ranking order, as plain lists, with its top reasons.

    Every per-candidate array is put in ranking order before the lists are made, so that the
    loops read memory in order: walking the lists in score order instead ran twice as slow.
    """
    best_first = np.lexsort((np.asarray(found.candidate_ids), -score))
    effects = effects[best_first]
    texts, text_index = _value_texts(found, len(group_keys) - 2)
    text_index = text_index[best_first]
    top = min(TOP_REASONS, len(group_keys))
    by_effect = np.argsort(-effects, axis=1, kind="stable")
    sides = []
    for columns in (by_effect[:, :top], by_effect[:, ::-1][:, :top]):  # largest first; most negative first
        # Per candidate: (groups, effects, texts) of its top reasons on that side.
        sides.append(
            zip(
                columns.tolist(),
                np.take_along_axis(effects, columns, axis=1).tolist(),
                np.take_along_axis(text_index, columns, axis=1).tolist(),
                strict=True,
            )
        )
    ups, downs = sides
    up = [[reason for reason in zip(*side, strict=True) if reason[1] >= MIN_EFFECT] for side in ups]
    down = [[reason for reason in zip(*side, strict=True) if reason[1] <= -MIN_EFFECT] for side in downs]
    proba = proba[best_first]
    return Ranked(
        candidate_ids=np.asarray(found.candidate_ids)[best_first].tolist(),
        proba=proba.tolist(),
        score=score[best_first].tolist(),
        tiers=np.asarray(TIERS)[np.argmax(proba, axis=1)].tolist(),
        levels=[LEVELS[level] for level in levels[best_first].tolist()],
        doubts=[doubts[i] for i in best_first.tolist()],
        up=up,
        down=down,
        interviews=found.X[best_first, -1].astype(int).tolist(),
        group_keys=group_keys,
        group_labels=[labels[key] for key in group_keys],
        texts=texts,
    )


def group_effects(
    ranker: Ranker, X: np.ndarray, score: np.ndarray, groups: Sequence[tuple[str, Sequence[int]]]
) -> np.ndarray:
    """How much each group of evidence moves each candidate's score, against a typical candidate.

    The effect is score(candidate) - score(candidate with that group's features set to the
    training rows' typical values): one predict per group over all candidates.

    Parameters
    ----------
    ranker : Ranker
    X : numpy.ndarray
        The candidates' features.
    score : numpy.ndarray
        Their scores.
    groups : sequence of (key, columns)

    Returns
    -------
    numpy.ndarray
        Shape (candidates, groups), in score points.
    """
    effects = np.empty((len(X), len(groups)))
    traits = set(ranker.trait_keys)
    for g, (key, columns) in enumerate(groups):
        typical = X.copy()
        typical[:, columns] = ranker.typical_[columns]
        effects[:, g] = score - expected_score(ranker.predict_proba(typical))
        if key in traits:
            # A trait nobody assessed is no evidence about the person: never give it as a reason
            # (its imputed value still enters the prediction, as it did in training).
            effects[X[:, columns[2]] == 0, g] = 0.0
    return effects


def certainty(ranker: Ranker, found: Evidence, labels: Mapping[str, str]) -> tuple[np.ndarray, list[list[str]]]:
    """How far each prediction can be trusted, and why not fully.

    Low: one interview, interviewers far apart on a trait, most traits not assessed, or
    evidence unlike any 99 % of the training reps. Medium: interviewers split between yes and
    no, some traits not assessed, or evidence unlike 90 % of the training reps. Else high.

    Parameters
    ----------
    ranker : Ranker
    found : Evidence
        The candidates' evidence.
    labels : mapping
        Trait key -> label.

    Returns
    -------
    levels : numpy.ndarray of int
        0 low, 1 medium, 2 high, per candidate.
    reasons : list of list of str
        In words, per candidate; empty when high.
    """
    n, n_traits = len(found.candidate_ids), len(ranker.trait_keys)
    X = found.X
    level = np.full(n, HIGH)
    reasons: list[list[str]] = [[] for _ in range(n)]

    def flag(mask: np.ndarray, cap: int, words: str | Callable[[int], str]) -> None:
        """Cap the level of the candidates in ``mask`` at ``cap`` and say why (``words(i)`` if callable)."""
        rows = np.flatnonzero(mask)
        level[rows] = np.minimum(level[rows], cap)
        for i in rows.tolist():
            reasons[i].append(words(i) if callable(words) else words)

    flag(X[:, -1] <= 1, LOW, "only one interview")
    if n_traits:
        spread = np.nan_to_num(found.raw_spread, nan=-1.0)
        widest = spread.argmax(axis=1)
        widest_spread = spread[np.arange(n), widest]
        flag(
            widest_spread >= DISAGREEING_SPREAD,
            LOW,
            lambda i: f"interviewers disagree (spread {widest_spread[i]:g} on {labels[ranker.trait_keys[widest[i]]]})",
        )
        missing = n_traits - X[:, 2 : 3 * n_traits : 3].sum(axis=1)
        share = missing / n_traits

        def not_assessed(i: int) -> str:
            return f"{missing[i]:g} of {n_traits} traits not assessed"

        flag(share >= THIN_EVIDENCE_SHARE, LOW, not_assessed)
        flag((share >= PATCHY_EVIDENCE_SHARE) & (share < THIN_EVIDENCE_SHARE), MEDIUM, not_assessed)
    tally = X[:, 3 * n_traits : 3 * n_traits + len(RECOMMENDATIONS)]
    said_no, said_yes = tally[:, :2].sum(axis=1) > 0, tally[:, 2:].sum(axis=1) > 0
    flag(said_no & said_yes, MEDIUM, "interviewers split between yes and no")
    distance = standardized_distance(X, ranker.distance_)
    flag(distance > ranker.distance_p99_, LOW, "unlike the reps the model learned from")
    flag(
        (distance > ranker.distance_p90_) & (distance <= ranker.distance_p99_),
        MEDIUM,
        "somewhat unlike the reps the model learned from",
    )
    return level, reasons


def _value_texts(found: Evidence, n_traits: int) -> tuple[list[str], np.ndarray]:
    """What each candidate had for each group, in words, as (distinct texts, index per cell).

    Texts repeat a lot ("4 (1 rating)"), so each distinct one is formatted once: formatting
    one per candidate and group would cost more than the whole prediction.
    """
    n = len(found.candidate_ids)
    start = 3 * n_traits
    tally = found.X[:, start : start + len(RECOMMENDATIONS)].astype(np.int64)
    # Integer codes in three disjoint ranges: traits (count, sum of ratings), tally, interviews.
    count = found.rating_count.astype(np.int64)
    total = np.rint(np.nan_to_num(found.raw_mean) * count).astype(np.int64)
    codes = np.empty((n, n_traits + 2), dtype=np.int64)
    codes[:, :n_traits] = count * _CODE_BASE + total
    codes[:, n_traits] = _TALLY_CODE + (tally * _CODE_BASE ** np.arange(len(RECOMMENDATIONS))).sum(axis=1)
    codes[:, n_traits + 1] = _INTERVIEWS_CODE + found.X[:, -1].astype(np.int64)
    distinct, index = np.unique(codes, return_inverse=True)
    return [_describe(int(code)) for code in distinct], index.reshape(codes.shape)


_CODE_BASE = 1_000  # counts and sums stay far below; the tally packs 4 counts in base 1,000
_TALLY_CODE = 10**13
_INTERVIEWS_CODE = 2 * 10**13


def _describe(code: int) -> str:
    """The words for one code from :func:`_value_texts`."""
    if code >= _INTERVIEWS_CODE:
        count = code - _INTERVIEWS_CODE
        return f"{count} interview{'s' if count != 1 else ''}"
    if code >= _TALLY_CODE:
        code -= _TALLY_CODE
        parts = []
        for name in RECOMMENDATIONS:
            code, count = divmod(code, _CODE_BASE)
            if count:
                parts.append(f"{count} {name.replace('_', ' ')}")
        return ", ".join(parts) or "no recommendation"
    count, total = divmod(code, _CODE_BASE)
    if not count:
        return "not assessed"
    return f"{round(total / count, 1):g} ({count} rating{'s' if count != 1 else ''})"
