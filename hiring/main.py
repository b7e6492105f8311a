"""The home page every signed-in user lands on: the dashboard for managers and admins, a to-do for interviewers."""

from datetime import UTC, datetime

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import func

from hiring.access import signed_in
from hiring.candidates import POOL_ROLES
from hiring.dashboard import render_dashboard
from models import Interview, InterviewStatus, Scorecard, ScorecardStatus, db

bp = Blueprint("main", __name__)


def count(query) -> int:
    """Return the number of rows a SELECT of one column finds."""
    return db.session.scalar(db.select(func.count()).select_from(query.subquery()))


def my_scorecards() -> dict:
    """The signed-in user's scorecards still to fill, and how many of them are overdue."""
    my_drafts = (
        db.select(Scorecard.id, Interview.scheduled_at)
        .join(Interview)
        .where(
            Scorecard.interviewer_id == current_user.id,
            Scorecard.status == ScorecardStatus.DRAFT,
            Interview.status == InterviewStatus.SCHEDULED,
        )
    )
    return {
        "scorecards": count(my_drafts),
        "overdue": count(my_drafts.where(Interview.scheduled_at < datetime.now(UTC))),
    }


@bp.get("/")
@signed_in
def index():
    """Greet the user with what needs them: managers and admins get the dashboard, interviewers their scorecards."""
    todo = my_scorecards()
    if current_user.role in POOL_ROLES:
        return render_dashboard(todo)
    return render_template("main/index.html", todo=todo)
