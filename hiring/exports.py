"""Exports of shortlists and pool views: CSV, XLSX and a printable page, with columns chosen by the user.

A chooser page (GET) offers the columns, the defaults ticked, and the format; its form sends
the choice with GET to a download route, which audits the export and streams it. A pool export
carries the pool list's query string unchanged, so it holds the list's candidates in its order.
"""

import re
import tempfile
from datetime import date
from urllib.parse import urlencode

from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    stream_template,
    stream_with_context,
    url_for,
)
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func
from wtforms import RadioField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired

from hiring.access import allow
from hiring.audit import record
from hiring.candidates import POOL_ROLES, filter_form
from hiring.export import XLSX_MIMETYPE, csv_cell, csv_chunks, plain_text, write_xlsx
from hiring.export_columns import (
    FIT,
    Column,
    available_columns,
    default_keys,
    load_rows,
    pick_columns,
    pool_ids,
    shortlist_ids,
    values,
)
from hiring.pool import pool_query
from hiring.shortlists import visible_or_404
from models import Candidate, Shortlist, ShortlistEntry, db

bp = Blueprint("exports", __name__, url_prefix="/exports")

FORMATS = [
    SelectChoice("csv", "CSV — opens in any spreadsheet"),
    SelectChoice("xlsx", "Excel workbook (XLSX)"),
    SelectChoice("print", "Printable page — print it, or save it as a PDF"),
]
# A printed table longer than this is no longer read; CSV and XLSX take any number of rows.
PRINT_MAX_ROWS = 2_000
# Query-string keys of the export form; every other key is the pool list's and is passed on unchanged.
EXPORT_KEYS = ("columns", "format")


class ExportForm(FlaskForm):
    """The columns and the format of an export (GET, no CSRF). Column choices are set by the view."""

    class Meta:
        csrf = False

    columns = SelectMultipleField("Columns", validators=[DataRequired("Choose at least one column.")])
    format = RadioField("Format", choices=FORMATS, default="csv", validators=[DataRequired("Choose a format.")])


def export_form(columns: list[Column], formdata=None) -> ExportForm:
    """The export form over ``columns``; without form data, the defaults are ticked."""
    form = ExportForm(formdata=formdata)
    form.columns.choices = [SelectChoice(column.key, column.label) for column in columns]
    if formdata is None:
        form.columns.data = default_keys(columns)
    return form


