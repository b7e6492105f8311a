"""What managers do to candidates: add, edit, change status, log touches, add to openings, act in bulk.

Each function changes the session and writes its audit entry; the caller commits.
Activity (status, touches, next touch) is written with plain UPDATEs that leave
the record's version alone, so logging a call never makes a colleague's open
edit form conflict: only edits of the record itself do.
"""

from datetime import date, datetime, timedelta

from sqlalchemy import update

from hiring.audit import record
from hiring.decision_records import record_decision, status_decision
from models import (
    Application,
    Candidate,
    Opening,
    PoolStatus,
    StageMove,
    StatusChange,
    Touch,
    TouchKind,
    User,
    db,
    utcnow,
)
from models.candidate import tags_named

# The same touch logged again within this time is a double click, not a second call.
DOUBLE_CLICK_WINDOW = timedelta(seconds=30)
# The reason on the first status of a candidate an import created.
IMPORTED = "Imported"
RECORD_FIELDS = (
    "name", "email", "alt_email", "phone", "location", "linkedin_url", "company", "title", "segment",
    "typical_deal_size", "sales_cycle_days", "quota_years", "past_attainment_pct", "attainment_verified", "source",
    "referrer", "owner_id", "notes", "external_id", "next_touch_on", "consent_on", "consent_method",
    "consent_expires_on",
)  # fmt: skip


def split_tags(text: str | None) -> list[str]:
    """Split "a, b; c" into tag names."""
    return [part for part in (text or "").replace(";", ",").split(",") if part.strip()]


def set_activity(candidate: Candidate, **values) -> None:
    """Write activity columns without bumping the record's version, and keep the loaded object in step."""
    db.session.execute(
        update(Candidate).where(Candidate.id == candidate.id).values(**values, updated_at=utcnow()),
        execution_options={"synchronize_session": False},
    )
    for name, value in values.items():
        # Set the loaded attribute without marking it changed (the UPDATE above wrote it).
        candidate.__dict__[name] = value


def fill_record(candidate: Candidate, form) -> list[str]:
    """Copy the record fields of a candidate form onto ``candidate``; return the names that changed."""
    # Look the tags up first: the query would otherwise flush the half-copied record (a second UPDATE).
    new_tags = tags_named(split_tags(form.tags.data))
    changed = []
    for name in RECORD_FIELDS:
        value = getattr(form, name).data
        if value == "":
            value = None
        if name == "notes":
            value = value or ""
        if getattr(candidate, name) != value:
            setattr(candidate, name, value)
            changed.append(name)
    if [t.name for t in new_tags] != candidate.tag_names:
        candidate.tags = new_tags
        changed.append("tags")
    return changed


def create_candidate(form, actor: User) -> Candidate:
    """Add a candidate from the new-candidate form, with the first line of their status history."""
    candidate = Candidate(status=PoolStatus(form.status.data))
    fill_record(candidate, form)
    db.session.add(candidate)
    db.session.flush()
    db.session.add(
        StatusChange(candidate_id=candidate.id, to_status=candidate.status, reason="Added", changed_by_id=actor.id)
    )
    record("candidate.created", candidate)
    return candidate


def add_imported_candidate(candidate: Candidate, actor: User | None, via: str) -> Candidate:
    """Add a candidate an import created, with the first line of their status history; audited."""
    db.session.add(candidate)
    db.session.flush()
    db.session.add(
        StatusChange(
            candidate_id=candidate.id,
            to_status=candidate.status,
            reason=IMPORTED,
            changed_by_id=actor.id if actor else None,
        )
    )
    record("candidate.created", candidate, actor=actor, details={"via": via})
    return candidate


