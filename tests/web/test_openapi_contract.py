"""The OpenAPI description is accurate.

Schemathesis generates requests for every operation from the description and
checks each answer against it: documented status codes and content types,
response bodies matching their schemas, no server errors, invalid input
refused and valid input accepted. (Its pytest plugin does not run on pytest
9, so each operation is driven through Hypothesis here.)
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from retain.config import Settings
from retain.web import WebSettings, create_app

from .conftest import make_web

#: (method, path) of every operation, read from the description itself
OPERATIONS = sorted(
    (method.upper(), path)
    for path, item in create_app(None, Settings(), web=WebSettings(secret_key="x"))
    .openapi()["paths"]
    .items()
    for method in item
)


#: operations with rules JSON Schema cannot state: across fields (a refund above
#: the amount, a score outside its scale) or over the record's state (the case
#: workflow: a resolved case cannot be resolved again): schema-valid input may get 422
CROSS_FIELD_RULES = {
    ("POST", "/api/v1/orders"),
    ("PATCH", "/api/v1/orders/{order_id}"),
    ("POST", "/api/v1/feedback"),
    ("POST", "/api/v1/cases/{case_id}/comments"),
    ("POST", "/api/v1/cases/{case_id}/status"),
    ("POST", "/api/v1/cases/{case_id}/resolve"),
    ("POST", "/api/v1/cases/{case_id}/assign"),
    ("PATCH", "/api/v1/actions/{action_id}"),  # done twice; snooze into the past
    ("POST", "/api/v1/segments"),  # the filter language has a grammar, not a schema
}


@pytest.fixture
def api_schema(sqlite_store):
    web = make_web(sqlite_store)
    admin = web.api("admin")
    made = admin.post("/api/v1/customers", json={"external_id": "C1", "name": "Ada"}).json()
    admin.post(
        "/api/v1/orders",
        json={
            "external_id": "O1",
            "customer_id": made["id"],
            "amount_minor": 100,
            "currency": "EUR",
            "ordered_at": "2025-01-01T00:00:00Z",
        },
    )
    admin.post("/api/v1/cases", json={"customer_id": made["id"], "subject": "Late"})
    admin.get("/api/v1/dashboard")  # compute the figures once: it takes seconds on a busy machine
    loaded = schemathesis.openapi.from_asgi("/api/v1/openapi.json", web.app)
    return loaded, web.tokens["admin"]


def test_every_operation_is_covered():
    assert ("GET", "/api/v1/customers") in OPERATIONS and len(OPERATIONS) > 10


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_operation_matches_its_description(api_schema, method, path):
    loaded, token = api_schema
    operation = loaded[path][method]

    @given(case=operation.as_strategy())
    @settings(
        max_examples=20,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def check(case):
        case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, excluded_checks=skip)

    skip = [positive_data_acceptance] if (method, path) in CROSS_FIELD_RULES else []

    check()
