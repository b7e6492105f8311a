"""The home page every signed-in user lands on."""

from datetime import UTC, date, datetime

from flask import Blueprint, current_app, render_template
from flask_login import current_user
from sqlalchemy import func

from hiring.access import signed_in
from hiring.pool import going_cold_clause
from models import AuditEntry, Candidate, Interview, InterviewStatus, Role, Scorecard, ScorecardStatus, User, db

bp = Blueprint("main", __name__)


def count(query) -> int:
    """Return the number of rows a SELECT of one column finds."""
    return db.session.scalar(db.select(func.count()).select_from(query.subquery()))


@bp.get("/")
@signed_in
def index():
    """Greet the user with what needs them: scorecards to fill, the pool, and for admins recent activity."""
    my_drafts = (
        db.select(Scorecard.id, Interview.scheduled_at)
        .join(Interview)
        .where(
            Scorecard.interviewer_id == current_user.id,
            Scorecard.status == ScorecardStatus.DRAFT,
            Interview.status == InterviewStatus.SCHEDULED,
        )
    )
    todo = {
        "scorecards": count(my_drafts),
        "overdue": count(my_drafts.where(Interview.scheduled_at < datetime.now(UTC))),
    }
    pool, users_by_role, recent = None, {}, []
    if current_user.role in (Role.MANAGER, Role.ADMIN):
        cold = going_cold_clause(date.today(), current_app.config["GOING_COLD_DAYS"])
        pool = {
            "size": count(db.select(Candidate.id)),
            "going_cold": count(db.select(Candidate.id).where(cold)),
        }
    if current_user.role == Role.ADMIN:
        users_by_role = dict(
            db.session.execute(
                db.select(User.role, func.count()).where(User.active.is_(True)).group_by(User.role)
            ).all()
        )
        recent = db.session.scalars(
            db.select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(10)
        ).all()
    return render_template("main/index.html", todo=todo, pool=pool, users_by_role=users_by_role, recent=recent)
