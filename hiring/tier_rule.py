"""The written A/B/C rule: admins edit it, managers read it. Saving it recomputes every rep's tier."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from hiring.access import allow
from hiring.audit import record
from hiring.editing import commit_edit
from hiring.rep_forms import TierRuleForm
from hiring.rep_tiers import RULE_FIELDS, refresh_tiers, rule_of, rule_row
from models import Hire, Role, db

bp = Blueprint("tier_rule", __name__, url_prefix="/admin/tier-rule")


def rule_or_500():
    """The stored rule's row; the migrations seed it, so a missing row is a broken database."""
    row = rule_row()
    if row is None:
        abort(500)
    return row


def render_rule(row, form: TierRuleForm | None, status: int = 200):
    """The rule page: the form for admins, the rule in words for everyone."""
    reps = db.session.scalar(db.select(db.func.count()).select_from(Hire))
    return render_template("tier_rule/rule.html", row=row, rule=rule_of(row), form=form, reps=reps), status


@bp.get("/")
@allow(Role.MANAGER, Role.ADMIN)
def show():
    """The rule in words, with its numbers; admins can edit it here."""
    row = rule_or_500()
    form = TierRuleForm(formdata=None, record=row) if current_user.role == Role.ADMIN else None
    return render_rule(row, form)


@bp.post("/")
@allow(Role.ADMIN)
def save():
    """Save the rule and recompute every rep's tier in the same transaction."""
    row = rule_or_500()
    form = TierRuleForm(record=row)
    if not form.validate_on_submit():
        return render_rule(row, form, 200 if form.conflict else 400)
    changed = [name for name in RULE_FIELDS if getattr(row, name) != getattr(form, name).data]
    if not changed:
        flash("Nothing changed.", "info")
        return redirect(url_for("tier_rule.show"))
    for name in changed:
        setattr(row, name, getattr(form, name).data)
    row.updated_by_id = current_user.id
    # Without autoflush, the rule is written by commit_edit, whose version check reports a colleague's save.
    with db.session.no_autoflush:
        moved = refresh_tiers(rule=rule_of(row))
    record("tier_rule.updated", row, details={"fields": changed, "reps_changed_tier": moved})
    if not commit_edit(form):
        return render_rule(rule_or_500(), form)
    reps = "1 rep" if moved == 1 else f"{moved} reps"
    flash(f"Saved the rule. Every tier was recomputed: {reps} changed tier.", "success")
    return redirect(url_for("tier_rule.show"))
