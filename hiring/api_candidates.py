"""The API's candidate endpoints: list, get, create, update (ETag/If-Match), add a touch.

Bodies are checked for JSON types here, then validated by the pages' own forms (the same
limits, normalisation and messages as "Add a candidate", "Edit" and "Log call"), and saved
by the pages' functions in hiring/pool_actions.py, which write the audit entries.

A candidate's ETag is its record version: edits of the record change it, activity (touches,
status, next touch) does not, exactly as for the edit page's conflict check.
"""

import json
import math
from datetime import date
from decimal import Decimal

from flask import jsonify, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.datastructures import MultiDict
from wtforms.fields.choices import SelectChoice

from hiring import pool_actions
from hiring.access import allow
from hiring.api import MAX_PAGE, MAX_PER_PAGE, ApiError, bp, check_id, envelope, paging
from hiring.audit import record
from hiring.candidate_forms import (
    DUPLICATE_EXTERNAL_ID,
    SORT_CHOICES,
    CandidateForm,
    NewCandidateForm,
    TouchForm,
    enum_choices,
)
from hiring.candidates import POOL_ROLES, filter_form, owner_choices
from hiring.pool import pool_query
from models import Candidate, ConsentMethod, PoolStatus, Segment, Source, Tier, Touch, TouchKind, db

# The JSON type of each writable field: "string", "integer", "number", "boolean", "date", "tags" or an enum class.
RECORD_TYPES: dict[str, object] = {
    "name": "string", "email": "string", "alt_email": "string", "phone": "string", "location": "string",
    "linkedin_url": "string", "company": "string", "title": "string", "segment": Segment,
    "typical_deal_size": "integer", "sales_cycle_days": "integer", "quota_years": "number",
    "past_attainment_pct": "integer", "attainment_verified": "boolean", "source": Source, "referrer": "string",
    "owner_id": "integer", "tags": "tags", "notes": "string", "external_id": "string", "next_touch_on": "date",
    "consent_on": "date", "consent_method": ConsentMethod, "consent_expires_on": "date",
}  # fmt: skip
NEW_TYPES = {**RECORD_TYPES, "status": PoolStatus}
TOUCH_TYPES = {"kind": TouchKind, "summary": "string", "next_touch_on": "date"}
# Fields that may not be null (the others are emptied by null).
NOT_NULL = {"name", "attainment_verified", "tags", "kind", "status"}
REPRESENTED = (
    "id", "name", "email", "alt_email", "phone", "location", "linkedin_url", "company", "title", "segment",
    "typical_deal_size", "sales_cycle_days", "quota_years", "past_attainment_pct", "attainment_verified", "source",
    "referrer", "owner_id", "status", "tags", "notes", "external_id", "next_touch_on", "last_touch_at", "consent_on",
    "consent_method", "consent_expires_on", "created_at", "updated_at", "version",
)  # fmt: skip


def to_json(value):
    """A column value as JSON: enums by value, dates and times in ISO 8601, decimals as numbers."""
    if isinstance(value, PoolStatus | Segment | Source | ConsentMethod | TouchKind):
        return value.value
    if isinstance(value, date):  # datetimes too: they are stored in UTC, with their offset
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def candidate_json(candidate: Candidate) -> dict:
    """The API representation of a candidate (never any self-identification data)."""
    body = {name: to_json(getattr(candidate, name)) for name in REPRESENTED if name != "tags"}
    body["tags"] = candidate.tag_names
    body["notes"] = candidate.notes or ""
    return {name: body[name] for name in REPRESENTED}


def touch_json(touch: Touch) -> dict:
    """The API representation of a touch."""
    return {
        "id": touch.id, "candidate_id": touch.candidate_id, "kind": touch.kind.value, "summary": touch.summary,
        "author_id": touch.author_id, "at": touch.at.isoformat(),
    }  # fmt: skip


def candidate_response(candidate: Candidate, status: int = 200):
    """A candidate with its ETag (its version, strong and quoted)."""
    response = jsonify(candidate_json(candidate))
    response.status_code = status
    response.set_etag(str(candidate.version))
    return response


def json_body() -> dict:
    """The request's JSON object; 415 when it is not JSON, 400 when it is malformed or not an object."""
    if not request.is_json:
        raise ApiError(415, "Send the body as JSON, with Content-Type: application/json.")
    try:
        body = json.loads(request.get_data(as_text=True), parse_constant=reject_constant)
    except ValueError as error:
        raise ApiError(400, f"The body is not valid JSON: {error}") from None
    if not isinstance(body, dict):
        raise ApiError(400, "The body must be a JSON object.")
    return body


