"""Consent to keep candidates for future roles, and what Bench does with a person's data when asked or when it runs out.

A candidate needs consent while they are in the pool without an open application,
unless they were hired (an employee, out of scope here) or are already anonymised.
Consent expires on the date recorded with it, or else CONSENT_MONTHS calendar months
after the last contact (last touch, or when the record was added). Expired consents
are anonymised by ``flask retention --apply``; an admin can also erase a person or
export everything Bench holds on them.

Cut-off dates are computed here in Python, so the queries compare plain columns
and run the same on SQLite and PostgreSQL.
"""

import enum
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from flask import current_app
from sqlalchemy import ColumnElement, Table, and_, delete, func, inspect, or_, select, update

from hiring.audit import record
from hiring.pool_actions import set_activity
from hiring.resume_store import delete_resume_files
from models import (
    Application,
    AuditEntry,
    Candidate,
    CandidateScore,
    ConsentMethod,
    Decision,
    Hire,
    Interview,
    Opening,
    OpeningStatus,
    PeriodResult,
    PoolStatus,
    Rating,
    ResumeFile,
    Scorecard,
    ScorecardRevision,
    SelfIdentification,
    ShortlistEntry,
    StageMove,
    StatusChange,
    Tag,
    Touch,
    User,
    db,
    utcnow,
)
from models.candidate import candidate_tag
from models.search import purge_search_index

ANONYMISED_NAME = "Anonymised candidate {id}"
# An application at this stage is over, so it no longer keeps the candidate for its own purpose.
CLOSED_STAGE = "rejected"
# Identifying fields of the record, emptied by anonymisation (name and notes are replaced separately).
IDENTIFYING_FIELDS = (
    "email", "alt_email", "phone", "location", "linkedin_url", "company", "title", "referrer", "external_id",
    "next_touch_on", "consent_on", "consent_method", "consent_expires_on",
)  # fmt: skip


# Consent ---------------------------------------------------------------------


def consent_months() -> int:
    """How many months consent lasts after the last contact (or after it was given)."""
    return int(current_app.config["CONSENT_MONTHS"])


def months_after(day: date, months: int) -> date:
    """Return the same day ``months`` calendar months later (31 January + 1 month = 28 or 29 February)."""
    return day + relativedelta(months=months)


def last_contact(candidate) -> date:
    """The (UTC) day of the last contact: the last touch, or the day the record was added."""
    return (candidate.last_touch_at or candidate.created_at).astimezone(UTC).date()


def consent_expiry(candidate, months: int | None = None) -> date:
    """The day a candidate's consent expires: the recorded expiry, else ``months`` after the last contact."""
    return candidate.consent_expires_on or months_after(last_contact(candidate), months or consent_months())


def contact_cutoff(day: date, months: int) -> datetime:
    """Return the earliest last-contact moment whose default expiry is on ``day`` or later.

    A contact before it gives consent expiring before ``day``. Months differ in length, so
    the first guess is walked to the exact day (adding months never goes backwards).
    """
    first = day - relativedelta(months=months)
    while months_after(first - timedelta(days=1), months) >= day:
        first -= timedelta(days=1)
    while months_after(first, months) < day:
        first += timedelta(days=1)
    return datetime.combine(first, time.min, UTC)


def needs_consent() -> ColumnElement[bool]:
    """WHERE clause: candidates kept for future roles, who need consent for it."""
    active = [status for status in OpeningStatus if status.active]
    open_applications = (
        select(Application.candidate_id)
        .join(Opening, Application.opening_id == Opening.id)
        .where(Opening.status.in_(active), Application.stage != CLOSED_STAGE)
    )
    return and_(
        Candidate.anonymised_at.is_(None),
        Candidate.status != PoolStatus.HIRED,
        Candidate.id.not_in(select(Hire.candidate_id)),
        Candidate.id.not_in(open_applications),
    )


def expires_between(start: date | None, end: date, months: int) -> ColumnElement[bool]:
    """WHERE clause: consent expires on ``start`` or later (if given) and before ``end``."""
    contact = func.coalesce(Candidate.last_touch_at, Candidate.created_at)
    recorded = [Candidate.consent_expires_on.is_not(None), Candidate.consent_expires_on < end]
    default = [Candidate.consent_expires_on.is_(None), contact < contact_cutoff(end, months)]
    if start is not None:
        recorded.append(Candidate.consent_expires_on >= start)
        default.append(contact >= contact_cutoff(start, months))
    return or_(and_(*recorded), and_(*default))


@dataclass(frozen=True)
class ConsentRow:
    """One candidate on the consents page or in the retention run: who, whose, when consent ends and why."""

    id: int
    name: str
    owner: str | None
    expires_on: date
    why: str


