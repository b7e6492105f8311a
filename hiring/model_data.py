"""Turn database rows into the plain rows that ``scoring`` learns from and ranks."""

from collections.abc import Iterable, Iterator, Sequence

import numpy as np
from sqlalchemy import Select, case, func, literal

from models import Hire, Rating, Scorecard, ScorecardStatus, Trait, db
from scoring.features import RECOMMENDATIONS, Cards, cards_from_arrays
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


def submitted_cards(
    trait_keys: Sequence[str], candidate_ids: Iterable[int] | None = None, *, without_reps: bool = False
) -> Cards:
    """Every submitted scorecard (of ``candidate_ids`` only, if given) as arrays, for ranking.

    The same scorecards as :func:`submitted_scorecards`, in the same order, but one query with
    one row per scorecard: the database turns the ratings of ``trait_keys`` into columns and the
    recommendation into its index. Ranking the whole pool reads millions of ratings, and one
    Python object per rating cost more than the ranking itself. Traits not in ``trait_keys``
    are left out; a trait key no trait has any more gives a column of "not assessed".
    """
    card, rating = Scorecard.__table__, Rating.__table__
    ids = dict(db.session.execute(db.select(Trait.key, Trait.id).where(Trait.key.in_(list(trait_keys)))).all())
    known = [key for key in trait_keys if key in ids]
    # One sum per PACKED traits, each rating shifted into its own BITS (see _unpacked): one
    # aggregate per row instead of one per trait, which made the read twice as fast.
    columns = [
        func.coalesce(
            func.sum(
                case(
                    {ids[key]: rating.c.score * (1 << (BITS * k)) for k, key in enumerate(known[i : i + PACKED])},
                    value=rating.c.trait_id,
                )
            ),
            0,
        )
        for i in range(0, len(known), PACKED)
    ]
    codes = [(card.c.recommendation == name, literal(i)) for i, name in enumerate(RECOMMENDATIONS)]
    query = (
        db.select(card.c.candidate_id, card.c.interviewer_id, case(*codes, else_=literal(-1)), *columns)
        # Outer join: a scorecard that rated no trait still counts (its interview, its recommendation).
        .outerjoin(rating, rating.c.scorecard_id == card.c.id)
        .where(card.c.status == ScorecardStatus.SUBMITTED)
        .group_by(card.c.id)
        .order_by(card.c.id)
    )
    if candidate_ids is not None:
        query = query.where(card.c.candidate_id.in_(list(candidate_ids)))
    if without_reps:
        query = query.where(card.c.candidate_id.not_in(db.select(Hire.candidate_id)))
    rows = _plain_rows(query)
    table = np.array(rows, dtype=np.int64).reshape(len(rows), 3 + len(columns))
    ratings = np.full((len(rows), len(trait_keys)), np.nan)  # a trait key no trait has: not assessed
    ratings[:, [trait_keys.index(key) for key in known]] = _unpacked(table[:, 3:], len(known))
    return cards_from_arrays(trait_keys, table[:, 0], table[:, 1], table[:, 2], ratings)


# Ratings are 1-5 (a CHECK constraint) and a scorecard rates a trait once (a unique constraint),
# so each fits in BITS bits of a sum, 0 meaning "not assessed"; PACKED of them stay under 2**31,
# an INTEGER on PostgreSQL too.
BITS = 3
PACKED = 10


def _unpacked(packed: np.ndarray, n_traits: int) -> np.ndarray:
    """The (scorecards, n_traits) ratings, NaN where not assessed, from the sums of submitted_cards."""
    ratings = np.empty((len(packed), n_traits))
    for k in range(n_traits):
        ratings[:, k] = (packed[:, k // PACKED] >> (BITS * (k % PACKED))) & ((1 << BITS) - 1)
    ratings[ratings == 0] = np.nan
    return ratings


def _plain_rows(query: Select) -> list[tuple]:
    """The query's rows as the driver's plain tuples, on the session's connection (and transaction).

    SQLAlchemy's Row objects cost about a microsecond each to make and again to turn into an
    array; for the hundreds of thousands of scorecards of a ranking that was most of the read.
    Values are rendered into the SQL by SQLAlchemy (ids, enum constants), never from user text.
    """
    connection = db.session.connection()
    sql = str(query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    cursor = connection.connection.cursor()
    try:
        cursor.execute(sql)
        return cursor.fetchall()
    finally:
        cursor.close()


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
