"""The OpenAPI document: valid OpenAPI 3.1, served without a token, and in step with the URL map."""

import re

import jsonschema
import schemathesis

from hiring import openapi  # noqa: F401 - registers GET /api/v1/openapi.json on the API blueprint
from hiring.openapi import document
from models import AuditEntry, db

METHODS = {"get", "put", "post", "delete", "patch"}


def documented_operations(doc: dict) -> set[tuple[str, str]]:
    """(method, path) of every operation in the document."""
    return {(method, path) for path, item in doc["paths"].items() for method in item if method in METHODS}


def routed_operations(app) -> set[tuple[str, str]]:
    """(method, path) of every API route, in OpenAPI's templating: /candidates/{candidate_id}."""
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
            found |= {(method.lower(), path) for method in rule.methods if method.lower() in METHODS}
    return found


def refs_in(node) -> list[str]:
    """Every $ref in a JSON document."""
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [ref for value in node.values() for ref in refs_in(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in refs_in(value)]
    return []


def resolve(doc: dict, ref: str):
    """The node a local $ref points at (KeyError when it points nowhere)."""
    node = doc
    for part in ref.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def test_the_document_is_valid_openapi_3_1(app):
    with app.test_request_context():
        doc = document()
    assert doc["openapi"] == "3.1.0" and doc["servers"] == [{"url": "/api/v1"}]
    schemathesis.openapi.from_dict(doc).validate()  # against the OpenAPI 3.1 meta-schema
    for schema in doc["components"]["schemas"].values():
        jsonschema.Draft202012Validator.check_schema(schema)
    for ref in refs_in(doc):
        assert ref.startswith("#/") and resolve(doc, ref) is not None, ref


def test_every_api_route_is_documented_and_every_documented_operation_exists(app):
    with app.test_request_context():
        doc = document()
    assert documented_operations(doc) == routed_operations(app)


def test_every_operation_documents_its_path_parameters_errors_and_a_success(app):
    with app.test_request_context():
        doc = document()
    operation_ids = []
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            operation_ids.append(operation["operationId"])
            parameters = [resolve(doc, p["$ref"]) if "$ref" in p else p for p in item.get("parameters", [])]
            parameters += [resolve(doc, p["$ref"]) if "$ref" in p else p for p in operation.get("parameters", [])]
            declared = {p["name"] for p in parameters if p["in"] == "path"}
            assert declared == set(re.findall(r"{(\w+)}", path)), (method, path)
            codes = set(operation["responses"])
            assert any(code.startswith("2") for code in codes), (method, path)
            assert "429" in codes and ("401" in codes or operation.get("security") == []), (method, path)
            for code in codes - {"200", "201", "204", "304"}:
                body = operation["responses"][code]["content"]["application/json"]["schema"]
                assert body == {"$ref": "#/components/schemas/Error"}, (method, path, code)
    assert len(operation_ids) == len(set(operation_ids))


def test_the_document_is_served_without_a_token_and_unaudited(app, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    with app.test_request_context():
        assert response.get_json() == document()
    with app.app_context():
        assert db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "api.used")) is None
