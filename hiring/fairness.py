"""The adverse-impact audit: admin page, downloads (JSON, CSV, HTML) and the rendering the command shares."""

import csv
import io
import json

from flask import Blueprint, Response, abort, render_template, request
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange, Optional

from hiring.access import allow
from hiring.audit import record
from hiring.export import safe_cell
from hiring.fairness_data import audit_details, run_audit
from hiring.ranking import ranker_problem
from models import ModelVersion, Opening, Role, db
from scoring.fairness import ROW_FIELDS, report_rows

bp = Blueprint("fairness", __name__, url_prefix="/admin/fairness")
FORMATS = {"json": "application/json", "csv": "text/csv", "html": "text/html"}


class AuditForm(FlaskForm):
    """Which version to audit, on what, and how long the "top N" is (GET, no CSRF)."""

    class Meta:
        csrf = False

    version = SelectField("Model version", coerce=int, validators=[Optional()])
    opening = SelectField("Candidates", coerce=lambda v: int(v) if v else None, validators=[Optional()])
    top = IntegerField(
        "Top N of the ranking",
        validators=[Optional(), NumberRange(min=1, max=1_000_000, message="A whole number of at least 1.")],
        description="Blank: the top fifth of the candidates audited.",
    )


def audit_form() -> AuditForm:
    """The form with its choices: every trained version, the whole pool or one opening."""
    form = AuditForm(request.args)
    versions = db.session.scalars(db.select(ModelVersion).order_by(ModelVersion.number.desc())).all()
    form.version.choices = [
        SelectChoice(v.number, f"Version {v.number}" + (" (active)" if v.active else "")) for v in versions
    ]
    openings = db.session.execute(db.select(Opening.id, Opening.title).order_by(Opening.title)).all()
    form.opening.choices = [SelectChoice("", "The whole pool"), *(SelectChoice(i, title) for i, title in openings)]
    if not form.version.raw_data and versions:
        form.version.data = next((v.number for v in versions if v.active), versions[0].number)
    return form


def chosen(form: AuditForm) -> tuple[ModelVersion | None, Opening | None]:
    """The version and opening the valid form names (404 for ones that do not exist)."""
    version = None
    if form.version.data is not None:
        version = db.one_or_404(db.select(ModelVersion).where(ModelVersion.number == form.version.data))
    opening = db.get_or_404(Opening, form.opening.data) if form.opening.data else None
    return version, opening


def report_csv(report: dict) -> str:
    """The report as CSV, one row per analysis, dimension and group, safe to open in a spreadsheet."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, ROW_FIELDS)
    writer.writeheader()
    for row in report_rows(report):
        writer.writerow({key: safe_cell(value) for key, value in row.items()})
    return "\ufeff" + buffer.getvalue()


def render_report(report: dict, output: str) -> str:
    """The report as JSON, CSV or a self-contained HTML page."""
    if output == "json":
        return json.dumps(report, indent=2)
    if output == "csv":
        return report_csv(report)
    return render_template("fairness/standalone.html", report=report)


@bp.get("/")
@allow(Role.ADMIN)
def index():
    """Audit a model version's ranking, and the decisions people made, on the pool or one opening."""
    form = audit_form()
    report = problem = None
    if form.version.choices and form.validate():
        version, opening = chosen(form)
        problem = ranker_problem(version)
        if not problem:
            report = run_audit(version, opening, form.top.data)
            db.session.commit()
    status = 200 if not form.errors else 400
    return render_template("fairness/index.html", form=form, report=report, problem=problem), status


@bp.get("/report.<output>")
@allow(Role.ADMIN)
def download(output: str):
    """The audit as a file: JSON, CSV or HTML."""
    if output not in FORMATS:
        abort(404)
    form = audit_form()
    if not form.validate():
        abort(400)
    version, opening = chosen(form)
    if version is None or ranker_problem(version):
        abort(409, description=ranker_problem(version))
    report = run_audit(version, opening, form.top.data)
    record("model.audit_exported", version, details=audit_details(report, format=output))
    db.session.commit()
    name = f"bench-audit-v{version.number}" + (f"-opening-{opening.id}" if opening else "") + f".{output}"
    return Response(
        render_report(report, output),
        mimetype=FORMATS[output],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
