"""Seeded synthetic interview data with a planted structure, for tests and benchmarks.

Each person has a true level per trait. Only the *predictive* traits decide the tier (through
a hidden "ability"); the *noise* traits are rated like any other but mean nothing. Interviewers
are lenient or severe by a fixed offset, one is pure noise, and about 10 % of ratings are left
"not assessed". Reps are labelled A/B/C; candidates are not (their true tier is kept apart).
"""

from dataclasses import dataclass, field

import numpy as np
from scipy.stats import norm

from scoring.features import RECOMMENDATIONS, Scorecard

DEFAULT_TRAITS = {
    "coachability": "Coachability",
    "resilience": "Resilience",
    "drive": "Drive",
    "ownership": "Ownership and focus",
    "process": "Process discipline",
    "deal_judgment": "Deal judgment",
    "communication": "Communication and listening",
    "integrity": "Integrity",
    "learning": "Learning agility",
    "collaboration": "Collaboration",
}
INTERVIEW_COUNTS = (1, 2, 3, 4)
INTERVIEW_SHARES = (0.15, 0.35, 0.35, 0.15)
SHARE_A, SHARE_C = 0.20, 0.35  # of the population; B is the rest
ABILITY_NOISE = 0.5  # what the traits do not explain
BLANK_RECOMMENDATION = 0.05
FIRST_INTERVIEWER_ID = 101


@dataclass
class SyntheticData:
    """Scorecards of labelled reps and unlabelled candidates, and the truth behind them."""

    trait_keys: list[str]
    trait_names: dict[str, str]
    predictive: list[str]  # traits that drive the tier, strongest first
    noise: list[str]  # traits unrelated to the tier
    scorecards: list[Scorecard]  # reps' first, then candidates'
    labels: dict[int, str]  # reps: candidate id -> tier
    candidate_ids: list[int]  # unlabelled candidates
    true_tiers: dict[int, str] = field(repr=False)  # everyone, candidates included
    leniency: dict[int, float] = field(default_factory=dict)  # interviewer id -> planted offset
    noisy_interviewers: list[int] = field(default_factory=list)  # their ratings ignore the person


@dataclass
class _World:
    """The planted structure: which traits matter, and how each interviewer rates."""

    n_traits: int
    predictive: np.ndarray  # column indices
    weights: np.ndarray
    leniency: np.ndarray  # per interviewer
    noisy: np.ndarray  # per interviewer
    not_assessed: float
    rating_noise: float

    @property
    def ability_scale(self) -> float:
        """Standard deviation of the hidden ability."""
        return float(np.sqrt(self.weights @ self.weights + ABILITY_NOISE**2))

    def people(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray, list, list]:
        """Draw ``n`` people: (tiers, person of each scorecard, interviewer index, recommendation, ratings)."""
        level = rng.normal(size=(n, self.n_traits))
        ability = level[:, self.predictive] @ self.weights + rng.normal(scale=ABILITY_NOISE, size=n)
        top, bottom = norm.ppf([1 - SHARE_A, SHARE_C], scale=self.ability_scale)
        tiers = np.where(ability >= top, "A", np.where(ability < bottom, "C", "B"))

        interviews = rng.choice(INTERVIEW_COUNTS, size=n, p=INTERVIEW_SHARES)
        person = np.repeat(np.arange(n), interviews)
        # Distinct interviewers per person: the first k of a random order of all interviewers.
        order = np.argsort(rng.random((n, len(self.leniency))), axis=1)
        slot = np.arange(len(person)) - np.repeat(np.cumsum(interviews) - interviews, interviews)
        interviewer = order[person, slot]

        truth = np.where(self.noisy[interviewer, None], 0.0, level[person])
        raw = 3 + 0.9 * truth + self.leniency[interviewer, None] + rng.normal(scale=self.rating_noise, size=truth.shape)
        ratings = np.clip(np.rint(raw), 1, 5).astype(int)
        ratings[rng.random(ratings.shape) < self.not_assessed] = 0  # 0 = not assessed
        impression = (
            0.7 * ability[person] / self.ability_scale
            + 0.3 * level[person].mean(axis=1)
            + self.leniency[interviewer]
            + rng.normal(scale=0.8, size=len(person))
        )
        recommendation = np.digitize(impression, [-0.9, 0.0, 0.9])
        recommendation[rng.random(len(person)) < BLANK_RECOMMENDATION] = -1
        return tiers, person, interviewer, recommendation.tolist(), ratings.tolist()


