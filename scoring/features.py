"""Interview evidence as numbers: submitted scorecards in, one feature row per candidate out.

Only job-related evidence from structured interviews becomes a feature: per trait the combined
rating, how far the interviewers' ratings spread and whether anyone assessed it; the tally of
recommendations; the number of interviews. Nothing about the person themselves.
"""

import gc
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

RECOMMENDATIONS = ("strong_no", "no", "yes", "strong_yes")
PER_TRAIT = ("mean", "spread", "assessed")
LOWEST_RATING, HIGHEST_RATING = 1, 5
# An interviewer's leniency is shrunk towards 0 as if this many comparisons said "no leniency":
# two or three shared candidates are too few to call someone lenient.
SHRINK_COMPARISONS = 5


@dataclass(frozen=True)
class Scorecard:
    """One submitted scorecard: an interviewer's ratings and recommendation for one candidate."""

    candidate_id: int
    interviewer_id: int
    recommendation: str | None  # one of RECOMMENDATIONS or None
    ratings: Mapping[str, int | None]  # trait key -> 1..5; None = not assessed; missing = not on the template


@dataclass(frozen=True)
class Cards:
    """Scorecards as arrays: one row per scorecard, one column per trait (NaN = no rating)."""

    trait_keys: list[str]
    candidate_ids: list[int]  # first-seen order
    candidate: np.ndarray  # per scorecard: index into candidate_ids
    interviewer: np.ndarray  # per scorecard: interviewer id
    recommendation: np.ndarray  # per scorecard: index into RECOMMENDATIONS, -1 for none
    ratings: np.ndarray  # (scorecards, traits) float


@dataclass(frozen=True)
class Evidence:
    """The feature rows of some candidates, with the raw numbers behind them for explanations."""

    candidate_ids: list[int]
    X: np.ndarray  # laid out as feature_names(trait_keys)
    raw_mean: np.ndarray  # (candidates, traits) mean of the ratings as given, before any offset
    raw_spread: np.ndarray  # (candidates, traits) max - min of the ratings as given
    rating_count: np.ndarray  # (candidates, traits) number of ratings


def feature_names(trait_keys: Sequence[str]) -> list[str]:
    """Name the feature columns.

    Parameters
    ----------
    trait_keys : sequence of str
        The traits, in the order the columns should follow.

    Returns
    -------
    list of str
        ``key.mean``, ``key.spread``, ``key.assessed`` per trait, then ``rec.<recommendation>``
        counts and ``interviews``.
    """
    names = [f"{key}.{part}" for key in trait_keys for part in PER_TRAIT]
    return names + [f"rec.{name}" for name in RECOMMENDATIONS] + ["interviews"]


def feature_groups(trait_keys: Sequence[str]) -> dict[str, list[int]]:
    """Map each trait key, ``recommendations`` and ``interviews`` to its feature columns.

    Parameters
    ----------
    trait_keys : sequence of str
        The traits, in column order.

    Returns
    -------
    dict
        Group key -> column indices into ``feature_names(trait_keys)``.
    """
    width = len(PER_TRAIT)
    groups = {key: list(range(i * width, (i + 1) * width)) for i, key in enumerate(trait_keys)}
    start = width * len(trait_keys)
    groups["recommendations"] = list(range(start, start + len(RECOMMENDATIONS)))
    groups["interviews"] = [start + len(RECOMMENDATIONS)]
    return groups


def to_cards(scorecards: Iterable[Scorecard], trait_keys: Sequence[str] | None = None) -> Cards:
    """Turn scorecards into arrays, keeping only ``trait_keys`` (default: every trait seen).

    Parameters
    ----------
    scorecards : iterable of Scorecard
        Submitted scorecards.
    trait_keys : sequence of str, optional
        The traits to keep, in column order; ratings of other traits are ignored.

    Returns
    -------
    Cards
    """
    scorecards = list(scorecards)
    if trait_keys is None:
        trait_keys = list(dict.fromkeys(key for card in scorecards for key in card.ratings))
    keys = list(trait_keys)
    recommendation_index = {None: -1} | {name: i for i, name in enumerate(RECOMMENDATIONS)}
    candidate, interviewer, recommendation, rows = [], [], [], []
    with gc_paused():
        for card in scorecards:
            candidate.append(card.candidate_id)
            interviewer.append(card.interviewer_id)
            try:
                recommendation.append(recommendation_index[card.recommendation])
            except KeyError:
                raise ValueError(f"Unknown recommendation {card.recommendation!r}.") from None
            rows.append(list(map(card.ratings.get, keys)))  # None becomes NaN below
        ratings = np.array(rows, dtype=float).reshape(len(rows), len(keys))
    return cards_from_arrays(keys, candidate, interviewer, recommendation, ratings)


