"""Whatever arrives (junk in URLs, forms, JSON, headers), every page answers without a server error."""
from __future__ import annotations

import pytest

from .conftest import csrf_token

JUNK = ["x", "0", "-1", "99999999999999999999", "%00", "..%2F..%2Fetc", "<script>", "é" * 50, "a" * 300,
        "basics", "lesson-one", "whole", "1"]


def urls_for_every_rule(app) -> list[tuple[str, str]]:
    """Every route with every junk value in each of its variables, with each method it accepts."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for value in JUNK:
            path = rule.rule
            for argument in rule.arguments:
                path = path.replace(f"<{argument}>", value).replace(f"<int:{argument}>", value if value.isdigit() else "1")
                path = path.replace(f"<path:{argument}>", value)
                path = path.replace(f"<any(pdf, csv):{argument}>", "pdf")
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                found.append((method, path))
    return sorted(set(found))


@pytest.mark.parametrize("logged_in", [False, True], ids=["anonymous", "learner"])
def test_no_route_answers_500_to_junk(app, client, auth, logged_in):
    if logged_in:
        auth.register()
    token = csrf_token(client, "/account/login")
    bad = []
    for method, path in urls_for_every_rule(app):
        for kwargs in ({}, {"data": {"csrf_token": token, "text": "x" * 10, "revision": "abc", "q-scope": "<b>",
                                     "from": "2026-13-45", "code": "\x00", "full_name": "a\x00b"}},
                       {"json": {"text": ["not", "a", "string"], "revision": {"x": 1}}},
                       {"data": b"\xff\xfe not json", "content_type": "application/json"},
                       {"headers": {"Accept": "*/*;q=abc", "X-CSRFToken": "forged", "Content-Type": "text/nonsense"}}):
            if method == "GET" and kwargs and "headers" not in kwargs:
                continue
            response = client.open(path, method=method, **kwargs)
            if response.status_code >= 500 or b"Traceback" in response.get_data():
                bad.append((method, path, kwargs.keys(), response.status_code))
    assert bad == []
