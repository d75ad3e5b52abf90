"""schemathesis against ``/api/schema/``: every operation, called in-process through WSGI as a signed-in
member (DRF token), with a bounded, derandomized number of generated requests.

Asserts no 5xx and that every response conforms to the schema (status code, content type, body,
headers). The schema is loaded from the app itself, so a new endpoint is fuzzed without editing this.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from knox.models import AuthToken
from schemathesis import checks

from plexus_office.wsgi import application
from tests.security.conftest import Company, build_company

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)

# What the API must hold to for every request. Left out on purpose: positive_data_acceptance and
# negative_data_rejection (a schema-valid body is still refused by business rules with a 400 naming the
# field, e.g. "not in your downline", and form-encoded bodies lose nesting), which the service tests cover.
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
    checks.ignored_auth,
    checks.unsupported_method,
]

pytestmark = pytest.mark.django_db


@pytest.fixture
def member_token(db, frozen_today) -> Iterator[str]:
    company: Company = build_company()
    user = company.owner.user
    assert user is not None
    # schemathesis calls the real WSGI handler, whose request signals close the database connection
    # between requests (and with it the test's transaction on PostgreSQL); Django's test Client
    # disconnects them the same way.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield AuthToken.objects.create(user=user)[1]
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_every_generated_request_without_5xx_and_as_documented(case, member_token):
    # Drop the credentials schemathesis generates from the schema's security schemes (a random session
    # cookie or token): the member's real token is sent explicitly, and schemathesis then probes the
    # same request without it and with a wrong one, expecting 401/403.
    if case.cookies:
        case.cookies.pop("sessionid", None)
    if case.headers:
        case.headers.pop("Authorization", None)
    case.call_and_validate(headers={"Authorization": f"Token {member_token}"}, checks=CHECKS)
