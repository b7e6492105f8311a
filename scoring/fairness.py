"""Fairness audit: selection and scoring rates by sex and race/ethnicity, and their impact ratios.

Plain Python over labels: ``hiring`` turns self-identification, model output and decisions into
:class:`Subject` rows and parallel lists. Each analysis compares every group's rate with the
reference group's (the four-fifths rule and the NYC Local Law 144 bias audit), with a Fisher
exact test and a confidence interval so a small group's ratio is not read as more than it is.
Nothing is rounded here: the pages and the CSV export round.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import fisher_exact, norm


@dataclass(frozen=True)
class Subject:
    """One person's self-identification; None means unknown or "prefer not to say"."""

    sex: str | None
    race_ethnicity: str | None


DIMENSIONS = (("sex", "Sex"), ("race_ethnicity", "Race/ethnicity"), ("sex_race", "Sex × race/ethnicity"))
FOUR_FIFTHS = 0.8
# LL144 lets an auditor leave groups under 2 % of the data out of the impact ratios.
EXCLUDABLE_SHARE = 0.02
# The reference group needs this many people when any group has them (see _reference).
MIN_REFERENCE = 10
ALPHA = 0.05
Z_95 = float(norm.ppf(0.975))
# Columns of report_rows, in order, so a CSV has its header even with no rows.
ROW_FIELDS = (
    "analysis",
    "analysis_title",
    "source",
    "measure",
    "dimension",
    "dimension_title",
    "group",
    "count",
    "share",
    "selected",
    "rate",
    "impact_ratio",
    "ci_low",
    "ci_high",
    "p_value",
    "excludable",
    "reference",
    "flag",
    "significant",
    "note",
)
NOBODY = {
    "selection": "Nobody in these groups was selected, so there are no impact ratios.",
    "scoring": "Nobody in these groups scored above the median, so there are no impact ratios.",
}
REFERENCE = {
    "selection": "Most selected group: the reference.",
    "scoring": "Highest scoring rate: the reference.",
}


def model_analyses(
    subjects: Sequence[Subject], tiers: Sequence[str], scores: Sequence[float], top_n: int
) -> list[dict]:
    """Audit the model's output: predicted A-players, the top ``top_n`` and the LL144 scoring rate.

    Parameters
    ----------
    subjects : sequence of Subject
    tiers : sequence of str
        Predicted tier ("A", "B" or "C") per subject.
    scores : sequence of float
        Fit score per subject.
    top_n : int
        How many of the highest scores count as selected; clamped to [0, number of subjects].
        Equal scores keep input order, so the cut is reproducible.

    Returns
    -------
    list of dict
        The analyses ``predicted_a``, ``top_n`` and ``scoring_rate`` (share scoring strictly above
        the median score of everyone, unknown demographics included; the median is in the dict).
    """
    n = _check_lengths(subjects, tiers, scores)
    score = np.asarray(scores, dtype=float)
    top_n = min(max(top_n, 0), n)
    in_top = np.zeros(n, dtype=bool)
    in_top[np.argsort(-score, kind="stable")[:top_n]] = True
    median = float(np.median(score)) if n else None
    above = np.zeros(n, dtype=bool) if median is None else score > median
    dimensions = _encode(subjects)
    return [
        _analysis("predicted_a", "Predicted A-player", "model", "selection", dimensions, np.asarray(tiers) == "A"),
        _analysis("top_n", f"Top {top_n} by fit score", "model", "selection", dimensions, in_top),
        _analysis("scoring_rate", "Scoring above the median", "model", "scoring", dimensions, above, median),
    ]


def decision_analyses(subjects: Sequence[Subject], moved_forward: Sequence[bool], hired: Sequence[bool]) -> list[dict]:
    """Audit what people decided: who was moved forward and who was hired.

    Parameters
    ----------
    subjects : sequence of Subject
    moved_forward, hired : sequence of bool
        One per subject.

    Returns
    -------
    list of dict
        The analyses ``moved_forward`` and ``hired``.
    """
    _check_lengths(subjects, moved_forward, hired)
    dimensions = _encode(subjects)
    return [
        _analysis("moved_forward", "Moved forward", "decisions", "selection", dimensions, moved_forward),
        _analysis("hired", "Hired", "decisions", "selection", dimensions, hired),
    ]


def build_report(scope: dict, analyses: list[dict]) -> dict:
    """Put analyses together with their flags and a one-sentence summary.

    Parameters
    ----------
    scope : dict
        What was audited (model version, openings, dates ...); stored as given.
    analyses : list of dict
        From :func:`model_analyses` and :func:`decision_analyses`.

    Returns
    -------
    dict
        ``scope``, ``sample`` (the largest analysis's), ``analyses``, ``flags`` (one per flagged
        group) and ``summary``; JSON-able.
    """
    flags = [
        {
            "analysis": analysis["key"],
            "analysis_title": analysis["title"],
            "source": analysis["source"],
            "dimension": dimension["key"],
            "dimension_title": dimension["title"],
            "group": group["group"],
            "impact_ratio": group["impact_ratio"],
            "p_value": group["p_value"],
            "significant": group["significant"],
            "count": group["count"],
            "note": group["note"],
        }
        for analysis in analyses
        for dimension in analysis["dimensions"]
        for group in dimension["groups"]
        if group["flag"]
    ]
    sample = max((analysis["sample"] for analysis in analyses), default=0)
    return {"scope": scope, "sample": sample, "analyses": analyses, "flags": flags, "summary": _summary(sample, flags)}