def reject_constant(name: str):
    """NaN and Infinity are not JSON."""
    raise ValueError(f"{name} is not a JSON value")


def type_errors(body: dict, types: dict, read_only: tuple[str, ...] = ()) -> dict[str, list[str]]:
    """Return the fields of ``body`` that are unknown, read-only, or of the wrong JSON type."""
    errors = {}
    for name, value in body.items():
        expected = types.get(name)
        if name in read_only:
            errors[name] = ["This field cannot be changed here."]
        elif expected is None:
            errors[name] = ["Unknown field."]
        elif value is None:
            if name in NOT_NULL:
                errors[name] = ["This field cannot be null."]
        elif message := wrong_type(value, expected):
            errors[name] = [message]
    return errors


def wrong_type(value, expected) -> str | None:
    """Why ``value`` is not of the ``expected`` JSON type, or None."""
    if isinstance(expected, type):
        allowed = [member.value for member in expected]
        return None if value in allowed and isinstance(value, str) else f"Must be one of: {', '.join(allowed)}."
    if isinstance(value, str) and (message := bad_text(value)):
        return message
    if expected in ("string", "date"):
        return (
            None if isinstance(value, str) else "Must be a string" + (" (YYYY-MM-DD)." if expected == "date" else ".")
        )
    if expected == "integer":
        return None if isinstance(value, int) and not isinstance(value, bool) else "Must be an integer."
    if expected == "number":
        ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        return None if ok else "Must be a number."
    if expected == "boolean":
        return None if isinstance(value, bool) else "Must be true or false."
    if expected == "tags":
        if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
            return "Must be a list of strings."
        if any(bad_text(tag) for tag in value):
            return "Tags must be text without NUL characters."
        if any("," in tag or ";" in tag for tag in value):
            return "A tag cannot contain a comma or a semicolon."
    return None


def bad_text(value: str) -> str | None:
    """Why a string cannot be stored (NUL characters, unpaired surrogates), or None."""
    if "\x00" in value:
        return "Must not contain NUL characters."
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "Must be valid Unicode text."
    return None


def form_value(value) -> str | None:
    """A value as the pages' forms receive it (None: leave the field out, as an unticked box is)."""
    if value is None or value is False:
        return "" if value is None else None
    if value is True:
        return "y"
    if isinstance(value, list):
        return ", ".join(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, PoolStatus | Segment | Source | ConsentMethod | TouchKind):
        return value.value
    return str(value)


def form_data(values: dict) -> MultiDict:
    """Form data for the pages' forms, from JSON or column values."""
    return MultiDict([(name, text) for name, value in values.items() if (text := form_value(value)) is not None])


def well_typed(body: dict, errors: dict) -> dict:
    """The fields of ``body`` that passed the type check, for the form to validate."""
    return {name: value for name, value in body.items() if name not in errors}


def check(form, errors: dict[str, list[str]]) -> None:
    """Validate the form; a 422 naming every invalid field, the form's and the type check's ``errors``."""
    if not form.validate() or errors:
        fields = {name: list(messages) for name, messages in form.errors.items()}
        raise ApiError(422, "Some fields are not valid.", {**fields, **errors})


def owner_field_choices() -> list[SelectChoice]:
    """The owner choices of the candidate forms: nobody, or an active manager or admin."""
    return [SelectChoice("", "Nobody"), *owner_choices()]


def get_candidate_or_404(candidate_id: int) -> Candidate:
    """The candidate, or a 404."""
    candidate = db.session.get(Candidate, check_id(candidate_id, "candidate"))
    if candidate is None:
        raise ApiError(404, f"There is no candidate {candidate_id}.")
    return candidate


@bp.get("/candidates")
@allow(*POOL_ROLES)
def list_candidates():
    """The pool: the list page's search, filters and sort, a page at a time."""
    form = filter_form()
    errors = {} if form.validate() else {name: list(messages) for name, messages in form.errors.items()}
    for name, value in request.args.items(multi=True):
        if "\x00" in value:  # the database refuses NUL characters; no candidate has any
            errors[name] = ["Must not contain NUL characters."]
    page, per_page = paging(errors)
    result = db.paginate(pool_query(form.filters()), page=page, per_page=per_page, error_out=False, count=True)
    return jsonify(envelope([candidate_json(c) for c in result.items], page, per_page, result.total))


@bp.get("/candidates/<int:candidate_id>")
@allow(*POOL_ROLES)
def get_candidate(candidate_id: int):
    """One candidate, with its ETag."""
    return candidate_response(get_candidate_or_404(candidate_id))