def consent_rows(show: str = "expiring", owner: str = "", sort: str = "expiry", today: date | None = None):
    """Return candidates whose consent expired ("expired") or expires within the warning days ("expiring").

    ``owner`` is a user id, "none" or "" (anyone); ``sort`` is "expiry", "name" or "owner", with "-" for
    descending. Expiry mixes two columns and date arithmetic, so the (light) rows are sorted here, not in SQL.
    """
    today = today or date.today()
    months = consent_months()
    if show == "expired":
        window = expires_between(None, today, months)
    else:
        warning_end = today + timedelta(days=int(current_app.config["CONSENT_WARNING_DAYS"]) + 1)
        window = expires_between(today, warning_end, months)
    query = (
        select(Candidate.id, Candidate.name, User.name.label("owner"))
        .add_columns(Candidate.consent_expires_on, Candidate.last_touch_at, Candidate.created_at)
        .outerjoin(User, Candidate.owner_id == User.id)
        .where(needs_consent(), window)
    )
    if owner == "none":
        query = query.where(Candidate.owner_id.is_(None))
    elif owner:
        query = query.where(Candidate.owner_id == int(owner))
    rows = [consent_row(row, months) for row in db.session.execute(query)]
    return sort_rows(rows, sort)


def consent_row(row, months: int) -> ConsentRow:
    """Build a ConsentRow, with the reason its expiry is what it is."""
    if row.consent_expires_on:
        why = f"consent recorded until {row.consent_expires_on}"
    else:
        contact = last_contact(row)
        why = f"no consent recorded; last contact {contact}, kept {months} months from then"
    return ConsentRow(row.id, row.name, row.owner, consent_expiry(row, months), why)


def sort_rows(rows: list[ConsentRow], sort: str) -> list[ConsentRow]:
    """Sort consent rows by expiry, name or owner (people without an owner last), then by id."""
    key = sort.lstrip("-")
    keys = {
        "expiry": lambda r: (r.expires_on, r.id),
        "name": lambda r: (r.name.casefold(), r.id),
        "owner": lambda r: ((r.owner or "\uffff").casefold(), r.expires_on, r.id),
    }
    return sorted(rows, key=keys.get(key, keys["expiry"]), reverse=sort.startswith("-"))


def renew_consent(candidate: Candidate, given_on: date, method: ConsentMethod) -> date:
    """Record renewed consent (without touching the record's version); return its new expiry."""
    expires_on = months_after(given_on, consent_months())
    set_activity(candidate, consent_on=given_on, consent_method=method, consent_expires_on=expires_on)
    record("candidate.consent_renewed", candidate, details={"method": method.value})
    return expires_on


# Anonymisation ------------------------------------------------------------------


def anonymise(candidate: Candidate, reason: str, purge_index: bool = True) -> None:
    """Remove every identifying field and all free text of a candidate; the caller commits.

    Kept for statistics: ratings and recommendations, stage and status history (without
    reasons), decisions' kinds and model snapshots, the hire and its monthly results,
    the stored model score, shortlist entries (without comments). The self-identification is deleted: its purpose ended,
    and so are the resume files (from disk too) and their text.
    Pass ``purge_index=False`` when anonymising many, and purge the search index once after.
    """
    candidate_id = candidate.id
    tag_ids = [tag.id for tag in candidate.tags]
    for name in IDENTIFYING_FIELDS:
        setattr(candidate, name, None)  # through the validators, which also clear phone and LinkedIn keys
    candidate.name = ANONYMISED_NAME.format(id=candidate_id)
    candidate.notes = ""
    candidate.resume_text = ""
    candidate.tags = []
    candidate.anonymised_at = utcnow()
    db.session.flush()

    session = db.session
    session.execute(delete(Touch).where(Touch.candidate_id == candidate_id))
    session.execute(delete(SelfIdentification).where(SelfIdentification.candidate_id == candidate_id))
    delete_resume_files([candidate_id])  # a resume is all personal data: nothing in it is kept for statistics
    session.execute(delete(ResumeFile).where(ResumeFile.candidate_id == candidate_id))
    for model, column in (
        (StatusChange, "reason"), (Decision, "reason"), (Hire, "override_reason"), (ShortlistEntry, "comment"),
    ):  # fmt: skip
        session.execute(update(model).where(model.candidate_id == candidate_id).values({column: ""}))
    scorecard_ids = select(Scorecard.id).where(Scorecard.candidate_id == candidate_id)
    session.execute(update(Scorecard).where(Scorecard.candidate_id == candidate_id).values(answers={}))
    session.execute(update(Rating).where(Rating.scorecard_id.in_(scorecard_ids)).values(note=""))
    for revision in session.scalars(select(ScorecardRevision).where(ScorecardRevision.scorecard_id.in_(scorecard_ids))):
        revision.reason = ""
        revision.snapshot = scores_only(revision.snapshot)
    drop_unused_tags(tag_ids)
    record("candidate.anonymised", candidate, details={"reason": reason})
    if purge_index:
        purge_search_index(session)


