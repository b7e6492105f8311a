"""Merging two candidate records that are the same person."""

from dataclasses import dataclass

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from hiring.access import allow
from hiring.audit import record
from hiring.duplicates import reasons_between
from hiring.errors import render_error
from hiring.forms import CONFLICT_MESSAGE
from hiring.merge_fields import BOTH, MERGE_FIELDS, OTHER, combined_notes, default_choice
from hiring.merge_forms import MergeForm
from hiring.merge_pairs import duplicate_pairs_page
from hiring.ranking import rank_candidates
from hiring.resume_files import merge_resumes
from hiring.shortlists import merge_entries
from models import (
    Application,
    AuditEntry,
    Candidate,
    CandidateScore,
    Decision,
    Hire,
    Interview,
    Role,
    Scorecard,
    SelfIdentification,
    StageMove,
    StatusChange,
    Touch,
    User,
    db,
    utcnow,
)

bp = Blueprint("merge", __name__, url_prefix="/candidates")

# Columns with a unique index, or used to find a person by: they must leave the
# merged record before the survivor takes them, or the flush would collide.
IDENTIFYING_COLUMNS = ("email", "alt_email", "external_id")


@dataclass(frozen=True)
class MergeResult:
    """What a merge did: the fields taken from the merged record and the rows moved onto the survivor."""

    fields_from_merged: list[str]
    touches: int
    status_changes: int
    applications: int
    interviews: int
    scorecards: int
    hire_moved: bool = False

    def moved(self) -> str:
        """Say what moved onto the survivor, e.g. "3 touches, 1 status change, 2 openings and 1 interview"."""
        return (
            f"{plural(self.touches, 'touch', 'touches')}, "
            f"{plural(self.status_changes, 'status change', 'status changes')}, "
            f"{plural(self.applications, 'opening', 'openings')}"
            + (", " if self.hire_moved else " and ")
            + plural(self.interviews, "interview", "interviews")
            + (" and the hire with its results" if self.hire_moved else "")
        )


class MergeRefused(ValueError):
    """The two records cannot be merged as they are; the message says why, for the user."""


def refusal(survivor: Candidate, other: Candidate) -> str | None:
    """Say why the two records cannot be merged, or return None if they can."""
    hired = db.session.scalar(
        db.select(func.count()).select_from(Hire).where(Hire.candidate_id.in_([survivor.id, other.id]))
    )
    if hired == 2:
        return (
            "Both records have a hire with its own monthly results, and Bench cannot tell which is right. "
            "Nothing was merged. Delete the wrong hire's results, or keep the two records apart."
        )
    return None


def plural(number: int, singular: str, plural_form: str) -> str:
    """Return a count with its noun, singular or plural as the count asks."""
    return f"{number} {singular if number == 1 else plural_form}"


def stage_rank(application: Application) -> int:
    """Return how far an application got in its opening; rejected counts as least advanced."""
    stages = application.opening.stages
    if application.stage == "rejected":
        return -1
    return stages.index(application.stage) if application.stage in stages else 0


def chosen_values(survivor: Candidate, other: Candidate, choices: dict[str, str]) -> tuple[dict, list[str]]:
    """Return the attribute values the survivor takes from ``other``, and the names of those fields."""
    values, from_merged = {}, []
    for field in MERGE_FIELDS:
        choice = choices.get(field.key) or default_choice(field, survivor, other)
        if choice == BOTH and field.key == "notes":
            notes = combined_notes(survivor.notes, other.notes)
            if notes != survivor.notes:
                values["notes"] = notes
                from_merged.append(field.key)
        elif choice == OTHER and field.differs(survivor, other):
            values.update(zip(field.attributes, field.values(other), strict=True))
            from_merged.append(field.key)
    return values, from_merged


def move_rows(model, from_id: int, to_id: int) -> int:
    """Point every row of ``model`` from one candidate to another; return how many moved."""
    return db.session.execute(db.update(model).where(model.candidate_id == from_id).values(candidate_id=to_id)).rowcount


