"""Voluntary self-identification (EEO data): admins only.

The answers live in their own table, apart from the candidate record. Only these
pages and the adverse-impact audit read them: no candidate page, export, search
or model feature does, and the audit log records that answers changed, never what they are.
"""

from flask import Blueprint, flash, redirect, render_template, request, url_for

from hiring.access import allow
from hiring.audit import record
from hiring.eeo_forms import NOT_ASKED, RemoveForm, SelfIdentificationForm
from models import (
    Candidate,
    DisabilityStatus,
    RaceEthnicity,
    Role,
    SelfIdentification,
    Sex,
    VeteranStatus,
    db,
)

bp = Blueprint("eeo", __name__, url_prefix="/admin/self-identification")

# The questions, in the order the pages show them: (attribute, title, enum).
QUESTIONS = (
    ("sex", "Sex", Sex),
    ("race_ethnicity", "Race/ethnicity", RaceEthnicity),
    ("veteran", "Veteran status", VeteranStatus),
    ("disability", "Disability", DisabilityStatus),
)


def answers_of(candidate_id: int) -> SelfIdentification | None:
    """Return a candidate's stored answers, or None if they gave none."""
    return db.session.get(SelfIdentification, candidate_id)


def save_answers(candidate: Candidate, values: dict, source: str) -> SelfIdentification:
    """Store a candidate's answers (creating or replacing them) and audit it without the values; caller commits."""
    answers = answers_of(candidate.id)
    if answers is None:
        answers = SelfIdentification(candidate_id=candidate.id)
        db.session.add(answers)
    for name, value in values.items():
        setattr(answers, name, value)
    answers.source = source
    record("eeo.recorded", candidate, details={"source": source})
    return answers


def remove_answers(candidate: Candidate) -> bool:
    """Delete a candidate's answers and audit it; return False if there were none. Caller commits."""
    answers = answers_of(candidate.id)
    if answers is None:
        return False
    db.session.delete(answers)
    record("eeo.removed", candidate, details={"source": "form"})
    return True


def answer_counts() -> list[dict]:
    """Return, per question, how many gave each answer (and, for the optional ones, how many were not asked)."""
    summary = []
    for attribute, title, enum in QUESTIONS:
        column = getattr(SelfIdentification, attribute)
        counts = dict(db.session.execute(db.select(column, db.func.count()).group_by(column)).all())
        rows = [{"label": member.label, "count": counts.get(member, 0)} for member in enum]
        if None in counts:
            rows.append({"label": NOT_ASKED, "count": counts[None]})
        summary.append({"title": title, "rows": rows, "total": sum(counts.values())})
    return summary


@bp.get("/")
@allow(Role.ADMIN)
def overview():
    """How many candidates answered, and the answers in aggregate: no list of people."""
    candidates = db.session.scalar(db.select(db.func.count()).select_from(Candidate))
    answered = db.session.scalar(db.select(db.func.count()).select_from(SelfIdentification))
    imported = db.session.scalar(
        db.select(db.func.count()).select_from(SelfIdentification).where(SelfIdentification.source == "import")
    )
    return render_template(
        "eeo/overview.html", candidates=candidates, answered=answered, imported=imported, questions=answer_counts()
    )


@bp.route("/candidates/<int:candidate_id>", methods=["GET", "POST"])
@allow(Role.ADMIN)
def edit(candidate_id: int):
    """Show and change one candidate's answers."""
    candidate = db.get_or_404(Candidate, candidate_id)
    answers = answers_of(candidate.id)
    form = SelfIdentificationForm()
    if form.validate_on_submit():
        save_answers(candidate, form.values(), "form")
        db.session.commit()
        flash(f"Saved the self-identification of {candidate.name}.", "success")
        return redirect(url_for("eeo.edit", candidate_id=candidate.id))
    if request.method == "GET":
        form.fill(answers)
    status = 400 if request.method == "POST" else 200
    return render_template(
        "eeo/edit.html", candidate=candidate, answers=answers, form=form, remove_form=RemoveForm(), questions=QUESTIONS
    ), status


@bp.post("/candidates/<int:candidate_id>/remove")
@allow(Role.ADMIN)
def remove(candidate_id: int):
    """Delete one candidate's answers, as when they withdraw them."""
    candidate = db.get_or_404(Candidate, candidate_id)
    if RemoveForm().validate_on_submit() and remove_answers(candidate):
        db.session.commit()
        flash(f"Removed the self-identification of {candidate.name}.", "success")
    else:
        flash(f"{candidate.name} has no self-identification to remove.", "info")
    return redirect(url_for("eeo.edit", candidate_id=candidate.id))
