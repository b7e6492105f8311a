"""Turn database rows into the plain rows that ``scoring`` learns from and ranks."""

from collections.abc import Iterable, Iterator

from sqlalchemy import Select

from models import Hire, Rating, Scorecard, ScorecardStatus, Trait, db
from scoring.features import Scorecard as ScorecardRow

BATCH = 5_000


def submitted_scorecards(
    candidate_ids: Iterable[int] | None = None, *, without_reps: bool = False
) -> Iterator[ScorecardRow]:
    """Yield every submitted scorecard (of ``candidate_ids`` only, if given) as a scoring row.

    ``without_reps`` leaves out hired reps: the model learns from them, and ranks the others.

    Two streamed queries, whatever the number of scorecards: the scorecards, then their
    ratings, both in scorecard id order, merged as they arrive. They run as Core statements
    on the session's connection: ranking reads millions of ratings, and ORM rows cost three
    times as much per row.
    """
    card, rating = Scorecard.__table__, Rating.__table__
    submitted = card.c.status == ScorecardStatus.SUBMITTED
    cards = db.select(card.c.id, card.c.candidate_id, card.c.interviewer_id, card.c.recommendation).where(submitted)
    ratings = (
        db.select(rating.c.scorecard_id, rating.c.trait_id, rating.c.score)
        .join(card, card.c.id == rating.c.scorecard_id)
        .where(submitted)
    )
    if candidate_ids is not None:
        ids = list(candidate_ids)
        cards = cards.where(card.c.candidate_id.in_(ids))
        ratings = ratings.where(card.c.candidate_id.in_(ids))
    if without_reps:
        reps = db.select(Hire.candidate_id)
        cards = cards.where(card.c.candidate_id.not_in(reps))
        ratings = ratings.where(card.c.candidate_id.not_in(reps))
    keys = dict(db.session.execute(db.select(Trait.id, Trait.key)).all())
    rating_rows = _streamed(ratings.order_by(rating.c.scorecard_id))
    pending = next(rating_rows, None)
    for card_id, candidate_id, interviewer_id, recommendation in _streamed(cards.order_by(card.c.id)):
        scores = {}
        while pending is not None and pending[0] <= card_id:
            if pending[0] == card_id:
                scores[keys[pending[1]]] = pending[2]
            pending = next(rating_rows, None)
        yield ScorecardRow(candidate_id, interviewer_id, recommendation.value if recommendation else None, scores)


def _streamed(query: Select) -> Iterator[tuple]:
    """Yield the query's rows, fetched BATCH at a time, without loading them all at once."""
    for batch in db.session.connection().execute(query.execution_options(yield_per=BATCH)).partitions():
        yield from batch


def labelled_reps() -> dict[int, str]:
    """Return candidate id -> tier ("A", "B" or "C") of every rep the rule could judge.

    A manager's override replaces the rule's tier; reps still too early to tell are left out
    even when overridden, as the rule says (shared/DOMAIN.md).
    """
    rows = db.session.execute(db.select(Hire.candidate_id, Hire.tier, Hire.tier_override).where(Hire.tier.is_not(None)))
    return {candidate_id: (override or tier).value for candidate_id, tier, override in rows}


def trait_names() -> dict[str, str]:
    """Return trait key -> name for every trait, retired ones included (old ratings use them)."""
    return dict(db.session.execute(db.select(Trait.key, Trait.name)).all())


def trained_trait_keys(cards: list[ScorecardRow], labels: dict[int, str]) -> list[str]:
    """The traits rated on at least one labelled rep's scorecard, by key: the model's trait columns."""
    return sorted({key for card in cards if card.candidate_id in labels for key in card.ratings})
