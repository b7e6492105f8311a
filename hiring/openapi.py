"""The API's OpenAPI 3.1 document, served at GET /api/v1/openapi.json.

Each endpoint module describes its own routes in module-level ``OPENAPI_PATHS`` (path → method →
operation) and ``OPENAPI_SCHEMAS`` (name → JSON Schema); this module adds the parts every route
shares (the bearer scheme, the error shape, the list envelope, the answers of the token check and
the rate limit) and merges the rest. tests/api/test_openapi.py keeps the document and the URL map
in step, and tests/api/test_schemathesis.py checks the running app against it.
"""

import copy

from flask import jsonify

from hiring import api, api_candidates, api_resources
from hiring.access import public
from hiring.api import ERROR_CODES, READ_METHODS, bp
from models import Role

# The modules that describe their routes (OPENAPI_PATHS, OPENAPI_SCHEMAS), besides this one.
ENDPOINT_MODULES = (api, api_candidates, api_resources)


def error(description: str) -> dict:
    """A response object for an error answered with the Error schema."""
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def json_response(description: str, schema_name: str) -> dict:
    """A response object whose JSON body is the named schema."""
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}},
    }


SHARED_SCHEMAS = {
    "Error": {
        "type": "object",
        "description": "Every error: a stable code, a message for people, and per-field messages for invalid input.",
        "required": ["error"],
        "additionalProperties": False,
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message", "fields"],
                "additionalProperties": False,
                "properties": {
                    "code": {"type": "string", "enum": sorted({*ERROR_CODES.values(), "error"})},
                    "message": {"type": "string"},
                    "fields": {
                        "type": "object",
                        "description": "Field name → messages (empty unless the input was invalid).",
                        "additionalProperties": {"type": "array", "items": {"type": "string"}},
                    },
                },
            }
        },
    },
    "Page": {
        "type": "object",
        "description": "The envelope of every list; the endpoint's schema narrows `items`.",
        "required": ["items", "page", "per_page", "total"],
        "properties": {
            "items": {"type": "array"},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": 200},
            "total": {"type": "integer", "minimum": 0},
        },
    },
    "Me": {
        "type": "object",
        "required": ["id", "email", "name", "role", "read_only"],
        "additionalProperties": False,
        "properties": {
            "id": {"type": "integer"},
            "email": {"type": "string"},
            "name": {"type": "string"},
            "role": {"type": "string", "enum": [role.value for role in Role]},
            "read_only": {"type": "boolean"},
        },
    },
}

SHARED_PARAMETERS = {
    "page": {
        "name": "page",
        "in": "query",
        "required": False,
        "description": "The page to return, from 1.",
        "schema": {"type": "integer", "minimum": 1, "default": 1},
    },
    "per_page": {
        "name": "per_page",
        "in": "query",
        "required": False,
        "description": "Items per page, 1 to 200.",
        "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50},
    },
}

# The routes of this module and of hiring/api.py.
OPENAPI_PATHS = {
    "/me": {
        "get": {
            "operationId": "getMe",
            "summary": "Who the token acts as",
            "tags": ["meta"],
            "responses": {
                "200": json_response("The token's user, their role, and whether the token is read-only.", "Me")
            },
        }
    },
    "/openapi.json": {
        "get": {
            "operationId": "getOpenApi",
            "summary": "This document",
            "tags": ["meta"],
            "security": [],
            "responses": {
                "200": {
                    "description": "The OpenAPI 3.1 document of this API.",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                }
            },
        }
    },
}

# Answers of the token check and the rate limit (hiring/api.py), which every route can give.
TOKEN_MISSING = error("No token, or a revoked, mistyped or deactivated user's token.")
READ_ONLY = error("A read-only token was used to write, or the token's role may not use this endpoint.")
RATE_LIMITED = error("Too many requests with this token (API_RATE_LIMIT); try again later.")

DESCRIPTION = (
    "Bench's JSON API. Send a personal API token (created on the API tokens page) as "
    "`Authorization: Bearer <token>`; it acts with its user's role, and a read-only token may only read. "
    'Errors answer `{"error": {"code", "message", "fields"}}`; lists answer '
    '`{"items", "page", "per_page", "total"}`.'
)


def merge_into(target: dict, fragment: dict, what: str) -> None:
    """Add ``fragment``'s entries to ``target``; two modules describing the same entry is a bug."""
    for key, value in fragment.items():
        if key in target and target[key] != value:
            raise ValueError(f"OpenAPI {what} {key!r} is described twice, differently.")
        target[key] = copy.deepcopy(value)


def with_shared_responses(operation: dict, method: str) -> dict:
    """The operation, plus the answers every authenticated route can give (unless it describes them itself)."""
    responses = operation.setdefault("responses", {})
    if operation.get("security") != []:
        responses.setdefault("401", TOKEN_MISSING)
        if method.upper() not in READ_METHODS:
            responses.setdefault("403", READ_ONLY)
    responses.setdefault("429", RATE_LIMITED)
    return operation


def document() -> dict:
    """The whole OpenAPI 3.1 document of /api/v1."""
    paths: dict = {}
    schemas: dict = copy.deepcopy(SHARED_SCHEMAS)
    fragments = [(OPENAPI_PATHS, {})]
    fragments += [(getattr(m, "OPENAPI_PATHS", {}), getattr(m, "OPENAPI_SCHEMAS", {})) for m in ENDPOINT_MODULES]
    for module_paths, module_schemas in fragments:
        for path, operations in module_paths.items():
            merge_into(paths.setdefault(path, {}), operations, f"operation of {path}:")
        merge_into(schemas, module_schemas, "schema")
    for operations in paths.values():
        for method, operation in operations.items():
            if method in {"get", "put", "post", "delete", "patch", "head", "options"}:
                with_shared_responses(operation, method)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Bench API", "version": "1.0.0", "description": DESCRIPTION},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "A personal API token, bench_…"}
            },
            "schemas": schemas,
            "parameters": copy.deepcopy(SHARED_PARAMETERS),
        },
    }


@bp.get("/openapi.json")
@public
def openapi_json():
    """The OpenAPI document; public, so tools can read it before a token exists."""
    return jsonify(document())