def merge_applications(survivor: Candidate, other: Candidate) -> int:
    """Move the other record's applications to the survivor, keeping the more advanced one per opening."""
    kept_by_opening = {
        application.opening_id: application
        for application in db.session.scalars(db.select(Application).where(Application.candidate_id == survivor.id))
    }
    for application in db.session.scalars(db.select(Application).where(Application.candidate_id == other.id)).all():
        mine = kept_by_opening.get(application.opening_id)
        if mine is None:
            continue
        # Ties (both rejected, or the same stage) keep the survivor's application.
        kept, dropped = (application, mine) if stage_rank(application) > stage_rank(mine) else (mine, application)
        db.session.execute(
            db.update(StageMove).where(StageMove.application_id == dropped.id).values(application_id=kept.id)
        )
        kept.created_at = min(kept.created_at, dropped.created_at)  # considered since the first of the two
        db.session.delete(dropped)
    db.session.flush()  # the dropped rows must be gone before the unique (candidate, opening) pairs move
    moved = db.session.execute(
        db.update(Application).where(Application.candidate_id == other.id).values(candidate_id=survivor.id)
    )
    return moved.rowcount


def merge_candidates(
    survivor: Candidate, other: Candidate, choices: dict[str, str], actor: User | None = None
) -> MergeResult:
    """Merge ``other`` into ``survivor`` and delete it, in the session's transaction; the caller commits.

    ``choices`` maps a merge field's key to SURVIVOR, OTHER or BOTH (notes only);
    fields left out take their default. History, applications and tags move to
    the survivor, and the merge is recorded in the audit log.
    """
    if survivor.id == other.id:
        raise ValueError("a record cannot be merged with itself")
    if problem := refusal(survivor, other):
        raise MergeRefused(problem)
    values, from_merged = chosen_values(survivor, other, choices)
    tags = [*survivor.tags, *(tag for tag in other.tags if tag not in survivor.tags)]
    last_touch_at = max(filter(None, (survivor.last_touch_at, other.last_touch_at)), default=None)

    for column in IDENTIFYING_COLUMNS:
        setattr(other, column, None)
    # Write both records first, in one flush (which updates rows in id order), so that their versions
    # are checked even when no value changes, and a merge of the same pair racing this one, in either
    # direction, waits for it on the first row instead of deadlocking, then fails its version check.
    survivor.updated_at = other.updated_at = utcnow()
    db.session.flush()
    for attribute, value in values.items():
        setattr(survivor, attribute, value)  # through the model's validators, which keep phone and LinkedIn keys
    survivor.tags = tags
    survivor.last_touch_at = last_touch_at

    # Every table pointing at candidates must be listed here: deleting the
    # merged record cascades to whatever rows are left on it.
    moved = [move_rows(model, other.id, survivor.id) for model in (Touch, StatusChange, Interview, Scorecard)]
    applications = merge_applications(survivor, other)
    hire_moved = move_rows(Hire, other.id, survivor.id) > 0  # at most one: refusal() checked both
    move_rows(Decision, other.id, survivor.id)  # decisions about the person stay on record
    # Self-identification: the survivor keeps its own answers, else takes the other record's; the rest go.
    if db.session.get(SelfIdentification, survivor.id) is None:
        move_rows(SelfIdentification, other.id, survivor.id)
    db.session.execute(db.delete(SelfIdentification).where(SelfIdentification.candidate_id == other.id))
    # Scores of either record describe the interviews of one record only.
    db.session.execute(db.delete(CandidateScore).where(CandidateScore.candidate_id.in_([survivor.id, other.id])))
    # Shortlists keep one entry per person: the survivor's, with both comments, where both were on a list.
    shortlist_entries = merge_entries(survivor.id, other.id)
    # Resume files move; a file the survivor has already (same SHA-256) is dropped, its copy deleted on commit.
    resumes_moved = merge_resumes(survivor, other)
    merged_id = other.id
    db.session.delete(other)
    details = {"merged_id": merged_id, "fields_from_merged": from_merged}
    if hire_moved:
        details["hire_moved"] = True
    if shortlist_entries:
        details["shortlist_entries"] = shortlist_entries
    if resumes_moved:
        details["resume_files"] = resumes_moved
    record("candidate.merged", survivor, actor=actor, details=details)
    db.session.flush()
    rank_candidates([survivor.id])  # on the interviews of both records, now all the survivor's
    touches, status_changes, interviews, scorecards = moved
    return MergeResult(from_merged, touches, status_changes, applications, interviews, scorecards, hire_moved)


ALREADY_MERGED = (
    "These two records were merged already, by someone else a moment ago: this is the record that was kept. "
    "Nothing more was merged."
)