@bp.post("/candidates")
@allow(*POOL_ROLES)
def create_candidate():
    """Add a candidate, validated like the "Add a candidate" page; audited."""
    body = json_body()
    errors = type_errors(body, NEW_TYPES)
    # Like the page: the new candidate is the caller's unless the body says otherwise.
    values = {"owner_id": current_user.id, **well_typed(body, errors)}
    form = NewCandidateForm(formdata=form_data(values), meta={"csrf": False})
    form.owner_id.choices = owner_field_choices()
    check(form, errors)
    candidate = pool_actions.create_candidate(form, current_user)
    commit_or_422()
    response = candidate_response(candidate, 201)
    response.headers["Location"] = url_for("api.get_candidate", candidate_id=candidate.id)
    return response


@bp.patch("/candidates/<int:candidate_id>")
@allow(*POOL_ROLES)
def update_candidate(candidate_id: int):
    """Change some fields of a candidate's record; If-Match must carry the ETag the change is based on."""
    candidate = get_candidate_or_404(candidate_id)
    check_if_match(candidate)
    body = json_body()
    errors = type_errors(body, RECORD_TYPES, read_only=tuple(set(REPRESENTED) - set(RECORD_TYPES)))
    # The form sees the whole record, as the edit page sends it, with the body's fields replaced.
    current = {name: getattr(candidate, name) for name in RECORD_TYPES if name != "tags"}
    values = {**current, "tags": candidate.tag_names, **well_typed(body, errors), "version": candidate.version}
    form = CandidateForm(formdata=form_data(values), record=candidate, meta={"csrf": False})
    form.owner_id.choices = owner_field_choices()
    check(form, errors)
    changed = pool_actions.fill_record(candidate, form)
    if changed:
        record("candidate.updated", candidate, details={"fields": changed})
        try:
            commit_or_422()
        except StaleDataError:  # a colleague's save landed between our check and our write
            db.session.rollback()
            raise ApiError(409, "Someone else saved this candidate at the same moment; nothing was saved.") from None
    return candidate_response(candidate)


def check_if_match(candidate: Candidate) -> None:
    """Refuse an update not based on the candidate's current version (428 without If-Match, 412 if stale)."""
    if "If-Match" not in request.headers:
        raise ApiError(428, f'Send If-Match with the candidate\'s ETag (now "{candidate.version}").')
    if not request.if_match.contains(str(candidate.version)):  # strong comparison; "*" matches
        raise ApiError(
            412,
            f"The candidate was changed since that ETag: the current version is {candidate.version} "
            f'(ETag "{candidate.version}"). Get it again and re-apply your change.',
        )


def commit_or_422() -> None:
    """Commit; an external id taken by someone else in the same moment is a 422, like the form's check."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ApiError(422, "Some fields are not valid.", {"external_id": [DUPLICATE_EXTERNAL_ID]}) from None


@bp.post("/candidates/<int:candidate_id>/touches")
@allow(*POOL_ROLES)
def add_touch(candidate_id: int):
    """Log a call, e-mail, meeting or note, like the candidate page's buttons; audited."""
    candidate = get_candidate_or_404(candidate_id)
    body = json_body()
    errors = type_errors(body, TOUCH_TYPES)
    if "kind" not in body:
        errors["kind"] = ["This field is required."]
    form = TouchForm(formdata=form_data(well_typed(body, errors)), meta={"csrf": False})
    check(form, errors)
    kind = TouchKind(form.kind.data)
    if pool_actions.repeated_touch(candidate, kind, form.summary.data, current_user):
        raise ApiError(409, f"That {kind.label.lower()} was logged a moment ago; it is not logged twice.")
    touch = pool_actions.log_touch(candidate, kind, form.summary.data, current_user, form.next_touch_on.data)
    db.session.commit()
    return jsonify(touch_json(touch)), 201


# ---- OpenAPI description (merged by hiring/openapi.py) -------------------------------------------------------------


def error(description: str) -> dict:
    """An error response of the OpenAPI document."""
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def json_content(ref: str) -> dict:
    """A JSON body of a named schema."""
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}


ETAG_HEADER = {"ETag": {"description": 'The candidate\'s version, e.g. "3".', "schema": {"type": "string"}}}
AUTH_ERRORS = {
    "401": error("No valid token."),
    "403": error("The token's user may not use the pool (interviewers), or the token is read-only."),
    "429": error("Too many requests with this token."),
}
BODY_ERRORS = {
    "400": error("The body is not valid JSON, or not a JSON object."),
    "415": error("The body is not sent as application/json."),
    "422": error("Some fields are not valid; `fields` names them."),
}
CANDIDATE_ID = {"name": "candidate_id", "in": "path", "required": True, "schema": {"type": "integer"}}