def cards_from_arrays(
    trait_keys: Sequence[str],
    candidate_id: Sequence[int] | np.ndarray,
    interviewer_id: Sequence[int] | np.ndarray,
    recommendation: Sequence[int] | np.ndarray,
    ratings: np.ndarray,
) -> Cards:
    """Build :class:`Cards` from per-scorecard columns (what a database query returns), checking them.

    Parameters
    ----------
    trait_keys : sequence of str
        The traits, in the column order of ``ratings``.
    candidate_id, interviewer_id : sequence of int
        Per scorecard.
    recommendation : sequence of int
        Per scorecard, the index into ``RECOMMENDATIONS``, -1 for none.
    ratings : numpy.ndarray
        (scorecards, traits) float, NaN where not assessed or not on the scorecard.

    Returns
    -------
    Cards
        Candidates are numbered in first-seen order.
    """
    candidate_id = np.asarray(candidate_id, dtype=np.int64)
    recommendation = np.asarray(recommendation, dtype=np.intp)
    if recommendation.size and (recommendation.min() < -1 or recommendation.max() >= len(RECOMMENDATIONS)):
        raise ValueError("Unknown recommendation code.")
    ratings = np.asarray(ratings, dtype=float).reshape(len(candidate_id), len(trait_keys))
    given = ratings[~np.isnan(ratings)]
    if given.size and (given.min() < LOWEST_RATING or given.max() > HIGHEST_RATING):
        raise ValueError(f"Ratings must be between {LOWEST_RATING} and {HIGHEST_RATING}.")
    # Number the candidates in the order they first appear, as the scorecards list them.
    distinct, first, inverse = np.unique(candidate_id, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    number = np.empty(len(distinct), dtype=np.intp)
    number[order] = np.arange(len(distinct))
    return Cards(
        list(trait_keys),
        distinct[order].tolist(),
        number[inverse].astype(np.intp).reshape(-1),
        np.asarray(interviewer_id, dtype=np.int64).reshape(-1),
        recommendation.reshape(-1),
        ratings,
    )


def _per_candidate(cards: Cards, values: np.ndarray) -> tuple[np.ndarray, ...]:
    """Sum, count, max and min of ``values`` (scorecards x traits) per candidate, NaN skipped."""
    order = np.argsort(cards.candidate, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(cards.candidate[order]) != 0])
    ordered = values[order]
    given = ~np.isnan(ordered)
    total = np.add.reduceat(np.where(given, ordered, 0.0), starts, axis=0)
    count = np.add.reduceat(given.astype(np.int64), starts, axis=0)
    # fmax/fmin ignore NaN, so the result is NaN only where no one rated the trait.
    highest = np.fmax.reduceat(ordered, starts, axis=0)
    lowest = np.fmin.reduceat(ordered, starts, axis=0)
    return total, count, highest, lowest


def offsets_matrix(cards: Cards, offsets: Mapping | None) -> np.ndarray:
    """Per scorecard and trait, the interviewer's offset (0 when unknown).

    Parameters
    ----------
    cards : Cards
        The scorecards.
    offsets : mapping, optional
        ``(interviewer_id, trait_key) -> offset`` as from :func:`interviewer_offsets`, or the
        string-keyed form ``"<interviewer_id>:<trait_key>" -> offset`` kept by a ranker.

    Returns
    -------
    numpy.ndarray
        Shape (scorecards, traits).
    """
    table = np.zeros((len(cards.interviewer), len(cards.trait_keys)))
    if not offsets or not len(cards.interviewer):
        return table
    interviewers, inverse = np.unique(cards.interviewer, return_inverse=True)
    row_of = {int(iid): i for i, iid in enumerate(interviewers)}
    column_of = {key: j for j, key in enumerate(cards.trait_keys)}
    by_interviewer = np.zeros((len(interviewers), len(cards.trait_keys)))
    for key, offset in offsets.items():
        if isinstance(key, str):
            iid, trait = key.split(":", 1)
            key = (int(iid), trait)
        row, column = row_of.get(key[0]), column_of.get(key[1])
        if row is not None and column is not None:
            by_interviewer[row, column] = offset
    table[:] = by_interviewer[inverse]
    return table