def change_status(
    candidate: Candidate, status: PoolStatus, reason: str, actor: User | None, *, decided: bool = False
) -> bool:
    """Move a candidate to ``status`` and keep the change in the history; False if it was already so.

    Rejecting, hiring and moving forward (prospect → engaged → interviewing → offer) also record the
    person's decision, unless ``decided``: the caller recorded it already (a board move, with its opening).
    """
    previous = candidate.status
    if previous == status:
        return False
    kind = None if decided else status_decision(previous, status)
    if kind is not None:
        # Before the status is written: the decision keeps the fit score the person saw.
        record_decision(candidate, kind, actor, reason, from_state=previous.label, to_state=status.label)
    db.session.add(
        StatusChange(
            candidate_id=candidate.id, from_status=previous, to_status=status, reason=reason or "",
            changed_by_id=actor.id if actor else None,
        )
    )  # fmt: skip
    set_activity(candidate, status=status)
    record("candidate.status_changed", candidate, details={"from": previous.value, "to": status.value})
    return True


def repeated_touch(candidate: Candidate, kind: TouchKind, summary: str, actor: User) -> bool:
    """Return True if the same person logged the same touch moments ago (a double click or a resent form)."""
    since = utcnow() - DOUBLE_CLICK_WINDOW
    return (
        db.session.scalar(
            db.select(Touch.id).where(
                Touch.candidate_id == candidate.id,
                Touch.author_id == actor.id,
                Touch.kind == kind,
                Touch.summary == (summary or ""),
                Touch.at >= since,
            )
        )
        is not None
    )


def log_touch(candidate: Candidate, kind: TouchKind, summary: str, actor: User, next_touch_on: date | None) -> Touch:
    """Record a touch; it moves last-touch to now and, if given, sets the next touch."""
    touch = Touch(candidate_id=candidate.id, kind=kind, summary=summary or "", author_id=actor.id, at=utcnow())
    db.session.add(touch)
    values: dict[str, date | datetime | None] = {"last_touch_at": touch.at}
    if next_touch_on:
        values["next_touch_on"] = next_touch_on
    set_activity(candidate, **values)
    record("candidate.touched", candidate, details={"kind": kind.value})
    return touch


def set_next_touch(candidate: Candidate, next_touch_on: date | None) -> None:
    """Set or clear the date of the next touch."""
    set_activity(candidate, next_touch_on=next_touch_on)
    record("candidate.next_touch_set", candidate)


def add_to_opening(candidate_ids: list[int], opening: Opening, actor: User) -> int:
    """Consider candidates for an opening at its first stage; return how many were added (others already were)."""
    already = set(
        db.session.scalars(
            db.select(Application.candidate_id).where(
                Application.opening_id == opening.id, Application.candidate_id.in_(candidate_ids)
            )
        )
    )
    added = 0
    for candidate_id in candidate_ids:
        if candidate_id in already:
            continue
        application = Application(
            candidate_id=candidate_id, opening_id=opening.id, stage=opening.stages[0], added_by_id=actor.id
        )
        db.session.add(application)
        db.session.flush()
        db.session.add(StageMove(application_id=application.id, to_stage=application.stage, moved_by_id=actor.id))
        added += 1
    record("opening.candidates_added", opening, details={"count": added})
    return added


def bulk_apply(form, actor: User) -> int:
    """Apply the bulk form's action to its candidates; return how many candidates it changed."""
    ids = list(dict.fromkeys(form.ids.data))
    candidates = db.session.scalars(db.select(Candidate).where(Candidate.id.in_(ids))).all()
    action = form.action.data
    if action == "opening":
        return add_to_opening([c.id for c in candidates], db.get_or_404(Opening, int(form.opening.data)), actor)
    changed = 0
    tag = tags_named([form.tag.data])[0] if action == "tag" else None
    for candidate in candidates:
        if action == "tag":
            if tag.name not in candidate.tag_names:
                candidate.tags.append(tag)
                changed += 1
        elif action == "owner":
            owner_id = None if form.owner.data == "none" else int(form.owner.data)
            if candidate.owner_id != owner_id:
                candidate.owner_id = owner_id
                changed += 1
        elif action == "next_touch":
            set_activity(candidate, next_touch_on=form.next_touch_on.data)
            changed += 1
    record("candidates.bulk_updated", details={"action": action, "count": changed, "ids": [c.id for c in candidates]})
    return changed