def report_rows(report: dict) -> list[dict]:
    """Flatten a report for CSV: one row per analysis, dimension and group, then one for Unknown.

    Parameters
    ----------
    report : dict
        From :func:`build_report`.

    Returns
    -------
    list of dict
        Keys :data:`ROW_FIELDS`. The Unknown row carries only its count (None elsewhere), so a
        reader sees how many people the groups leave out.
    """
    rows = []
    for analysis in report["analyses"]:
        for dimension in analysis["dimensions"]:
            where = {
                "analysis": analysis["key"],
                "analysis_title": analysis["title"],
                "source": analysis["source"],
                "measure": analysis["measure"],
                "dimension": dimension["key"],
                "dimension_title": dimension["title"],
            }
            for group in dimension["groups"]:
                rows.append({field: where[field] if field in where else group[field] for field in ROW_FIELDS})
            unknown = {**where, "group": "Unknown", "count": dimension["unknown"]}
            rows.append({field: unknown.get(field) for field in ROW_FIELDS})
    return rows


def flagged(report: dict | None) -> list[dict]:
    """The report's flags: groups under the four-fifths rule ([] for no report).

    Parameters
    ----------
    report : dict or None

    Returns
    -------
    list of dict
    """
    return list(report["flags"]) if report else []


def _check_lengths(subjects: Sequence[Subject], *columns: Sequence) -> int:
    """Return the number of subjects; raise ValueError unless every column has one value each."""
    n = len(subjects)
    if any(len(column) != n for column in columns):
        raise ValueError(f"Expected one value per subject ({n}), got {[len(column) for column in columns]}.")
    return n


def _encode(subjects: Sequence[Subject]) -> list[tuple[str, str, list[str], np.ndarray]]:
    """Per dimension: key, title, group labels (sorted) and each subject's group index (-1 unknown)."""
    values = {
        "sex": [subject.sex for subject in subjects],
        "race_ethnicity": [subject.race_ethnicity for subject in subjects],
        "sex_race": [
            f"{subject.sex} · {subject.race_ethnicity}"
            if subject.sex is not None and subject.race_ethnicity is not None
            else None
            for subject in subjects
        ],
    }
    encoded = []
    for key, title in DIMENSIONS:
        labels = sorted({value for value in values[key] if value is not None})
        index = {label: number for number, label in enumerate(labels)}
        codes = np.array([index.get(value, -1) for value in values[key]], dtype=int)
        encoded.append((key, title, labels, codes))
    return encoded


def _analysis(
    key: str,
    title: str,
    source: str,
    measure: str,
    dimensions: list[tuple[str, str, list[str], np.ndarray]],
    selected: Sequence[bool] | np.ndarray,
    median: float | None = None,
) -> dict:
    """One analysis: who counts as selected, broken down by every dimension."""
    chosen = np.asarray(selected, dtype=bool)
    analysis = {"key": key, "title": title, "source": source, "measure": measure}
    analysis.update(sample=len(chosen), selected=int(chosen.sum()))
    if measure == "scoring":
        analysis["median"] = median
    analysis["dimensions"] = [_dimension(*dimension, chosen, measure) for dimension in dimensions]
    return analysis


def _dimension(key: str, title: str, labels: list[str], codes: np.ndarray, chosen: np.ndarray, measure: str) -> dict:
    """Rates, impact ratios, tests and notes for the groups of one dimension."""
    known = codes >= 0
    counts = np.bincount(codes[known], minlength=len(labels)).tolist()
    hits = np.bincount(codes[known][chosen[known]], minlength=len(labels)).tolist()
    n_known = int(known.sum())
    groups = [
        {
            "group": label,
            "count": count,
            "share": count / n_known,
            "selected": hit,
            "rate": hit / count,
            "excludable": count / n_known < EXCLUDABLE_SHARE,
        }
        for label, count, hit in zip(labels, counts, hits, strict=True)
    ]
    reference = _reference(groups)
    for group in groups:
        group.update(_comparison(group, reference))
        group["note"] = _note(group, measure)
    return {
        "key": key,
        "title": title,
        "known": n_known,
        "unknown": len(codes) - n_known,
        "reference": reference["group"] if reference else None,
        "groups": groups,
    }


def _reference(groups: list[dict]) -> dict | None:
    """The group with the highest rate among those not excludable with MIN_REFERENCE people or more.

    A smaller group's rate moves too much with one person to anchor every comparison (two
    people, one selected, would flag everyone under 40 %), so it is chosen only when no group
    is that large; then the highest rate of the groups not excludable, or of all of them.
    Equal rates go to the larger group, then the first label: its rate is the surest.
    """
    eligible = [group for group in groups if not group["excludable"]]
    candidates = [group for group in eligible if group["count"] >= MIN_REFERENCE] or eligible or groups
    return max(candidates, key=lambda group: (group["rate"], group["count"]), default=None)


