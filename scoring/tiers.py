"""The A/B/C rule: a rep's tier and performance profile from their monthly results.

Plain Python, no Flask and no database: ``hiring`` passes in dates and numbers.
"""

from dataclasses import asdict, dataclass
from datetime import date

# Bookings growing by at least this much per month (relative to the rep's mean month)
# count as an upward trajectory for the performance profile.
GROWTH_PCT_PER_MONTH = 2.0
# Fewer observed months than this give no trajectory (a slope of two points is noise).
MIN_MONTHS_FOR_TRAJECTORY = 3


@dataclass(frozen=True)
class Rule:
    """The written A/B/C rule (defaults from shared/DOMAIN.md)."""

    ramp_months: int = 3
    min_observed_months: int = 6
    quota_months_hit: int = 2
    quota_months_of: int = 3
    a_attainment_pct: int = 110

    def as_dict(self) -> dict:
        """The rule as plain values, to be stored with a model version."""
        return asdict(self)

    def describe(self) -> str:
        """The rule in one paragraph, for every page that shows a tier."""
        share = f"{self.quota_months_hit} of every {self.quota_months_of}"
        return (
            f"A: quota hit in at least {share} observed months and mean attainment of at least "
            f"{self.a_attainment_pct} %. C: quota hit in fewer than {share} months. B: everyone else. "
            f"The first {self.ramp_months} months after the hire are ramp and do not count; "
            f"with fewer than {self.min_observed_months} months after ramp it is too early to tell."
        )


@dataclass(frozen=True)
class Month:
    """One period's result: ``period`` is ``YYYY-MM``."""

    period: str
    quota: float
    booked: float

    @property
    def attainment(self) -> float:
        """Booked / quota."""
        return self.booked / self.quota


@dataclass(frozen=True)
class MonthView:
    """One month as the rule saw it."""

    period: str
    quota: float
    booked: float
    attainment_pct: float
    ramp: bool  # in the ramp period, not counted
    at_quota: bool


@dataclass(frozen=True)
class Assessment:
    """A rep's tier (None: too early to tell) and the numbers behind it."""

    tier: str | None
    months: list[MonthView]
    months_observed: int
    months_at_quota: int
    on_target_pct: float | None  # mean attainment over observed months
    trajectory_pct: float | None  # growth of bookings, % of the mean month per month
    profile: str | None  # developing / emerging / stabilizing / excelling

    @property
    def too_early(self) -> bool:
        """True when there are too few observed months for a tier."""
        return self.tier is None


def month_index(hired_on: date, period: str) -> int:
    """Months from the hire month to ``period`` (0 = the month of the hire)."""
    year, month = (int(part) for part in period.split("-"))
    return (year - hired_on.year) * 12 + month - hired_on.month


def trajectory(bookings: list[float]) -> float | None:
    """Least-squares slope of monthly bookings as a % of the mean month, or None with too few months."""
    n = len(bookings)
    mean = sum(bookings) / n if n else 0.0
    if n < MIN_MONTHS_FOR_TRAJECTORY or mean <= 0:
        return None
    centre = (n - 1) / 2
    slope = sum((i - centre) * (b - mean) for i, b in enumerate(bookings)) / sum((i - centre) ** 2 for i in range(n))
    return round(100 * slope / mean, 2)


def profile(on_target_pct: float | None, trajectory_pct: float | None) -> str | None:
    """Place a rep by current performance (at or above 100 %) and trajectory (growing or not)."""
    if on_target_pct is None or trajectory_pct is None:
        return None
    performing = on_target_pct >= 100
    growing = trajectory_pct >= GROWTH_PCT_PER_MONTH
    if performing:
        return "excelling" if growing else "stabilizing"
    return "emerging" if growing else "developing"


def assess(hired_on: date, results: list[Month], rule: Rule, left_on: date | None = None) -> Assessment:
    """Apply ``rule`` to a rep's results; months before the hire or after leaving are ignored."""
    last = month_index(hired_on, f"{left_on:%Y-%m}") if left_on else None
    months = []
    for result in sorted(results, key=lambda r: r.period):
        index = month_index(hired_on, result.period)
        if index < 0 or (last is not None and index > last):
            continue
        attainment = result.attainment
        months.append(
            MonthView(
                result.period,
                result.quota,
                result.booked,
                round(100 * attainment, 1),
                ramp=index < rule.ramp_months,
                at_quota=attainment >= 1.0,
            )
        )
    observed = [m for m in months if not m.ramp]
    at_quota = sum(m.at_quota for m in observed)
    on_target = round(100 * sum(m.booked / m.quota for m in observed) / len(observed), 1) if observed else None
    growth = trajectory([m.booked for m in observed])
    tier = None
    if len(observed) >= rule.min_observed_months:
        # Compared as integers: 4 of 6 months is exactly "2 of every 3".
        meets_quota_rule = at_quota * rule.quota_months_of >= rule.quota_months_hit * len(observed)
        if not meets_quota_rule:
            tier = "C"
        elif on_target >= rule.a_attainment_pct:
            tier = "A"
        else:
            tier = "B"
    return Assessment(tier, months, len(observed), at_quota, on_target, growth, profile(on_target, growth))