def make_data(
    n_reps: int = 300,
    n_candidates: int = 0,
    *,
    n_traits: int = 10,
    n_predictive: int = 3,
    n_interviewers: int = 8,
    n_noisy_interviewers: int = 1,
    not_assessed: float = 0.1,
    leniency_sd: float = 0.7,
    rating_noise: float = 0.6,
    random_state: int = 0,
) -> SyntheticData:
    """Generate reps (labelled) and candidates (unlabelled) with a planted structure.

    The structure, the reps and the candidates come from separate random streams: asking for
    more candidates changes neither the reps nor which traits matter.

    Parameters
    ----------
    n_reps, n_candidates : int
        People with and without a tier; reps get ids 1..n_reps, candidates the ids after.
    n_traits, n_predictive : int
        Traits rated, and how many of them decide the tier.
    n_interviewers, n_noisy_interviewers : int
        Interviewers, and how many of them rate at random.
    not_assessed : float
        Share of ratings left "not assessed".
    leniency_sd : float
        Spread of the interviewers' leniency offsets, in rating points.
    rating_noise : float
        Standard deviation of an interviewer's error on one rating.
    random_state : int

    Returns
    -------
    SyntheticData
    """
    structure, rep_stream, candidate_stream = (
        np.random.default_rng(seed) for seed in np.random.SeedSequence(random_state).spawn(3)
    )
    keys = list(DEFAULT_TRAITS)[:n_traits] + [f"trait_{i + 1}" for i in range(len(DEFAULT_TRAITS), n_traits)]
    predictive_columns = structure.choice(n_traits, size=n_predictive, replace=False)
    leniency = structure.normal(scale=leniency_sd, size=n_interviewers)
    noisy = np.zeros(n_interviewers, dtype=bool)
    noisy[structure.choice(n_interviewers, size=n_noisy_interviewers, replace=False)] = True
    world = _World(
        n_traits, predictive_columns, np.linspace(1.0, 0.6, n_predictive), leniency, noisy, not_assessed, rating_noise
    )
    interviewer_ids = list(range(FIRST_INTERVIEWER_ID, FIRST_INTERVIEWER_ID + n_interviewers))

    scorecards, true_tiers = [], {}
    for first_id, count, stream in ((1, n_reps, rep_stream), (n_reps + 1, n_candidates, candidate_stream)):
        tiers, person, interviewer, recommendation, ratings = world.people(count, stream)
        true_tiers.update(zip(range(first_id, first_id + count), tiers.tolist(), strict=True))
        scorecards += [
            Scorecard(
                first_id + p,
                interviewer_ids[i],
                RECOMMENDATIONS[r] if r >= 0 else None,
                dict(zip(keys, [value or None for value in row], strict=True)),
            )
            for p, i, r, row in zip(person.tolist(), interviewer.tolist(), recommendation, ratings, strict=True)
        ]
    predictive = set(world.predictive.tolist())
    return SyntheticData(
        trait_keys=keys,
        trait_names={key: DEFAULT_TRAITS.get(key, key.replace("_", " ").capitalize()) for key in keys},
        predictive=[keys[i] for i in world.predictive.tolist()],
        noise=[key for i, key in enumerate(keys) if i not in predictive],
        scorecards=scorecards,
        labels={cid: tier for cid, tier in true_tiers.items() if cid <= n_reps},
        candidate_ids=list(range(n_reps + 1, n_reps + n_candidates + 1)),
        true_tiers=true_tiers,
        leniency=dict(zip(interviewer_ids, world.leniency.tolist(), strict=True)),
        noisy_interviewers=[iid for iid, flag in zip(interviewer_ids, noisy.tolist(), strict=True) if flag],
    )
