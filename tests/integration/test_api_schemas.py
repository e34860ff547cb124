"""The OpenAPI document is valid and gives every operator route a response schema (issue 13, item 2),
and what the routes answer is what their schemas say (reel.api.schemas)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from openapi_spec_validator import validate
from pydantic import BaseModel

from conftest import BeaconMaker
from reel.api import schemas
from reel.domain.records import Application
from reel.processing.worker import process_pending
from support import post_beacon

OPERATOR_PREFIXES = ("/api/v1/", "/resources/")


def operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, op)
        for path, ops in doc["paths"].items()
        if path.startswith(OPERATOR_PREFIXES)
        for method, op in ops.items()
    ]


def test_the_openapi_document_validates(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    validate(doc)  # raises, naming the place, on a document that breaks OpenAPI 3.1


def test_every_operator_route_has_a_response_schema(client: TestClient) -> None:
    doc = client.app.openapi()  # type: ignore[attr-defined]
    found = operations(doc)
    assert len(found) >= 20  # the walk reads the real document
    missing = []
    for method, path, op in found:
        ok = {code: r for code, r in op["responses"].items() if code.startswith("2")}
        contents = [c for r in ok.values() for c in r.get("content", {}).values()]
        if not contents or not all(c.get("schema") for c in contents):
            missing.append(f"{method} {path}")
    assert missing == []


def test_every_json_operator_route_declares_its_model(client: TestClient) -> None:
    """A route answering JSON names a model of reel.api.schemas, not a bare dict."""
    loose = [
        f"{sorted(r.methods)[0]} {r.path}"
        for r in client.app.routes  # type: ignore[attr-defined]
        if isinstance(r, APIRoute)
        and r.path.startswith("/api/v1/")
        and r.include_in_schema
        and "image/png" not in str(r.responses)
        and not (isinstance(r.response_model, type) and issubclass(r.response_model, BaseModel))
    ]
    assert loose == []


def fields_of(model: type[BaseModel]) -> set[str]:
    return set(model.model_fields)


def conforms(model: type[BaseModel], body: dict[str, Any]) -> None:
    """`body` validates against `model`, and every field it carries is in the schema (documented)."""
    model.model_validate(body)
    assert set(body) <= fields_of(model), set(body) - fields_of(model)


@pytest.fixture
def recorded(client: TestClient, demo_app: Application, beacon: BeaconMaker) -> str:
    for seq in range(2):
        assert post_beacon(client, demo_app, beacon(seq)).status_code == 200
    process_pending(client.app.state.reel)  # type: ignore[attr-defined]
    page = client.get("/api/v1/sessions").json()
    return str(page["sessions"][0]["id"])


def test_the_session_routes_answer_what_their_schemas_say(client: TestClient, recorded: str) -> None:
    page = client.get("/api/v1/sessions").json()
    conforms(schemas.SessionPage, page)
    for summary in page["sessions"]:
        conforms(schemas.SessionSummary, summary)
    detail = client.get(f"/api/v1/sessions/{recorded}").json()
    conforms(schemas.SessionDetail, detail)
    segment = client.get(f"/api/v1/sessions/{recorded}/segments/{detail['segments'][0]['n']}").json()
    conforms(schemas.SegmentEvents, segment)
    conforms(schemas.EventList, client.get(f"/api/v1/sessions/{recorded}/events").json())
    actions = client.get(f"/api/v1/sessions/{recorded}/actions").json()
    conforms(schemas.ActionList, actions)
    for action in actions["actions"]:
        conforms(schemas.ActionOut, action)
    preview = client.post(
        f"/api/v1/sessions/{recorded}/masking-preview", json={"rules": {"preset": "mask_inputs"}}
    )
    assert preview.status_code == 200
    conforms(schemas.MaskingPreview, preview.json())


def test_the_application_and_rules_routes_answer_what_their_schemas_say(
    client: TestClient, demo_app: Application
) -> None:
    listing = client.get("/api/v1/applications").json()
    conforms(schemas.ApplicationList, listing)
    for app in listing["applications"]:
        conforms(schemas.ApplicationUsage, app)
    created = client.post("/api/v1/applications", json={"name": "Docs", "origins": ["https://docs.test"]})
    assert created.status_code == 201
    conforms(schemas.ApplicationOut, created.json())
    changed = client.patch(f"/api/v1/applications/{demo_app.id}", json={"retention_days": 10})
    conforms(schemas.ApplicationUsage, changed.json())
    rules = f"/api/v1/applications/{demo_app.id}/masking-rules"
    conforms(schemas.RulesDocument, client.get(rules).json())
    saved = client.put(rules, json={"preset": "mask_inputs", "rules": [{"type": "block", "selector": ".ad"}]})
    assert saved.status_code == 200
    conforms(schemas.RulesDocument, saved.json())
    versions = client.get(f"{rules}/versions").json()
    conforms(schemas.RulesVersions, versions)
    for version in versions["versions"]:
        conforms(schemas.RulesVersion, version)
    conforms(schemas.RulesVersionDetail, client.get(f"{rules}/versions/1").json())
    conforms(schemas.RulesVersionDetail, client.get(f"{rules}/versions/0").json())
    restored = client.post(f"{rules}/versions/0/restore")
    assert restored.status_code == 200
    conforms(schemas.RulesVersionDetail, restored.json())
    conforms(schemas.RulesCheck, client.post(f"{rules}/check", json={"preset": "allow_list"}).json())
    where = f"/api/v1/applications/{demo_app.id}/resource-settings"
    conforms(schemas.ResourceSettingsOut, client.get(where).json())
    put = client.put(where, json={"origins": ["https://cdn.docs.test"]})
    conforms(schemas.ResourceSettingsOut, put.json())


def test_the_deletion_and_audit_routes_answer_what_their_schemas_say(
    client: TestClient, recorded: str
) -> None:
    deleted = client.delete(f"/api/v1/sessions/{recorded}").json()
    conforms(schemas.DeletionResult, deleted)
    again = client.delete(f"/api/v1/sessions/{recorded}").json()
    conforms(schemas.DeletionResult, again)
    assert again["already_deleted"] is not None
    conforms(schemas.TombstoneOut, again["already_deleted"])
    conforms(schemas.DeletionResult, client.post("/api/v1/deletions", json={"user_id": "nobody"}).json())
    audit = client.get("/api/v1/audit").json()
    conforms(schemas.AuditLog, audit)
    assert audit["entries"]
    for entry in audit["entries"]:
        conforms(schemas.AuditEntryOut, entry)