def slug(text: str) -> str:
    """A file-name-safe, lowercase version of ``text``."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "export"


def record_export(shortlist: Shortlist | None, fmt: str, rows: int, columns: list[Column], **extra) -> None:
    """Audit an export: where from, the format, how many rows and which columns (no personal data)."""
    details = {"source": "shortlist" if shortlist else "pool", "format": fmt, "rows": rows}
    record("export.created", shortlist, details=details | {"columns": [c.key for c in columns]} | extra)


def export_response(
    fmt: str, columns: list[Column], ids: list[int], filename: str, title: str, page: dict, entries=None
):
    """The export as a download (CSV streamed, XLSX from a temporary file) or a streamed printable page.

    ``page``: what the printable page says above the table, as plain values: the page is streamed
    after the view has returned, when the records loaded by the view are no longer usable.
    """
    header = [column.label for column in columns]
    rows = values(load_rows(ids, columns, entries), columns)
    if fmt == "csv":
        chunks = csv_chunks(header, ([csv_cell(value) for value in row] for row in rows))
        return Response(
            stream_with_context(chunks),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'},
        )
    if fmt == "xlsx":
        # A workbook is a zip file, complete only once its last row is in: build it in a temporary
        # file (openpyxl's write-only mode keeps no rows in memory), then stream that file.
        spool = tempfile.TemporaryFile()
        write_xlsx(spool, title, header, [column.width for column in columns], rows, len(ids))
        spool.seek(0)
        return send_file(spool, mimetype=XLSX_MIMETYPE, as_attachment=True, download_name=f"{filename}.xlsx")
    body = stream_template(
        "exports/print.html",
        title=title,
        header=header,
        # Each column's share of the page, in proportion to its spreadsheet width: a fixed layout that
        # fits the paper, instead of letting notes and reasons squeeze names to a few letters.
        widths=[round(100 * column.width / sum(c.width for c in columns), 2) for column in columns],
        rows=([plain_text(value) for value in row] for row in rows),
        count=len(ids),
        has_fit=any(column.group == FIT for column in columns),
        today=date.today(),
        page=page,
    )
    return Response(body, mimetype="text/html")


def pool_filters():
    """The validated pool filters of the request, or a redirect to the list when they are not valid."""
    form = filter_form()
    if form.validate():
        return form.filters(), None
    flash("The filters are not valid, so nothing was exported. Check them below.", "danger")
    args = [(key, value) for key, value in request.args.items(multi=True) if key not in EXPORT_KEYS]
    return None, redirect(url_for("candidates.index") + ("?" + urlencode(args) if args else ""))


def list_args() -> list[tuple[str, str]]:
    """The pool list's query-string pairs of this request (without the export's own keys and the page)."""
    return [(k, v) for k, v in request.args.items(multi=True) if k not in (*EXPORT_KEYS, "page") and v]


def pool_count(filters: dict) -> int:
    """How many candidates the pool view holds."""
    ids = pool_query(filters).with_only_columns(Candidate.id).order_by(None).subquery()
    return db.session.scalar(db.select(func.count()).select_from(ids))


def render_chooser(form: ExportForm, columns: list[Column], status: int = 200, **context):
    """The column chooser page."""
    groups: dict[str, list[Column]] = {}
    for column in columns:
        groups.setdefault(column.group, []).append(column)
    chosen = set(form.columns.data or [])
    return render_template("exports/choose.html", form=form, groups=groups, chosen=chosen, **context), status


def too_long_for_print(form: ExportForm, count: int) -> bool:
    """Add an error to the form, and return True, if the printable page would be too long."""
    if form.format.data == "print" and count > PRINT_MAX_ROWS:
        form.format.errors = [
            f"The printable page holds at most {PRINT_MAX_ROWS:,} candidates and this export has {count:,}. "
            "Narrow the list, or choose CSV or XLSX."
        ]
        return True
    return False


@bp.get("/pool")
@allow(*POOL_ROLES)
def pool():
    """Choose the columns and format of an export of the pool list as filtered and sorted."""
    filters, back = pool_filters()
    if back:
        return back
    columns = available_columns()
    return render_chooser(export_form(columns), columns, **pool_context(filters))


def pool_context(filters: dict) -> dict:
    """What the chooser shows about a pool view."""
    args = list_args()
    return {
        "source": "pool",
        "count": pool_count(filters),
        "hidden": args,
        "action": url_for("exports.pool_file"),
        "reset": url_for("exports.pool") + ("?" + urlencode(args) if args else ""),
        "back": url_for("candidates.index") + ("?" + urlencode(args) if args else ""),
        "all_fields": url_for("candidates.export") + ("?" + urlencode(args) if args else ""),
    }


@bp.get("/pool/file")
@allow(*POOL_ROLES)
def pool_file():
    """Export the pool list as filtered and sorted, with the chosen columns, in the chosen format."""
    filters, back = pool_filters()
    if back:
        return back
    available = available_columns()
    form = export_form(available, request.args)
    if not form.validate():
        return render_chooser(form, available, 400, **pool_context(filters))
    ids = pool_ids(filters)
    if too_long_for_print(form, len(ids)):
        return render_chooser(form, available, 400, **pool_context(filters))
    columns = pick_columns(form.columns.data, available)
    args = list_args()
    page = {
        "heading": "Candidates",
        "details": [", ".join(f"{key}: {value}" for key, value in args)] if args else [],
        "change": url_for("exports.pool") + ("?" + urlencode(args) if args else ""),
        "by": current_user.name,
    }
    record_export(None, form.format.data, len(ids), columns, filters=sorted(filters))
    db.session.commit()
    return export_response(form.format.data, columns, ids, f"candidates-{date.today()}", "Candidates", page)


def shortlist_context(shortlist: Shortlist) -> dict:
    """What the chooser shows about a shortlist."""
    count = db.session.scalar(db.select(func.count()).where(ShortlistEntry.shortlist_id == shortlist.id))
    return {
        "source": "shortlist",
        "shortlist": shortlist,
        "count": count,
        "hidden": [],
        "action": url_for("exports.shortlist_file", shortlist_id=shortlist.id),
        "reset": url_for("exports.shortlist", shortlist_id=shortlist.id),
        "back": url_for("shortlists.detail", shortlist_id=shortlist.id),
    }


@bp.get("/shortlists/<int:shortlist_id>")
@allow(*POOL_ROLES)
def shortlist(shortlist_id: int):
    """Choose the columns and format of a shortlist's export."""
    shortlist = visible_or_404(shortlist_id)
    columns = available_columns(shortlist=True)
    return render_chooser(export_form(columns), columns, **shortlist_context(shortlist))


@bp.get("/shortlists/<int:shortlist_id>/file")
@allow(*POOL_ROLES)
def shortlist_file(shortlist_id: int):
    """Export a shortlist in its order, with the chosen columns, in the chosen format."""
    shortlist = visible_or_404(shortlist_id)
    available = available_columns(shortlist=True)
    form = export_form(available, request.args)
    if not form.validate():
        return render_chooser(form, available, 400, **shortlist_context(shortlist))
    ids, entries = shortlist_ids(shortlist)
    if too_long_for_print(form, len(ids)):
        return render_chooser(form, available, 400, **shortlist_context(shortlist))
    columns = pick_columns(form.columns.data, available)
    details = [f"for {shortlist.opening.title}"] if shortlist.opening else []
    page = {
        "heading": f"Shortlist: {shortlist.name}",
        "details": [*details, f"owner {shortlist.owner.name}"],
        "description": shortlist.description,
        "change": url_for("exports.shortlist", shortlist_id=shortlist.id),
        "by": current_user.name,
    }
    filename, title = f"shortlist-{slug(shortlist.name)}-{date.today()}", shortlist.name
    record_export(shortlist, form.format.data, len(ids), columns)
    db.session.commit()
    return export_response(form.format.data, columns, ids, filename, title, page, entries)