def scores_only(snapshot: dict) -> dict:
    """A scorecard revision's snapshot without its free text: the recommendation and the scores."""
    ratings = snapshot.get("ratings") or {}
    return {
        "recommendation": snapshot.get("recommendation"),
        "answers": {},
        "ratings": {key: [value[0] if value else None, ""] for key, value in ratings.items()},
    }


def drop_unused_tags(tag_ids: list[int]) -> None:
    """Delete those of the tags that no candidate carries any more (a tag can name a person or an event)."""
    if tag_ids:
        db.session.flush()
        db.session.execute(
            delete(Tag).where(Tag.id.in_(tag_ids), Tag.id.not_in(select(candidate_tag.c.tag_id))),
            execution_options={"synchronize_session": False},
        )


def expired_consents(today: date | None = None) -> list[ConsentRow]:
    """The candidates retention would anonymise today, soonest expiry first."""
    return consent_rows(show="expired", today=today)


def anonymise_expired(today: date | None = None) -> int:
    """Anonymise every candidate whose consent has expired; return how many. The caller commits."""
    rows = expired_consents(today)
    for row in rows:
        anonymise(db.session.get(Candidate, row.id), reason="consent_expired", purge_index=False)
    if rows:
        purge_search_index(db.session)
    return len(rows)


# Erasure -----------------------------------------------------------------------


def holdings(candidate_id: int) -> list[tuple[int, str]]:
    """What Bench holds on a person besides the record, as (how many, what) for the erasure page."""
    cid = candidate_id
    scorecards = select(Scorecard.id).where(Scorecard.candidate_id == cid)
    hires = select(Hire.id).where(Hire.candidate_id == cid)
    applications = select(Application.id).where(Application.candidate_id == cid)
    counts = [
        ("touch", "touches", select(Touch.id).where(Touch.candidate_id == cid)),
        ("status change", "status changes", select(StatusChange.id).where(StatusChange.candidate_id == cid)),
        ("application to an opening", "applications to openings", applications),
        ("stage move", "stage moves", select(StageMove.id).where(StageMove.application_id.in_(applications))),
        ("interview", "interviews", select(Interview.id).where(Interview.candidate_id == cid)),
        ("scorecard", "scorecards", scorecards),
        ("rating", "ratings", select(Rating.id).where(Rating.scorecard_id.in_(scorecards))),
        ("hire (as a rep)", "hires", hires),
        ("month of results", "months of results", select(PeriodResult.id).where(PeriodResult.hire_id.in_(hires))),
        ("decision", "decisions", select(Decision.id).where(Decision.candidate_id == cid)),
        ("self-identification", "self-identifications",
         select(SelfIdentification.candidate_id).where(SelfIdentification.candidate_id == cid)),
        ("stored model score", "stored model scores",
         select(CandidateScore.candidate_id).where(CandidateScore.candidate_id == cid)),
        ("resume file", "resume files", select(ResumeFile.id).where(ResumeFile.candidate_id == cid)),
    ]  # fmt: skip
    result = []
    for one, many, query in counts:
        number = db.session.scalar(select(func.count()).select_from(query.subquery()))
        result.append((number, one if number == 1 else many))
    return result


def delete_with_dependents(table: Table, where: ColumnElement[bool]) -> None:
    """Delete the rows of ``table`` matching ``where`` and, first, every row that points at them, at any depth.

    Found from the foreign keys in the metadata, so a table added later cannot keep a person's rows behind.
    """
    for child in db.metadata.sorted_tables:
        for foreign_key in child.foreign_keys:
            if foreign_key.column.table is table and child is not table:
                delete_with_dependents(child, foreign_key.parent.in_(select(foreign_key.column).where(where)))
    db.session.execute(delete(table).where(where), execution_options={"synchronize_session": False})


def erase(candidate: Candidate) -> None:
    """Delete everything Bench holds on a person, and record only that an erasure happened; the caller commits."""
    tag_ids = [tag.id for tag in candidate.tags]
    db.session.flush()
    # The files first: their rows (and so their names on disk) go with the candidate's below.
    delete_resume_files([candidate.id])
    db.session.expunge(candidate)
    delete_with_dependents(Candidate.__table__, Candidate.__table__.c.id == candidate.id)
    drop_unused_tags(tag_ids)
    purge_search_index(db.session)
    # No target and no details: a record that an erasure happened and when, not of whom or what.
    record("person.erased")


