"""Interviewer calibration: who rates high or low compared with colleagues who saw the same candidates."""

from dataclasses import dataclass, field

from sqlalchemy import Float, case, cast, func

from models import Rating, Scorecard, ScorecardStatus, Trait, User, db


@dataclass
class TraitCalibration:
    """One interviewer on one trait."""

    mean: float | None  # their mean rating
    offset: float | None  # mean of (their rating - colleagues' mean on the same candidate); > 0 lenient
    compared: int  # ratings that had colleagues' ratings to compare with


@dataclass
class InterviewerCalibration:
    """One interviewer across traits."""

    interviewer: User
    scorecards: int
    blank_share: float  # share of traits left "not assessed"
    traits: dict[int, TraitCalibration] = field(default_factory=dict)

    @property
    def overall_offset(self) -> float | None:
        """The mean offset over traits with comparisons, weighted by comparisons."""
        pairs = [(t.offset, t.compared) for t in self.traits.values() if t.offset is not None]
        total = sum(count for _, count in pairs)
        return round(sum(offset * count for offset, count in pairs) / total, 2) if total else None


def calibration() -> tuple[list[Trait], list[InterviewerCalibration]]:
    """Compute every interviewer's calibration from submitted scorecards, in three aggregate queries."""
    submitted = Scorecard.status == ScorecardStatus.SUBMITTED
    cards = db.session.execute(
        db.select(
            Scorecard.interviewer_id,
            func.count(func.distinct(Scorecard.id)),
            func.count(Rating.id),
            func.count(Rating.score),
        )
        .join(Rating, Rating.scorecard_id == Scorecard.id)
        .where(submitted)
        .group_by(Scorecard.interviewer_id)
    ).all()
    # Colleagues' ratings of the same candidate and trait: the sum and count of all ratings (window
    # functions over one pass of the ratings), from which each rating removes itself.
    colleagues = (Scorecard.candidate_id, Rating.trait_id)
    ratings = (
        db.select(
            Scorecard.interviewer_id,
            Rating.trait_id,
            Rating.score,
            func.sum(Rating.score).over(partition_by=colleagues).label("total"),
            func.count(Rating.score).over(partition_by=colleagues).label("n"),
        )
        .join(Rating, Rating.scorecard_id == Scorecard.id)
        .where(submitted, Rating.score.is_not(None))
        .subquery()
    )
    others_mean = cast(ratings.c.total - ratings.c.score, Float) / (ratings.c.n - 1)
    has_others = ratings.c.n > 1
    per_trait = db.session.execute(
        db.select(
            ratings.c.interviewer_id,
            ratings.c.trait_id,
            func.avg(cast(ratings.c.score, Float)),
            func.avg(case((has_others, ratings.c.score - others_mean))),
            func.sum(case((has_others, 1), else_=0)),
        ).group_by(ratings.c.interviewer_id, ratings.c.trait_id)
    ).all()
    users = {u.id: u for u in db.session.scalars(db.select(User).where(User.id.in_([c[0] for c in cards])))}
    result = {
        interviewer_id: InterviewerCalibration(users[interviewer_id], count, round(1 - scored / rated, 2))
        for interviewer_id, count, rated, scored in cards
    }
    for interviewer_id, trait_id, mean, offset, compared in per_trait:
        result[interviewer_id].traits[trait_id] = TraitCalibration(
            round(mean, 2), round(offset, 2) if offset is not None else None, int(compared)
        )
    trait_ids = {trait_id for row in result.values() for trait_id in row.traits}
    traits = list(db.session.scalars(db.select(Trait).where(Trait.id.in_(trait_ids)).order_by(Trait.name)))
    return traits, sorted(result.values(), key=lambda row: row.interviewer.name)
