"""Wrong-shaped values on every route: never a 500, and a refused request writes nothing.

Routes come from the application's introspection; each is called as a demo user whose role may
reach it, with random values for every parameter name the views read, in the URL, the query
string, the form and (for the API) a JSON body: non-ASCII digits, numbers too large for the
database, lists, objects, 1e400, booleans, text.
"""
import json
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyramid.security import NO_PERMISSION_REQUIRED
from sqlalchemy import text

from recordsys.core.demo import DEMO_USERS, OFFICE, PROVINCE
from recordsys.core.models import Role
from recordsys.core.roles import ROLE_PERMISSIONS
from recordsys.params import INT_MAX, Int, ParameterError, Text, parse_int
from tests.conftest import login
from tests.core.test_access import records  # noqa: F401  (fixture: documents and a dossier)
from tests.core.test_permissions import PLACEHOLDER, all_views

BAD_NUMBERS = ["²", "٣", "１２", "٣٣", "2147483648", str(2**31 - 1), str(2**63), str(10**30), "9" * 5000, "-1",
               "0", "1e400", "1.5", "NaN", "", " ", "true", "[1]", "{}", "0x10", "1_000", "\x00", "1,2", "٣,²",
               "+1", " 7 ", "-0"]
FIELDS = ["page", "page_size", "year", "id", "add", "order", "dossier", "q", "kind", "sort", "org", "direction",
          "decision", "sha256", "name", "plan_code", "title", "retention", "plan_only", "action", "note", "reason"]
JSON_FIELDS = ["year", "plan_code", "title", "retention", "extra"]
RAW_BODIES = ["1e400", "[", "[]", "null", "true", '{"year": 1e400}', '{"year": -1e400}', '{"year": NaN}',
              '{"year": 1' + "0" * 5000 + "}", "[" * 50_000, '{"year": "٣"}', '{"year": 10000000000000000000000000000000}',
              '{"year": 2026, "title": ["x"]}', '{"year": {"a": 1}}', '{"year": true}', "\xff\xfe"]
TABLES = ("documents", "dossiers", "dossier_items", "dossier_plan_entries", "audit_events", "packages",
          "transfer_batches", "disposition_batches", "jobs")

values = st.one_of(st.sampled_from(BAD_NUMBERS), st.text(max_size=12),
                   st.integers(min_value=-10**40, max_value=10**40).map(str))
json_values = st.one_of(st.integers(min_value=-10**40, max_value=10**40), st.booleans(), st.none(),
                        st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=10),
                        st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))


def _users_for(permission):
    """Every demo user whose role grants ``permission``, with their agency (the admin's is the province)."""
    return [(username, PROVINCE if role == "admin" else org) for username, _, role, org in DEMO_USERS
            if permission == NO_PERMISSION_REQUIRED or permission in ROLE_PERMISSIONS[Role(role)]]


def _routes(registry):
    """(route, pattern, method, user, agency) for every route and every role that reaches it."""
    out = []
    for name, pattern, method, permission in all_views(registry):
        if pattern.lstrip("/").startswith("static") or name in ("login", "logout", "language"):
            continue
        out.extend((name, pattern, method, *found) for found in _users_for(permission))
    return sorted(set(out))


def _counts(engine):
    with engine.connect() as connection:
        return {t: connection.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in TABLES}


@pytest.fixture
def clients(app, records):  # noqa: F811
    from webtest import TestApp

    out = {}
    for username, *_ in DEMO_USERS:
        client = TestApp(app)
        login(client, username)
        token = client.get("/login").forms[0]["csrf_token"].value
        out[username] = (client, token)
    return out


WORST = [({f: "٣" for f in FIELDS}, "٣", '{"year": [2026], "title": {"a": 1}}'),
         ({f: str(10**30) for f in FIELDS}, str(10**30), '{"year": 1e400, "plan_code": true}')]


def _send(client, token, method, url, params, body):
    if method == "GET":
        return client.get(url, params=params, status="*", expect_errors=True)
    if url.startswith("/api/"):
        return client.request(url, method=method, body=body.encode("utf-8", "surrogatepass"),
                              content_type="application/json", headers={"X-CSRF-Token": token},
                              status="*", expect_errors=True)
    return client.request(url, method=method, POST=[*params.items(), ("csrf_token", token)],
                          headers={"X-CSRF-Token": token}, status="*", expect_errors=True)


