"""Consent, erasure and access requests: the consents page, renewing consent, erasing and exporting a person."""

import json

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_sqlalchemy.pagination import Pagination

from hiring import retention
from hiring.access import allow
from hiring.audit import record
from hiring.candidates import POOL_ROLES, owner_filter_choices
from hiring.privacy_forms import ERASE_WORD, ConsentFilterForm, EraseForm, RenewConsentForm
from models import Candidate, ConsentMethod, Role, db

bp = Blueprint("privacy", __name__)


class ListPagination(Pagination):
    """``db.paginate``'s page object over rows already sorted in Python."""

    def _query_items(self) -> list:
        return self._query_args["rows"][self._query_offset : self._query_offset + self.per_page]

    def _query_count(self) -> int:
        return len(self._query_args["rows"])


def renew_form(candidate_id: int, **kwargs) -> RenewConsentForm:
    """The renewal form of one row; the prefix keeps the field ids of the rows apart."""
    return RenewConsentForm(prefix=f"c{candidate_id}", **kwargs)


def render_consents(failed: tuple[Candidate, RenewConsentForm] | None = None, status: int = 200):
    """Render the consents page; ``failed`` is a renewal to show again with its errors and input."""
    filters = ConsentFilterForm(request.args)
    filters.owner.choices = owner_filter_choices("Any owner")
    page = None
    if filters.validate():
        rows = retention.consent_rows(show=filters.show.data, owner=filters.owner.data, sort=filters.sort.data)
        page = ListPagination(rows=rows, per_page=current_app.config["PAGE_SIZE"], max_per_page=None, error_out=False)
    forms = {row.id: renew_form(row.id, formdata=None) for row in page.items} if page else {}
    forms_on_page = set(forms)  # a failed renewal of someone not on this page is shown above the list
    if failed is not None:
        forms[failed[0].id] = failed[1]
    body = render_template(
        "privacy/consents.html", filters=filters, page=page, forms=forms, failed=failed, forms_on_page=forms_on_page,
        months=retention.consent_months(), warning_days=current_app.config["CONSENT_WARNING_DAYS"],
    )  # fmt: skip
    return body, status


@bp.get("/consents")
@allow(*POOL_ROLES)
def consents():
    """Consents expiring soon (to ask again) or expired (to be anonymised), filtered, sorted and paged."""
    return render_consents()


@bp.post("/consents/<int:candidate_id>/renew")
@allow(*POOL_ROLES)
def renew(candidate_id: int):
    """Record that a candidate renewed their consent; it then lasts CONSENT_MONTHS from that day."""
    candidate = db.get_or_404(Candidate, candidate_id)
    if candidate.anonymised_at is not None:
        flash("That record was anonymised; there is no one to ask for consent any more.", "warning")
        return redirect(url_for("privacy.consents", **request.args))
    form = renew_form(candidate_id)
    if form.validate_on_submit():
        expires_on = retention.renew_consent(candidate, form.given_on.data, ConsentMethod(form.method.data))
        db.session.commit()
        flash(f"Consent of {candidate.name} renewed; it now lasts until {expires_on}.", "success")
        return redirect(url_for("privacy.consents", **request.args))
    return render_consents(failed=(candidate, form), status=400)


@bp.get("/admin/candidates/<int:candidate_id>/data.json")
@allow(Role.ADMIN)
def export_data(candidate_id: int):
    """Download everything Bench holds on a person, as JSON (an access request)."""
    candidate = db.get_or_404(Candidate, candidate_id)
    data = retention.person_data(candidate)
    record("candidate.data_exported", candidate)
    db.session.commit()
    return Response(
        json.dumps(data, indent=2, ensure_ascii=False),
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="bench-candidate-{candidate_id}.json"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/admin/candidates/<int:candidate_id>/erase", methods=["GET", "POST"])
@allow(Role.ADMIN)
def erase(candidate_id: int):
    """Erase a person completely, after the admin typed the confirmation word."""
    candidate = db.get_or_404(Candidate, candidate_id)
    form = EraseForm()
    if form.validate_on_submit():
        retention.erase(candidate)
        db.session.commit()
        flash("Erased: Bench holds nothing more on that person. The audit log records only that an erasure happened.",
              "success")  # fmt: skip
        return redirect(url_for("candidates.index"))
    body = render_template(
        "privacy/erase.html", candidate=candidate, form=form, word=ERASE_WORD, holdings=retention.holdings(candidate.id)
    )
    return body, 400 if form.is_submitted() else 200