def choice_values(choices) -> list[str]:
    """The values of select choices, the blank one included (it means "any")."""
    return [choice.value for choice in choices]


def query_parameter(name: str, description: str, schema: dict) -> dict:
    """A query parameter of the list."""
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


LIST_PARAMETERS = [
    query_parameter("q", "Search words (name, e-mail, phone, company, title, tags, notes, resumes).",
                    {"type": "string", "maxLength": 200}),
    query_parameter("status", "Pool status.", {"type": "string", "enum": choice_values(enum_choices(PoolStatus, ""))}),
    query_parameter("source", "Source.", {"type": "string", "enum": choice_values(enum_choices(Source, ""))}),
    query_parameter("segment", "Segment.", {"type": "string", "enum": choice_values(enum_choices(Segment, ""))}),
    query_parameter("owner", 'An owner\'s user id (an active manager or admin), or "none".', {"type": "string"}),
    query_parameter("tag", "A tag.", {"type": "string", "maxLength": 60}),
    query_parameter("opening", "Considered for this opening (its id).", {"type": "string"}),
    query_parameter("stage", "At this stage of an opening.", {"type": "string", "maxLength": 60}),
    query_parameter("touch", "due: next touch due; cold: going cold; none: no next touch.",
                    {"type": "string", "enum": ["", "due", "cold", "none"]}),
    query_parameter("fit", "Predicted tier, or unscored.",
                    {"type": "string", "enum": ["", *(tier.value for tier in Tier), "unscored"]}),
    query_parameter("sort", "A column, descending with a leading '-'. Default -updated.",
                    {"type": "string", "enum": choice_values(SORT_CHOICES)}),
    query_parameter("page", "Page number, from 1.", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}),
    query_parameter("per_page", "Items per page, 1-200 (default 50).",
                    {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE}),
]  # fmt: skip

OPENAPI_PATHS = {
    "/candidates": {
        "get": {
            "operationId": "listCandidates",
            "summary": "List the talent pool (search, filters, sort, pages)",
            "tags": ["candidates"],
            "parameters": LIST_PARAMETERS,
            "responses": {
                "200": {"description": "A page of candidates.", "content": json_content("CandidateList")},
                "400": error("A filter or page parameter is not valid; `fields` names it."),
                **AUTH_ERRORS,
            },
        },
        "post": {
            "operationId": "createCandidate",
            "summary": "Add a candidate (audited)",
            "tags": ["candidates"],
            "requestBody": {"required": True, "content": json_content("CandidateInput")},
            "responses": {
                "201": {
                    "description": "The new candidate.",
                    "headers": {
                        **ETAG_HEADER,
                        "Location": {"description": "The candidate's URL.", "schema": {"type": "string"}},
                    },
                    "content": json_content("Candidate"),
                },
                **BODY_ERRORS,
                **AUTH_ERRORS,
            },
        },
    },
    "/candidates/{candidate_id}": {
        "get": {
            "operationId": "getCandidate",
            "summary": "Get a candidate, with its ETag",
            "tags": ["candidates"],
            "parameters": [CANDIDATE_ID],
            "responses": {
                "200": {"description": "The candidate.", "headers": ETAG_HEADER, "content": json_content("Candidate")},
                "404": error("No such candidate."),
                **AUTH_ERRORS,
            },
        },
        "patch": {
            "operationId": "updateCandidate",
            "summary": "Change some fields of a candidate (If-Match required; audited)",
            "tags": ["candidates"],
            "parameters": [
                CANDIDATE_ID,
                {
                    "name": "If-Match",
                    "in": "header",
                    "required": True,
                    "description": "The ETag of the version the change is based on.",
                    "schema": {"type": "string"},
                },
            ],
            "requestBody": {"required": True, "content": json_content("CandidatePatch")},
            "responses": {
                "200": {
                    "description": "The changed candidate, with its new ETag.",
                    "headers": ETAG_HEADER,
                    "content": json_content("Candidate"),
                },
                "404": error("No such candidate."),
                "409": error("Someone else saved the candidate at the same moment; nothing was saved."),
                "412": error("If-Match is not the current ETag; the message gives the current version."),
                "428": error("If-Match is missing."),
                **BODY_ERRORS,
                **AUTH_ERRORS,
            },
        },
    },
    "/candidates/{candidate_id}/touches": {
        "post": {
            "operationId": "addTouch",
            "summary": "Log a call, e-mail, meeting or note (audited)",
            "tags": ["candidates"],
            "parameters": [CANDIDATE_ID],
            "requestBody": {"required": True, "content": json_content("TouchInput")},
            "responses": {
                "201": {"description": "The touch.", "content": json_content("Touch")},
                "404": error("No such candidate."),
                "409": error("The same touch was logged by the same user moments ago; not logged twice."),
                **BODY_ERRORS,
                **AUTH_ERRORS,
            },
        },
    },
}