def _comparison(group: dict, reference: dict) -> dict:
    """Impact ratio with its 95 % interval, Fisher p-value, flag and significance against the reference.

    The interval is Katz's log method: log(ratio) +/- 1.96 * sqrt(1/a - 1/n1 + 1/c - 1/n2) for
    a of n1 selected in the group and c of n2 in the reference. When any cell of the 2x2 table is
    zero, 0.5 is added to all four (Haldane-Anscombe) so the interval stays finite; it is then
    the interval of the corrected ratio. The p-value is Fisher's exact test, two-sided. The
    reference gets ratio 1 and no interval or p-value; with a reference rate of 0 there are no
    ratios at all.
    """
    result = {
        "impact_ratio": None,
        "ci_low": None,
        "ci_high": None,
        "p_value": None,
        "reference": group is reference,
        "flag": False,
        "significant": False,
    }
    if reference["selected"] == 0:
        return result
    if group is reference:
        return result | {"impact_ratio": 1.0}
    a, n1, c, n2 = group["selected"], group["count"], reference["selected"], reference["count"]
    # One division of exact integers: a ratio of exactly 4/5 must not come out as 0.7999... and be flagged.
    ratio = (a * n2) / (n1 * c)
    ci_low, ci_high = _katz_interval(a, n1, c, n2)
    p_value = float(fisher_exact([[a, n1 - a], [c, n2 - c]]).pvalue)
    return result | {
        "impact_ratio": ratio,
        "ci_low": ci_low,
        "ci_high": ci_high,
        "p_value": p_value,
        "flag": not group["excludable"] and ratio < FOUR_FIFTHS,
        "significant": p_value < ALPHA,
    }


def _katz_interval(a: int, n1: int, c: int, n2: int) -> tuple[float, float]:
    """95 % interval of (a/n1) / (c/n2) by Katz's log method, with 0.5 added to every cell when one is zero.

    The interval always holds the observed ratio.
    """
    ratio = (a * n2) / (n1 * c)
    cells = (a, n1 - a, c, n2 - c)
    a, b, c, d = (cell + 0.5 for cell in cells) if 0 in cells else cells
    log_ratio = math.log((a / (a + b)) / (c / (c + d)))
    margin = Z_95 * math.sqrt(1 / a - 1 / (a + b) + 1 / c - 1 / (c + d))
    # The corrected interval is about the corrected ratio; widen it to hold the observed one
    # (none selected in the group: the ratio is 0, and so is the lower bound).
    return min(math.exp(log_ratio - margin), ratio), max(math.exp(log_ratio + margin), ratio)


def _note(group: dict, measure: str) -> str:
    """The group's result against the reference, in words."""
    if group["impact_ratio"] is None:
        return NOBODY[measure]
    if group["reference"]:
        return REFERENCE[measure]
    if group["excludable"]:
        return "Under 2 % of the sample: reported, and may be excluded from impact ratios."
    ratio_words, p_words = _ratio_words(group), _p_words(group)
    if group["flag"] and group["significant"]:
        return f"{ratio_words} is under 0.80 and statistically significant (Fisher {p_words})."
    if group["flag"]:
        people = "1 person" if group["count"] == 1 else f"{group['count']} people"
        return (
            f"{ratio_words} is under 0.80, but with {people} the difference could be chance "
            f"(Fisher {p_words}): too few people to mean anything on its own."
        )
    if group["significant"]:
        return (
            f"{ratio_words} passes the four-fifths rule, yet the difference is statistically significant "
            f"(Fisher {p_words}): worth a look."
        )
    return f"{ratio_words} passes the four-fifths rule."


def _ratio_words(group: dict) -> str:
    """The impact ratio as the pages round it, except that a flagged ratio never reads 0.80."""
    shown = round(group["impact_ratio"], 2)
    if group["flag"]:  # 0.796 is under the line: show 0.79 rather than "0.80 is under 0.80"
        shown = min(shown, FOUR_FIFTHS - 0.01)
    return f"Impact ratio {shown:.2f}"


def _p_words(group: dict) -> str:
    """The p-value to two significant digits, except that a significant one never reads 0.05."""
    if group["p_value"] < 0.001:
        return "p < 0.001"
    shown = float(f"{group['p_value']:.2g}")
    if group["significant"]:  # 0.0496 is significant: show 0.049 rather than 0.05
        shown = min(shown, ALPHA - 0.001)
    return f"p = {shown:g}"


def _summary(sample: int, flags: list[dict]) -> str:
    """One sentence on the whole report."""
    if sample == 0:
        return "Nobody in the sample: nothing to audit."
    if not flags:
        return "No group is flagged."
    # A group flagged in several analyses counts once per analysis: each is a separate finding.
    findings = "1 flag" if len(flags) == 1 else f"{len(flags)} flags"
    significant = sum(flag["significant"] for flag in flags) or "none"
    return f"{findings} under the four-fifths rule ({significant} statistically significant)."
