"""Small helpers that make records with sensible defaults (call inside an app context)."""

from datetime import datetime, timedelta
from functools import cache
from itertools import count

from werkzeug.security import generate_password_hash

from models import (
    Candidate,
    Interview,
    InterviewKind,
    Opening,
    OpeningStatus,
    Rating,
    Recommendation,
    Role,
    Scorecard,
    ScorecardStatus,
    ScorecardTemplate,
    Trait,
    User,
    db,
    utcnow,
)
from models.candidate import tags_named

PASSWORD = "correct horse battery"
_numbers = count(1)


@cache
def _password_hash(password: str) -> str:
    # scrypt takes ~0.1 s; hashing each distinct test password once keeps the suite fast.
    return generate_password_hash(password)


def make_user(role: Role = Role.MANAGER, *, password: str | None = PASSWORD, **overrides) -> User:
    """Create and commit a user; ``password=None`` makes an invited user without one."""
    number = next(_numbers)
    fields = {"email": f"user{number}@example.com", "name": f"User {number}", "role": role}
    fields.update(overrides)
    user = User(**fields)
    user.password_hash = _password_hash(password) if password is not None else None
    db.session.add(user)
    db.session.commit()
    # Loaded and detached: later commits do not expire it, so tests can read
    # it anywhere; to change it, fetch it again with db.session.get().
    db.session.refresh(user)
    db.session.expunge(user)
    return user


def sign_in_as(client, user: User) -> None:
    """Put ``user`` in the client's session without going through the form."""
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


def make_candidate(**overrides) -> Candidate:
    """Create and commit a candidate; ``tags`` may be a list of names."""
    number = next(_numbers)
    tag_names = overrides.pop("tags", [])
    fields = {"name": f"Candidate {number}", "email": f"candidate{number}@example.org"}
    fields.update(overrides)
    candidate = Candidate(**fields)
    candidate.tags = tags_named(tag_names)
    db.session.add(candidate)
    db.session.commit()
    db.session.refresh(candidate)
    candidate.tags  # noqa: B018 - load before detaching
    db.session.expunge(candidate)
    return candidate


def make_opening(**overrides) -> Opening:
    """Create and commit an opening."""
    number = next(_numbers)
    fields = {"title": f"Account Executive {number}", "status": OpeningStatus.OPEN}
    fields.update(overrides)
    opening = Opening(**fields)
    db.session.add(opening)
    db.session.commit()
    db.session.refresh(opening)
    db.session.expunge(opening)
    return opening


def current_template_id() -> int:
    """The id of the scorecard template new interviews use."""
    return db.session.scalar(db.select(ScorecardTemplate.id).where(ScorecardTemplate.is_current.is_(True)))


def make_interview(
    candidate_id: int,
    interviewer_ids: list[int],
    kind: InterviewKind = InterviewKind.BEHAVIOURAL,
    scheduled_at: datetime | None = None,
) -> Interview:
    """Create and commit an interview (tomorrow, unless ``scheduled_at``) with a draft scorecard per interviewer."""
    template_id = current_template_id()
    interview = Interview(
        candidate_id=candidate_id,
        kind=kind,
        scheduled_at=scheduled_at or utcnow() + timedelta(days=1),
        template_id=template_id,
    )
    interview.scorecards = [
        Scorecard(interviewer_id=user_id, candidate_id=candidate_id, template_id=template_id)
        for user_id in interviewer_ids
    ]
    db.session.add(interview)
    db.session.commit()
    return interview


def make_scorecard(candidate_id: int, interviewer_id: int, scores: dict, recommendation="yes", submitted=True):
    """Create and commit an interview with one scorecard; ``scores`` maps trait keys to 1-5 or None."""
    template_id = current_template_id()
    interview = Interview(
        candidate_id=candidate_id, kind=InterviewKind.BEHAVIOURAL, scheduled_at=utcnow(), template_id=template_id
    )
    db.session.add(interview)
    db.session.flush()
    traits = {trait.key: trait.id for trait in db.session.scalars(db.select(Trait))}
    card = Scorecard(
        interview_id=interview.id,
        interviewer_id=interviewer_id,
        candidate_id=candidate_id,
        template_id=template_id,
        recommendation=Recommendation(recommendation) if recommendation else None,
        status=ScorecardStatus.SUBMITTED if submitted else ScorecardStatus.DRAFT,
        submitted_at=utcnow() if submitted else None,
        ratings=[Rating(trait_id=traits[key], score=score) for key, score in scores.items()],
    )
    db.session.add(card)
    db.session.commit()
    return card.id
