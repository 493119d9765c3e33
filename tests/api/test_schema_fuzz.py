"""The API answers as its OpenAPI schema says (SECURITY.md, "API schema and fuzzing").

Schemathesis generates requests for every operation of the schema that `/api/schema/` serves —
reads and writes (POST/PUT/PATCH/DELETE) — from the schema itself: its examples, the boundary
values of each parameter and property (the coverage phase), then random valid and invalid ones.
They are sent in-process to the portal's WSGI application on the demo data (`seed_demo`), signed
in by token as the administrator and as a county user (东湖区), and every answer is checked with
all of Schemathesis's checks:

- no 5xx;
- only documented status codes, content types and headers, bodies as the schema describes them
  (nullable where null comes back; errors in the one error body of shared/DESIGN.md);
- a schema-valid request is accepted — or refused with 400/409 for a rule the schema cannot state
  (an unknown region code, a year outside a plan period, a report not in that state);
- a schema-violating request is refused (query, path and header parameters; a body only where DRF's
  documented coercions do not make it valid: `lenient_body_checks`);
- the token is not ignored, unsupported methods answer 405, deleted objects are gone.

Each operation is one test per role, in its own transaction on the demo data: what one
operation's writes change is rolled back before the next. Examples are derandomized, so a run is
the same run each time; a few per operation keep the whole module within a few minutes.
"""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import negative_data_rejection

from apps.accounts.models import User
from apps.accounts.tokens import issue_token

# Schema-valid requests may still break a rule of the domain that no schema states.
BUSINESS_RULE_STATUSES = ["2xx", "3xx", "400", "401", "403", "404", "409", "412", "429"]
MAX_EXAMPLES = 8  # random examples per operation and generation mode, after the coverage phase
ROLES = {"admin": "admin", "county": "donghu"}

CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": 20261130,
        # No replay of the failures of earlier local runs: every run is the same run.
        "cache": {"enabled": False},
        "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "deterministic": True},
        "checks": {"positive_data_acceptance": {"expected-statuses": BUSINESS_RULE_STATUSES}},
        # One operation at a time: chains of operations (the stateful phase) are left to the
        # workflow tests, whose order of steps is the domain's.
        "phases": {"stateful": {"enabled": False}},
    }
)


def served_schema() -> dict:
    """The document `/api/schema/` serves (SpectacularAPIView: the public schema, as JSON)."""
    generator = SchemaGenerator()
    return json.loads(OpenApiJsonRenderer().render(generator.get_schema(request=None, public=True)))


schema = schemathesis.openapi.from_dict(served_schema(), config=CONFIG)
schema.app = get_wsgi_application()


def lenient_body_checks(case) -> list:
    """DRF reads a request body leniently by design — a number for a string field, 0/1 for a
    boolean, "" for an empty relation in a form — so a body made invalid only that way may be
    accepted (the serializer still validates what it keeps). Query, path and header parameters
    are held to the schema strictly (apps/core/filters.py)."""
    meta = case.meta
    if meta is not None and meta.generation.mode.is_negative:
        negative = {location for location, info in meta.components.items() if info.mode.is_negative}
        if negative == {ParameterLocation.BODY}:
            return [negative_data_rejection]
    return []


@pytest.fixture
def in_test_transaction():
    """The WSGI application without closing the connection after each request (which would end the
    test's transaction), as Django's test client does."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture(params=sorted(ROLES))
def token_headers(request, demo, in_test_transaction):
    user = User.objects.get(username=ROLES[request.param])
    return {"Authorization": f"Token {issue_token(user).key}"}


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_every_operation_answers_as_the_schema_says(case, token_headers):
    # Each request in a savepoint: a database error in one cannot poison the test's transaction.
    with transaction.atomic():
        case.call_and_validate(headers=token_headers, excluded_checks=lenient_body_checks(case))


def test_the_schema_is_valid_and_generated_without_warnings(tmp_path):
    from django.core.management import call_command

    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    assert "/api/v1/reports/" in target.read_text(encoding="utf-8")
