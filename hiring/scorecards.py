"""Scorecards: planning interviews, saving and submitting ratings, revisions, independence, combined view."""

from collections import Counter
from dataclasses import dataclass, field
from statistics import mean

from sqlalchemy.orm import selectinload

from hiring.audit import record
from models import (
    Candidate,
    Interview,
    InterviewKind,
    InterviewStatus,
    Rating,
    Recommendation,
    Role,
    Scorecard,
    ScorecardRevision,
    ScorecardStatus,
    ScorecardTemplate,
    TemplateItem,
    User,
    db,
    utcnow,
)

# Ratings this far apart (max - min) on one trait flag a disagreement worth discussing.
DISAGREEMENT_SPREAD = 2


def plan_interview(candidate: Candidate, form, actor: User) -> Interview | None:
    """Schedule an interview and give each interviewer a draft scorecard on the chosen template.

    Returns None, planning nothing, if the same interview (candidate, type, time) is already
    planned: a double click or a second tab must not give interviewers two to-dos.
    """
    kind = InterviewKind(form.kind.data)
    scheduled_at = form.scheduled_at.data.replace(tzinfo=utcnow().tzinfo)
    duplicate = db.session.scalar(
        db.select(Interview.id).where(
            Interview.candidate_id == candidate.id,
            Interview.kind == kind,
            Interview.scheduled_at == scheduled_at,
            Interview.status == InterviewStatus.SCHEDULED,
        )
    )
    if duplicate is not None:
        return None
    interview = Interview(
        candidate_id=candidate.id,
        opening_id=form.opening_id.data,
        kind=kind,
        scheduled_at=scheduled_at,
        template_id=form.template_id.data,
        created_by_id=actor.id,
    )
    db.session.add(interview)
    db.session.flush()
    for interviewer_id in dict.fromkeys(form.interviewers.data):
        db.session.add(
            Scorecard(
                interview_id=interview.id,
                interviewer_id=interviewer_id,
                candidate_id=candidate.id,
                template_id=interview.template_id,
            )
        )
    record("interview.planned", interview, details={"interviewers": list(dict.fromkeys(form.interviewers.data))})
    return interview


def cancel_interview(interview: Interview) -> None:
    """Cancel an interview; its draft scorecards can no longer be submitted (submitted ones stay)."""
    interview.status = InterviewStatus.CANCELLED
    record("interview.cancelled", interview)


def snapshot(scorecard: Scorecard) -> dict:
    """Return what a scorecard says now, to keep as a revision before it is changed."""
    return {
        "recommendation": scorecard.recommendation.value if scorecard.recommendation else None,
        "answers": dict(scorecard.answers),
        "ratings": {r.trait.key: [r.score, r.note] for r in scorecard.ratings},
    }


def save_scorecard(scorecard: Scorecard, form, actor: User) -> str:
    """Save a draft, submit it, or revise a submitted scorecard (keeping a revision); return what happened."""
    template = scorecard.template
    outcome = "saved"
    if scorecard.submitted:
        scorecard.revision += 1
        db.session.add(
            ScorecardRevision(
                scorecard_id=scorecard.id,
                revision=scorecard.revision,
                reason=form.reason.data,
                snapshot=snapshot(scorecard),
                edited_by_id=actor.id,
            )
        )
        outcome = "revised"
    ratings = {rating.trait_id: rating for rating in scorecard.ratings}
    for item in template.items:
        raw = getattr(form, f"rating_{item.trait_id}").data
        rating = ratings.get(item.trait_id) or Rating(trait_id=item.trait_id)
        rating.score = int(raw) if raw else None
        rating.note = getattr(form, f"note_{item.trait_id}").data or ""
        if rating.id is None:
            scorecard.ratings.append(rating)
    scorecard.answers = {
        prompt: getattr(form, f"answer_{number}").data or "" for number, prompt in enumerate(template.prompts)
    }
    scorecard.recommendation = Recommendation(form.recommendation.data) if form.recommendation.data else None
    # Ratings are child rows: touch the scorecard itself so that its version is checked and bumped
    # even when only ratings changed (two tabs must not overwrite each other).
    scorecard.updated_at = utcnow()
    if form.action.data == "submit" and not scorecard.submitted:
        scorecard.status = ScorecardStatus.SUBMITTED
        scorecard.submitted_at = utcnow()
        outcome = "submitted"
    if outcome != "saved":
        record(f"scorecard.{outcome}", scorecard, details={"revision": scorecard.revision})
    return outcome


def claim_submission(scorecard: Scorecard) -> bool:
    """Mark a draft submitted in the database if it still is a draft; return False if it was submitted already.

    A conditional UPDATE: of two tabs submitting at once, the second waits for the first (a row lock
    on PostgreSQL, the write lock on SQLite), then finds no draft left to update. The version is left
    alone, so that the rest of the save still checks the version its form started from.
    """
    claimed = db.session.execute(
        db.update(Scorecard)
        .where(Scorecard.id == scorecard.id, Scorecard.status == ScorecardStatus.DRAFT)
        .values(status=ScorecardStatus.SUBMITTED)
        .execution_options(synchronize_session=False)  # save_scorecard still sees the draft it submits
    )
    return claimed.rowcount == 1