def evidence(cards: Cards, offsets: Mapping | None = None) -> Evidence:
    """Combine scorecards into one feature row per candidate.

    Parameters
    ----------
    cards : Cards
        The scorecards as arrays.
    offsets : mapping, optional
        Interviewer leniency to subtract from each rating before combining (see
        :func:`offsets_matrix` for the accepted forms).

    Returns
    -------
    Evidence
    """
    n, n_traits = len(cards.candidate_ids), len(cards.trait_keys)
    X = np.full((n, len(PER_TRAIT) * n_traits + len(RECOMMENDATIONS) + 1), np.nan)
    if n == 0:
        empty = np.empty((0, n_traits))
        return Evidence([], X, empty, empty, empty.astype(np.int64))
    total, count, highest, lowest = _per_candidate(cards, cards.ratings)
    raw_spread = highest - lowest
    with np.errstate(invalid="ignore", divide="ignore"):  # 0 / 0 is the NaN we want for "never assessed"
        raw_mean = total / count
        if offsets:
            total, _, highest, lowest = _per_candidate(cards, cards.ratings - offsets_matrix(cards, offsets))
        X[:, 0 : 3 * n_traits : 3] = total / count
    X[:, 1 : 3 * n_traits : 3] = highest - lowest
    X[:, 2 : 3 * n_traits : 3] = count > 0
    start = 3 * n_traits
    has_recommendation = cards.recommendation >= 0
    tally = np.bincount(
        cards.candidate[has_recommendation] * len(RECOMMENDATIONS) + cards.recommendation[has_recommendation],
        minlength=n * len(RECOMMENDATIONS),
    )
    X[:, start : start + len(RECOMMENDATIONS)] = tally.reshape(n, len(RECOMMENDATIONS))
    X[:, -1] = np.bincount(cards.candidate, minlength=n)
    return Evidence(list(cards.candidate_ids), X, raw_mean, raw_spread, count)


def build_features(
    scorecards: Iterable[Scorecard], trait_keys: Sequence[str], offsets: Mapping | None = None
) -> tuple[list[int], np.ndarray]:
    """Build the feature matrix from submitted scorecards.

    Parameters
    ----------
    scorecards : iterable of Scorecard
        Submitted scorecards; they are grouped by ``candidate_id``.
    trait_keys : sequence of str
        The traits to use, in column order; other traits are ignored.
    offsets : mapping, optional
        Interviewer leniency, ``(interviewer_id, trait_key) -> offset``, subtracted from each
        rating before combining.

    Returns
    -------
    candidate_ids : list of int
        In first-seen order.
    X : numpy.ndarray
        Float, laid out as ``feature_names(trait_keys)``; mean and spread are NaN for a trait
        nobody assessed.
    """
    found = evidence(to_cards(scorecards, trait_keys), offsets)
    return found.candidate_ids, found.X


def cards_offsets(cards: Cards) -> dict[tuple[int, str], float]:
    """Interviewer leniency from scorecards already turned into arrays (see :func:`interviewer_offsets`).

    Parameters
    ----------
    cards : Cards
        The scorecards.

    Returns
    -------
    dict
        ``(interviewer_id, trait_key) -> offset`` for every pair with at least one comparison.
    """
    if not len(cards.candidate):
        return {}
    total, count, _, _ = _per_candidate(cards, cards.ratings)
    given = ~np.isnan(cards.ratings)
    with np.errstate(invalid="ignore", divide="ignore"):
        panel_mean = total[cards.candidate] / count[cards.candidate]
    # Compared with the panel's mean (themselves included), not with the colleagues' mean: with
    # two interviewers each is the other's whole reference, so "rating - colleagues' mean" would
    # count a +1 / -1 pair as +2 / -2. The panel version is (k-1)/k times that, and exact there.
    difference = cards.ratings - panel_mean
    compared = given & (count[cards.candidate] > 1)
    interviewers, inverse = np.unique(cards.interviewer, return_inverse=True)
    n_traits = len(cards.trait_keys)
    sums = np.zeros((len(interviewers), n_traits))
    counts = np.zeros((len(interviewers), n_traits))
    np.add.at(sums, inverse, np.where(compared, difference, 0.0))
    np.add.at(counts, inverse, compared)
    shrunk = sums / (counts + SHRINK_COMPARISONS)
    return {
        (int(interviewers[i]), cards.trait_keys[j]): float(shrunk[i, j])
        for i, j in zip(*np.nonzero(counts), strict=True)
    }