def load_pair(candidate_id: int, other_id: int) -> tuple[Candidate, Candidate]:
    """Return the two candidates, or answer 404 if either does not exist."""
    return db.get_or_404(Candidate, candidate_id), db.get_or_404(Candidate, other_id)


def merged_into(candidate_id: int, other_id: int) -> int | None:
    """Return the id of the record that the other one of the pair was merged into, or None if neither was."""
    for survivor_id, merged_id in ((candidate_id, other_id), (other_id, candidate_id)):
        merges = db.session.scalars(
            db.select(AuditEntry.details).where(
                AuditEntry.action == "candidate.merged",
                AuditEntry.target_type == "Candidate",
                AuditEntry.target_id == str(survivor_id),
            )
        )
        if any(details.get("merged_id") == merged_id for details in merges):
            return survivor_id
    return None


def already_merged(candidate_id: int, other_id: int):
    """Send the user to the kept record, saying so, when the pair was merged meanwhile; else answer 404."""
    survivor_id = merged_into(candidate_id, other_id)
    if survivor_id is None or db.session.get(Candidate, survivor_id) is None:
        abort(404)
    flash(ALREADY_MERGED, "info")
    return redirect(url_for("candidates.detail", candidate_id=survivor_id))


def activity_counts(*candidates: Candidate) -> dict[int, dict[str, int]]:
    """Return, per candidate id, how many touches, status changes, openings and interviews the record has."""
    ids = [candidate.id for candidate in candidates]
    models = {"touches": Touch, "status_changes": StatusChange, "openings": Application, "interviews": Interview}
    counts = {candidate_id: dict.fromkeys(models, 0) for candidate_id in ids}
    for name, model in models.items():
        rows = db.session.execute(
            db.select(model.candidate_id, func.count()).where(model.candidate_id.in_(ids)).group_by(model.candidate_id)
        )
        for candidate_id, number in rows:
            counts[candidate_id][name] = number
    return counts


@bp.route("/<int:candidate_id>/merge/<int:other_id>", methods=["GET", "POST"])
@allow(Role.MANAGER, Role.ADMIN)
def merge(candidate_id: int, other_id: int):
    """Compare two records of one person side by side, pick values, and merge them into one."""
    if candidate_id == other_id:
        return render_error(404, "A record cannot be merged with itself. Pick two different candidates.")
    candidate, other = db.session.get(Candidate, candidate_id), db.session.get(Candidate, other_id)
    if candidate is None or other is None:  # a colleague may have merged this pair a moment ago
        return already_merged(candidate_id, other_id)
    form = MergeForm(candidate=candidate, other=other)
    if form.validate_on_submit():
        survivor, merged = form.survivor_and_merged()
        merged_label = f"{merged.name} (#{merged.id})"
        try:
            result = merge_candidates(survivor, merged, form.choices(), current_user)
            db.session.commit()
        except MergeRefused as refused:
            flash(str(refused), "danger")
        # Someone saved either record, or gave the survivor a value it was about to take
        # (an external id, an application), between our check and our write.
        except (StaleDataError, IntegrityError):
            db.session.rollback()
            if None in (db.session.get(Candidate, candidate_id), db.session.get(Candidate, other_id)):
                return already_merged(candidate_id, other_id)  # the same merge, by a colleague, won the race
            candidate, other = load_pair(candidate_id, other_id)
            form.candidate, form.other = candidate, other
            form.conflict = True
            form.take_current_versions()
            flash(CONFLICT_MESSAGE, "warning")
        else:
            flash(f"Merged {merged_label} into {survivor.name}. Moved over: {result.moved()}.", "success")
            return redirect(url_for("candidates.detail", candidate_id=survivor.id))
    return render_template(
        "merge/merge.html",
        form=form,
        candidate=candidate,
        other=other,
        fields=MERGE_FIELDS,
        reasons=reasons_between(candidate, other),
        counts=activity_counts(candidate, other),
    )


@bp.get("/duplicates")
@allow(Role.MANAGER, Role.ADMIN)
def duplicates():
    """List pairs of records that look like the same person, each with a link to review and merge them."""
    page = duplicate_pairs_page(per_page=current_app.config["PAGE_SIZE"])
    return render_template("merge/duplicates.html", page=page)