# Access requests ----------------------------------------------------------------


def plain(value):
    """Return a value as JSON can hold it."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def columns_of(row, skip: tuple[str, ...] = ()) -> dict:
    """Return every column of an ORM object as JSON-ready values."""
    return {
        attribute.key: plain(getattr(row, attribute.key))
        for attribute in inspect(row).mapper.column_attrs
        if attribute.key not in skip
    }


def user_name(user: User | None) -> str | None:
    """The name of a colleague, for readers of an export."""
    return user.name if user is not None else None


def person_data(candidate: Candidate) -> dict:
    """Return everything Bench holds on a person, as JSON-ready data (for an access request)."""
    cid = candidate.id

    def rows(model, *order):
        return db.session.scalars(select(model).where(model.candidate_id == cid).order_by(*order)).all()

    hire = db.session.scalar(select(Hire).where(Hire.candidate_id == cid))
    identification = db.session.get(SelfIdentification, cid)
    score = db.session.get(CandidateScore, cid)
    audit = db.session.execute(
        select(AuditEntry.at, AuditEntry.action)
        .where(AuditEntry.target_type == "Candidate", AuditEntry.target_id == str(cid))
        .order_by(AuditEntry.at, AuditEntry.id)
    )
    return {
        "exported_at": utcnow().isoformat(),
        "candidate": {
            **columns_of(candidate, skip=("search_text", "version")),
            "owner": user_name(candidate.owner),
            "consent_expires_on_effective": consent_expiry(candidate).isoformat(),
        },
        "tags": candidate.tag_names,
        "touches": [{**columns_of(t), "author": user_name(t.author)} for t in rows(Touch, Touch.at, Touch.id)],
        "status_history": [
            {**columns_of(s), "changed_by": user_name(s.changed_by)}
            for s in rows(StatusChange, StatusChange.at, StatusChange.id)
        ],
        "applications": [application_data(a) for a in rows(Application, Application.created_at, Application.id)],
        "interviews": [interview_data(i) for i in rows(Interview, Interview.scheduled_at, Interview.id)],
        "hire": hire_data(hire) if hire else None,
        "self_identification": columns_of(identification) if identification else None,
        "decisions": [
            {**columns_of(d), "decided_by": user_name(d.decided_by)}
            for d in rows(Decision, Decision.decided_at, Decision.id)
        ],
        "model_score": {**columns_of(score), "model_version": score.model_version.number} if score else None,
        "resume_files": [resume_data(r) for r in rows(ResumeFile, ResumeFile.uploaded_at, ResumeFile.id)],
        "audit_log": [{"at": plain(entry.at), "action": entry.action} for entry in audit],
    }


def resume_data(resume: ResumeFile) -> dict:
    """A resume file as the person may see it listed (its text is in the record's resume_text)."""
    return {
        "name": resume.original_name,
        "kind": resume.kind.value,
        "size": resume.size,
        "sha256": resume.sha256,
        "source": resume.source,
        "uploaded_at": plain(resume.uploaded_at),
    }


def application_data(application: Application) -> dict:
    """An application with its opening's title and its stage moves."""
    moves = db.session.scalars(
        select(StageMove).where(StageMove.application_id == application.id).order_by(StageMove.at, StageMove.id)
    )
    return {
        **columns_of(application),
        "opening": application.opening.title,
        "stage_moves": [{**columns_of(m), "moved_by": user_name(m.moved_by)} for m in moves],
    }


def interview_data(interview: Interview) -> dict:
    """An interview with its scorecards, their ratings, notes and revisions."""
    return {
        **columns_of(interview, skip=("version",)),
        "opening": interview.opening.title if interview.opening else None,
        "scorecards": [
            {
                **columns_of(card, skip=("version",)),
                "interviewer": user_name(card.interviewer),
                "ratings": [
                    {"trait": r.trait.key, "trait_name": r.trait.name, "score": r.score, "note": r.note}
                    for r in sorted(card.ratings, key=lambda r: r.trait.key)
                ],
                "revisions": [
                    columns_of(revision)
                    for revision in db.session.scalars(
                        select(ScorecardRevision)
                        .where(ScorecardRevision.scorecard_id == card.id)
                        .order_by(ScorecardRevision.revision)
                    )
                ],
            }
            for card in interview.scorecards
        ],
    }


def hire_data(hire: Hire) -> dict:
    """A hire with its monthly results."""
    return {
        **columns_of(hire, skip=("version",)),
        "results": [{**columns_of(r), "attainment": round(r.attainment, 4)} for r in hire.results],
    }