def interviewer_offsets(scorecards: Iterable[Scorecard]) -> dict[tuple[int, str], float]:
    """Estimate each interviewer's leniency per trait from scorecards alone (no labels).

    The offset is the mean of (their rating - the mean rating of the same candidate and trait by
    everyone who rated it, themselves included), over candidates someone else rated too, shrunk
    towards 0 when there are few such comparisons. That is (k-1)/k times "their rating - the
    colleagues' mean" for a panel of k, which would double-count a pair's gap.

    Parameters
    ----------
    scorecards : iterable of Scorecard
        All submitted scorecards.

    Returns
    -------
    dict
        ``(interviewer_id, trait_key) -> offset``; > 0 means lenient. Pairs never compared with
        a colleague are absent (their offset is 0).
    """
    return cards_offsets(to_cards(scorecards))


def offsets_to_strings(offsets: Mapping[tuple[int, str], float]) -> dict[str, float]:
    """Key offsets by ``"<interviewer_id>:<trait_key>"`` so that skops can store them.

    Parameters
    ----------
    offsets : mapping
        ``(interviewer_id, trait_key) -> offset``.

    Returns
    -------
    dict
        Same offsets with string keys, sorted.
    """
    return {f"{iid}:{trait}": float(value) for (iid, trait), value in sorted(offsets.items())}


def distance_model(X: np.ndarray) -> dict[str, np.ndarray]:
    """Learn what "like the training rows" means: fill values, centre, scale and a shrunk precision.

    Parameters
    ----------
    X : numpy.ndarray
        Training feature rows, NaN allowed.

    Returns
    -------
    dict
        ``fill`` (median per column, 0 when all missing), ``center``, ``scale`` (> 0) and
        ``precision`` (inverse of the shrunk correlation matrix), for :func:`standardized_distance`.
    """
    all_missing = np.isnan(X).all(axis=0)
    fill = np.where(all_missing, 0.0, np.nanmedian(np.where(all_missing, 0.0, X), axis=0))
    filled = np.where(np.isnan(X), fill, X)
    center = filled.mean(axis=0)
    scale = filled.std(axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    z = (filled - center) / scale
    n, p = z.shape
    # Features move together (more interviews, more votes), so distance is measured against
    # their correlation (Mahalanobis). Shrinking towards the identity keeps the inverse stable
    # when there are few reps per feature.
    shrink = max(0.1, p / (n + p))
    correlation = z.T @ z / max(n - 1, 1)
    precision = np.linalg.pinv((1 - shrink) * correlation + shrink * np.eye(p), hermitian=True)
    return {"fill": fill, "center": center, "scale": scale, "precision": precision}


def standardized_distance(X: np.ndarray, model: Mapping[str, np.ndarray]) -> np.ndarray:
    """Mahalanobis distance of each row from the training rows, per feature (about 1 when typical).

    Parameters
    ----------
    X : numpy.ndarray
        Feature rows, NaN allowed (filled with the training medians).
    model : mapping
        As returned by :func:`distance_model`.

    Returns
    -------
    numpy.ndarray
        One distance per row.
    """
    z = (np.where(np.isnan(X), model["fill"], X) - model["center"]) / model["scale"]
    return np.sqrt(np.einsum("ij,jk,ik->i", z, model["precision"], z, optimize=True) / z.shape[1])


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector (process-wide) while building many small objects.

    Hundreds of thousands of new lists and objects trigger collections that rescan everything
    the caller holds (the scorecards, for a start) and never find garbage: ranking 100,000
    candidates took half as long again with the collector running. Reference counting still
    frees memory meanwhile; the collector is re-enabled on exit if it was enabled on entry.

    Yields
    ------
    None
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