def has_submitted(candidate_id: int, user: User) -> bool:
    """Return True if ``user`` has submitted a scorecard for this candidate."""
    return (
        db.session.scalar(
            db.select(Scorecard.id).where(
                Scorecard.candidate_id == candidate_id,
                Scorecard.interviewer_id == user.id,
                Scorecard.status == ScorecardStatus.SUBMITTED,
            )
        )
        is not None
    )


def visible_scorecards(candidate_id: int, viewer: User) -> list[Scorecard]:
    """Submitted scorecards for a candidate that ``viewer`` may read.

    Managers and admins see all. An interviewer sees none until they have
    submitted their own for this candidate: independent ratings first.
    """
    if viewer.role == Role.INTERVIEWER and not has_submitted(candidate_id, viewer):
        return []
    return submitted_scorecards_of([candidate_id])[candidate_id]


def submitted_scorecards_of(candidate_ids: list[int]) -> dict[int, list[Scorecard]]:
    """Every submitted scorecard of these candidates, with what combining them needs, grouped by candidate.

    A fixed number of queries whatever the number of candidates; the caller checks who may read them.
    """
    cards = db.session.scalars(
        db.select(Scorecard)
        .where(Scorecard.candidate_id.in_(candidate_ids), Scorecard.status == ScorecardStatus.SUBMITTED)
        .options(
            selectinload(Scorecard.ratings).selectinload(Rating.trait),
            selectinload(Scorecard.interviewer),
            selectinload(Scorecard.interview),
            selectinload(Scorecard.template).selectinload(ScorecardTemplate.items).selectinload(TemplateItem.trait),
        )
        .order_by(Scorecard.submitted_at, Scorecard.id)
    )
    grouped: dict[int, list[Scorecard]] = {candidate_id: [] for candidate_id in candidate_ids}
    for card in cards:
        grouped[card.candidate_id].append(card)
    return grouped


@dataclass
class TraitRow:
    """One trait across the submitted scorecards: each rating and note, the mean and the spread."""

    name: str
    cells: list[tuple[int | None, str]] = field(default_factory=list)

    @property
    def scores(self) -> list[int]:
        """The ratings given (blanks left out)."""
        return [score for score, _ in self.cells if score is not None]

    @property
    def mean(self) -> float | None:
        """The mean of the ratings given: the fixed rule that combines them."""
        return round(mean(self.scores), 2) if self.scores else None

    @property
    def spread(self) -> int | None:
        """Highest minus lowest rating."""
        return max(self.scores) - min(self.scores) if self.scores else None

    @property
    def disagreement(self) -> bool:
        """True when interviewers are DISAGREEMENT_SPREAD or more points apart."""
        return self.spread is not None and self.spread >= DISAGREEMENT_SPREAD


@dataclass
class CombinedView:
    """Submitted scorecards side by side, trait by trait, with the recommendations tally."""

    scorecards: list[Scorecard]
    rows: list[TraitRow]
    tally: dict[Recommendation, int]


def combined_view(scorecards: list[Scorecard]) -> CombinedView:
    """Combine submitted scorecards: per trait each rating, the mean and spread; the recommendations tally."""
    rows: dict[int, TraitRow] = {}
    for scorecard in scorecards:  # traits in template order; versions may add or drop some
        for item in scorecard.template.items:
            rows.setdefault(item.trait_id, TraitRow(item.trait.name))
    for scorecard in scorecards:
        by_trait = {rating.trait_id: rating for rating in scorecard.ratings}
        for trait_id, row in rows.items():
            rating = by_trait.get(trait_id)
            row.cells.append((rating.score, rating.note) if rating else (None, ""))
    counts = Counter(s.recommendation for s in scorecards if s.recommendation)
    tally = {choice: counts.get(choice, 0) for choice in Recommendation}
    return CombinedView(scorecards, list(rows.values()), tally)


def interviews_of(candidate_id: int) -> list[Interview]:
    """A candidate's interviews with their scorecards and interviewers, newest first."""
    return list(
        db.session.scalars(
            db.select(Interview)
            .where(Interview.candidate_id == candidate_id)
            .options(selectinload(Interview.scorecards).joinedload(Scorecard.interviewer))
            .order_by(Interview.scheduled_at.desc())
        )
    )


def template_with_traits(template_id: int) -> ScorecardTemplate:
    """A template version with its ordered items and their traits, in two queries."""
    return db.session.scalars(
        db.select(ScorecardTemplate)
        .where(ScorecardTemplate.id == template_id)
        .options(selectinload(ScorecardTemplate.items).joinedload(TemplateItem.trait))
    ).one()


def revisions_of(candidate_id: int) -> list[ScorecardRevision]:
    """Every revision of the candidate's submitted scorecards, oldest first (managers see the trail)."""
    return list(
        db.session.scalars(
            db.select(ScorecardRevision)
            .join(Scorecard)
            .where(Scorecard.candidate_id == candidate_id)
            .options(selectinload(ScorecardRevision.edited_by))
            .order_by(ScorecardRevision.at, ScorecardRevision.id)
        )
    )
