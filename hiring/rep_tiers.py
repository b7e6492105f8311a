"""The A/B/C rule as Bench stores it, and the tiers it gives hired reps.

``refresh_tiers`` applies ``scoring.tiers.assess`` to reps and stores what it
finds on each Hire. Those columns are derived, so they are written with plain
UPDATEs that leave the hire's version alone: entering a month's results never
makes a colleague's open edit of the hire's details conflict.
"""

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import bindparam, update
from sqlalchemy.orm.attributes import set_committed_value

from hiring.csv_import import chunked
from models import Hire, PeriodResult, Profile, Tier, TierRule, db
from scoring.tiers import Assessment, Month, Rule, assess

# The rule is one row, seeded by migration 0004.
RULE_ID = 1
BATCH = 500
RULE_FIELDS = ("ramp_months", "min_observed_months", "quota_months_hit", "quota_months_of", "a_attainment_pct")
DERIVED_FIELDS = ("tier", "months_observed", "months_at_quota", "on_target_pct", "trajectory_pct", "profile")


def rule_of(row: TierRule) -> Rule:
    """Return the scoring rule a TierRule row holds."""
    return Rule(**{name: getattr(row, name) for name in RULE_FIELDS})


def rule_row() -> TierRule | None:
    """Return the stored rule's row (None only in a database the migrations did not seed)."""
    return db.session.get(TierRule, RULE_ID)


def current_rule() -> Rule:
    """Return the A/B/C rule in force: the stored one, or the defaults if it is missing."""
    row = rule_row()
    return rule_of(row) if row is not None else Rule()


def months_of(results: Iterable[PeriodResult]) -> list[Month]:
    """Convert stored results to the plain months ``assess`` reads."""
    return [Month(result.period, float(result.quota), float(result.booked)) for result in results]


def assess_hire(hire: Hire, rule: Rule | None = None) -> Assessment:
    """Assess one rep from their stored results, for the rep's page."""
    return assess(hire.hired_on, months_of(hire.results), rule or current_rule(), hire.left_on)


def derived_values(assessment: Assessment) -> dict:
    """Return the Hire columns an assessment sets."""
    return {
        "tier": Tier(assessment.tier) if assessment.tier else None,
        "months_observed": assessment.months_observed,
        "months_at_quota": assessment.months_at_quota,
        "on_target_pct": assessment.on_target_pct,
        "trajectory_pct": assessment.trajectory_pct,
        "profile": Profile(assessment.profile) if assessment.profile else None,
    }


def write_unversioned(changes: list[tuple[Hire, dict]]) -> None:
    """Write columns of hires with one UPDATE per batch, without bumping their version.

    Every dict of ``changes`` must have the same keys. The loaded objects are
    kept in step, as if they had been read back from the database.
    """
    if not changes:
        return
    table = Hire.__table__
    names = list(changes[0][1])
    statement = (
        update(table)
        .where(table.c.id == bindparam("hire_id"))
        .values({name: bindparam(f"new_{name}") for name in names})
    )
    for batch in chunked(changes, BATCH):
        params = [{"hire_id": hire.id, **{f"new_{name}": values[name] for name in names}} for hire, values in batch]
        db.session.execute(statement, params)
    for hire, values in changes:
        for name, value in values.items():
            set_committed_value(hire, name, value)


def results_by_hire(hire_ids: list[int]) -> dict[int, list[Month]]:
    """Return the stored months of each hire, in batched queries."""
    months: dict[int, list[Month]] = defaultdict(list)
    for batch in chunked(hire_ids, BATCH):
        rows = db.session.execute(
            db.select(PeriodResult.hire_id, PeriodResult.period, PeriodResult.quota, PeriodResult.booked).where(
                PeriodResult.hire_id.in_(batch)
            )
        )
        for hire_id, period, quota, booked in rows:
            months[hire_id].append(Month(period, float(quota), float(booked)))
    return months


def refresh_tiers(hires: Iterable[Hire] | None = None, *, rule: Rule | None = None) -> int:
    """Assess the given hires (every hire when None) and store their tier and numbers; return how many changed tier.

    ``rule`` defaults to the stored rule. Runs a fixed number of queries
    whatever the number of hires; the caller commits.
    """
    rule = rule or current_rule()
    hires = list(db.session.scalars(db.select(Hire)) if hires is None else hires)
    if any(hire.id is None for hire in hires):
        db.session.flush()  # new hires need their ids
    months = results_by_hire([hire.id for hire in hires])
    changes, tier_changed = [], 0
    for hire in hires:
        values = derived_values(assess(hire.hired_on, months.get(hire.id, []), rule, hire.left_on))
        if any(getattr(hire, name) != value for name, value in values.items()):
            changes.append((hire, values))
        if hire.tier != values["tier"]:
            tier_changed += 1
    write_unversioned(changes)
    return tier_changed
