"""The model card of a version: what it is for, what it learned from, how good and how fair it is."""

from hiring.fairness_data import model_flags
from hiring.model_data import trait_names
from hiring.rep_tiers import current_rule
from models import ModelVersion
from scoring.tiers import Rule

# Each measure's name and what it means, in words for a hiring manager.
METRICS = {
    "spearman": (
        "Rank correlation",
        "How well the order of predicted fit matches the order of actual tiers (1 is perfect, 0 is chance).",
    ),
    "auc_a": (
        "A-player detection (AUC)",
        "The chance that a random A-player gets a higher P(A) than a random other rep (0.5 is chance).",
    ),
    "qwk": (
        "Tier agreement (weighted kappa)",
        "Agreement of the predicted tier with the actual tier, near misses counting less (0 is chance).",
    ),
    "brier": ("Probability error (Brier)", "How far the probabilities were from what happened; lower is better."),
    "top20_precision": (
        "A-players in the top 20 %",
        "Of the reps the model ranked in its top fifth, the share who were A-players.",
    ),
}
BASELINES = {"model": "This model", "mean_rating": "Mean of ratings", "majority": "Always the most common tier"}
# Below this many reps per tier, every figure on the card rests on very few people.
FEW_PER_TIER = 20


def caveats(version: ModelVersion) -> list[str]:
    """The limits a reader of the card must know, in words, most important first."""
    report = version.report
    notes = []
    smallest = min(report["tier_counts"].values())
    if smallest < FEW_PER_TIER:
        notes.append(
            f"Small data: {report['n_reps']} reps, the smallest tier has {smallest}. Every figure has a wide margin;"
            " the spreads shown are the honest measure of it."
        )
    notes.append(
        "Outcome labels are quota attainment under the A/B/C rule (see Training data). Attainment also reflects"
        " territory, manager, product and market, so a tier is a noisy label of the person."
    )
    notes.append(
        "The model learned only from people who were hired. It has never seen how the people not hired would"
        " have done, so it cannot correct the past selection's blind spots."
    )
    if not report["beats"]["mean_rating"]:
        notes.append("It did not beat the plain mean of the interview ratings: prefer the ratings themselves.")
    if model_flags(version.audit):
        notes.append(
            "Its adverse-impact audit flags at least one group (see Adverse-impact audit): review decisions"
            " about that group with particular care."
        )
    if Rule(**version.rule) != current_rule():
        notes.append("The A/B/C rule changed after this version was trained: its labels follow the old rule.")
    return notes


def card_context(version: ModelVersion) -> dict:
    """Everything the card's HTML and Markdown templates show."""
    names = trait_names()
    return {
        "version": version,
        "report": version.report,
        "rule_words": Rule(**version.rule).describe(),
        "traits": [names.get(key, key) for key in version.report.get("trait_keys", [])],
        "history": version.report.get("history", {}),
        "audit": version.audit,
        "flags": model_flags(version.audit),
        "caveats": caveats(version),
        "metrics": METRICS,
        "baselines": BASELINES,
    }