def nullable(schema: dict) -> dict:
    """A schema that also allows null."""
    return {**schema, "type": [schema["type"], "null"]}


def enum_schema(enum_class, null: bool = True) -> dict:
    """A string enum, by value."""
    values = [member.value for member in enum_class]
    return {"type": ["string", "null"], "enum": [*values, None]} if null else {"type": "string", "enum": values}


def text(max_length: int) -> dict:
    """A nullable string of at most ``max_length`` characters."""
    return {"type": ["string", "null"], "maxLength": max_length}


DATE = {"type": ["string", "null"], "format": "date"}
WRITABLE = {
    "name": {"type": "string", "minLength": 1, "maxLength": 200},
    "email": text(254),
    "alt_email": text(254),
    "phone": text(40),
    "location": text(120),
    "linkedin_url": text(300),
    "company": text(200),
    "title": text(200),
    "segment": enum_schema(Segment),
    "typical_deal_size": {"type": ["integer", "null"], "minimum": 0, "maximum": 1_000_000_000},
    "sales_cycle_days": {"type": ["integer", "null"], "minimum": 0, "maximum": 3650},
    "quota_years": {"type": ["number", "null"], "minimum": 0, "maximum": 60},
    "past_attainment_pct": {"type": ["integer", "null"], "minimum": 0, "maximum": 1000},
    "attainment_verified": {"type": "boolean"},
    "source": enum_schema(Source),
    "referrer": text(200),
    "owner_id": {"type": ["integer", "null"], "description": "An active manager or admin; null for nobody."},
    "tags": {"type": "array", "items": {"type": "string", "maxLength": 60, "pattern": "^[^,;]*$"}},
    "notes": text(20000),
    "external_id": text(100),
    "next_touch_on": DATE,
    "consent_on": DATE,
    "consent_method": enum_schema(ConsentMethod),
    "consent_expires_on": DATE,
}
# What the API returns: stored values are not bounded by the forms' limits (imports, merges).
STORED = {name: {"type": schema["type"]} for name, schema in WRITABLE.items()}
STORED.update({name: enum_schema(cls) for name, cls in (("segment", Segment), ("source", Source),
                                                          ("consent_method", ConsentMethod))})  # fmt: skip
STORED.update({name: DATE for name in ("next_touch_on", "consent_on", "consent_expires_on")})
STORED["tags"] = {"type": "array", "items": {"type": "string"}}
STORED["notes"] = {"type": "string"}
DATETIME = {"type": "string", "format": "date-time"}

OPENAPI_SCHEMAS = {
    "Candidate": {
        "type": "object",
        "description": "A person in the talent pool. Never includes self-identification (EEO) data.",
        "properties": {
            "id": {"type": "integer"},
            **STORED,
            "status": enum_schema(PoolStatus, null=False),
            "last_touch_at": nullable(DATETIME),
            "created_at": DATETIME,
            "updated_at": DATETIME,
            "version": {"type": "integer", "description": "The record's version; its ETag."},
        },
        "required": list(REPRESENTED),
        "additionalProperties": False,
    },
    "CandidateList": {
        "type": "object",
        "properties": {
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/Candidate"}},
            "page": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
            "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
            "total": {"type": "integer", "minimum": 0},
        },
        "required": ["items", "page", "per_page", "total"],
        "additionalProperties": False,
    },
    "CandidateInput": {
        "type": "object",
        "description": "A new candidate. owner_id defaults to the token's user; status to prospect.",
        "properties": {**WRITABLE, "status": enum_schema(PoolStatus, null=False)},
        "required": ["name"],
        "additionalProperties": False,
    },
    "CandidatePatch": {
        "type": "object",
        "description": "The fields to change; the others keep their values. Status changes are not made here.",
        "properties": WRITABLE,
        "additionalProperties": False,
    },
    "TouchInput": {
        "type": "object",
        "properties": {
            "kind": enum_schema(TouchKind, null=False),
            "summary": text(2000),
            "next_touch_on": DATE,
        },
        "required": ["kind"],
        "additionalProperties": False,
    },
    "Touch": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "candidate_id": {"type": "integer"},
            "kind": enum_schema(TouchKind, null=False),
            "summary": {"type": "string"},
            "author_id": {"type": ["integer", "null"]},
            "at": DATETIME,
        },
        "required": ["id", "candidate_id", "kind", "summary", "author_id", "at"],
        "additionalProperties": False,
    },
}