def test_every_route_and_role_with_the_worst_values(app, clients):
    """Not left to chance: each (route, role) pair once with non-ASCII digits everywhere and once
    with 10**30 everywhere (and a JSON body of the wrong types)."""
    engine = app.registry["db_engine"]
    pairs = _routes(app.registry)
    for name, pattern, method, username, org in pairs:
        for params, segment, body in WORST:
            url = PLACEHOLDER.sub(lambda m: org if m.group(1) == "org" else quote(segment), pattern)  # noqa: B023
            client, token = clients[username]
            before = _counts(engine)
            response = _send(client, token, method, url, params, body)
            assert response.status_int < 500, (name, method, username, url, response.status, response.text[:300])
            if response.status_int >= 400:
                assert _counts(engine) == before, (name, method, username, url, response.status)
            if "{id" in pattern or name in ("documents", "api.documents", "dossiers", "search", "api.search"):
                assert response.status_int in (400, 404, 422), (name, method, username, url, response.status)
    assert len({p[:3] for p in pairs}) >= 20 and len(pairs) >= 40


@settings(max_examples=200, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_wrong_shaped_values_never_500_and_write_nothing(app, clients, records, data):  # noqa: F811
    routes = _routes(app.registry)
    _name, pattern, method, username, org = data.draw(st.sampled_from(routes), label="route")
    ids = [str(records["dossier"]), str(records["public"]), "٣", "2147483648", str(10**30), "0"]
    url = PLACEHOLDER.sub(lambda m: org if m.group(1) == "org"
                          else quote(data.draw(st.sampled_from(ids), label=m.group(1))), pattern)
    params = data.draw(st.dictionaries(st.sampled_from(FIELDS), values, max_size=4), label="params")
    client, token = clients[username]
    engine = app.registry["db_engine"]
    before = _counts(engine)
    if method == "GET":
        response = client.get(url, params=params, status="*", expect_errors=True)
    elif pattern.startswith("/api/"):
        body = data.draw(st.one_of(
            st.dictionaries(st.sampled_from(JSON_FIELDS), json_values, max_size=4).map(json.dumps),
            st.sampled_from(RAW_BODIES)), label="body")
        response = client.request(url, method=method, body=body.encode("utf-8", "surrogatepass"),
                                  content_type="application/json", headers={"X-CSRF-Token": token},
                                  status="*", expect_errors=True)
    else:
        form = [(k, v) for k, v in params.items()] + [("csrf_token", token)]
        form += [(k, v) for k in ("add", "dossier") for v in data.draw(st.lists(values, max_size=2), label=k)]
        response = client.request(url, method=method, POST=form, headers={"X-CSRF-Token": token},
                                  status="*", expect_errors=True)
    assert response.status_int < 500, (method, url, params, response.status, response.text[:500])
    if response.status_int >= 400:
        after = _counts(engine)
        if response.status_int == 409:  # a refused change to a closed dossier is audited, by design
            after["audit_events"] = before["audit_events"]
        assert after == before, (method, url, params, response.status)
    if response.status_int == 400 and pattern.startswith("/api/") and response.content_type == "application/problem+json":
        assert response.json.get("detail"), response.text


@pytest.mark.parametrize("raw", ["²", "٣", "１２", "2147483648", str(10**30), "1e400", "1.5", "", "-1", "x"])
def test_parse_int_names_the_field(raw):
    with pytest.raises(ParameterError) as caught:
        parse_int(raw, "page", min=1)
    assert caught.value.field == "page" and caught.value.http_status == 400
    assert str(caught.value).startswith("page:")


@pytest.mark.parametrize("value", [[1], {"a": 1}, float("inf"), 2026.0, True, False, 10**30, "٣", None])
def test_json_integers_are_integers(value):
    with pytest.raises(ParameterError):
        Int(min=1900, max=2200).parse(value, "year")
    assert Int(default=5).parse(None, "n") == 5 and Int(max=INT_MAX).parse(INT_MAX, "n") == INT_MAX
    with pytest.raises(ParameterError):
        Text(10).parse(value if not isinstance(value, str) else ["x"], "title")


def test_a_bad_number_is_named_in_the_answer(testapp, demo):
    login(testapp, "vanthu")
    page = testapp.get(f"/api/v1/orgs/{OFFICE}/documents", params={"page": "٣"}, status=400)
    assert page.content_type == "application/problem+json" and page.json["field"] == "page"
    assert testapp.get(f"/orgs/{OFFICE}/documents", params={"page": str(10**30)}, status=400)
    login(testapp, "luutru")
    assert "id" in testapp.get(f"/orgs/{OFFICE}/dossiers/2147483648", status=400).text
    assert testapp.get(f"/orgs/{OFFICE}/dossiers/%D9%A3", status=400)  # Arabic-Indic three
    token = testapp.get("/login").forms[0]["csrf_token"].value
    answer = testapp.post(f"/api/v1/orgs/{OFFICE}/dossiers", '{"year": 1e400, "title": "x"}',
                          content_type="application/json", headers={"X-CSRF-Token": token}, status=400)
    assert answer.json["field"] == "year"
