"""Program certificates sum their modules' hours; rate limits are shared through Redis."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from course_app import create_app
from course_app.extensions import db, limiter
from course_app.models import Certificate

from .test_certificates import EVALUATION, earn_certificate, page_text, post_with_token


def test_program_certificate_sums_hours_once_every_module_has_its_own(client, auth, fresh, app):
    earn_certificate(client, auth, fresh, app)
    page = client.get("/certificates").get_data(as_text=True)
    assert "Issued once every module of the program has its certificate." in page
    assert post_with_token(client, "/programs/whole/certificate", page="/certificates").status_code == 409
    token_page = "/modules/next-steps/lessons/steps"
    post_with_token(client, "/modules/next-steps/lessons/steps/complete", page=token_page)
    response = post_with_token(client, "/modules/next-steps/evaluation", EVALUATION, page="/modules/next-steps/evaluation")
    assert response.status_code == 302 and response.location.startswith("/certificates/")
    assert "Get my program certificate" in client.get("/certificates").get_data(as_text=True)
    response = post_with_token(client, "/programs/whole/certificate", page="/certificates")
    text = page_text(client.get(response.location))
    assert "The Whole Test Program" in text and "0.5 (0.05 AOTA CEUs)" in text and "Intermediate" in text
    again = post_with_token(client, "/programs/whole/certificate", page="/certificates")
    assert again.location == response.location  # one program certificate, however often asked
    kinds = [c.kind for c in fresh.scalars(select(Certificate))]
    assert sorted(kinds) == ["module", "module", "program"]


def redis_url() -> str:
    import os

    import redis

    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is required in CI but not reachable at {url}")
        pytest.skip(f"Redis not reachable at {url}")
    return url


def test_two_processes_share_one_limit_through_redis(database_url, content_root, signing_key_file):
    config = {"DATABASE_URL": database_url, "SECRET_KEY": "s", "CONTENT_ROOT": str(content_root),
              "SIGNING_KEY_FILE": signing_key_file, "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": redis_url()}
    first, second = create_app(config), create_app(config)  # as two gunicorn workers would
    visitor = {"REMOTE_ADDR": f"127.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"}
    code = "/verify/0000-0000-0000-0000-0000-0000-00"
    try:
        for _ in range(20):
            assert first.test_client().get(code, environ_base=visitor).status_code == 404
        for _ in range(10):
            assert second.test_client().get(code, environ_base=visitor).status_code == 404
        blocked = second.test_client().get(code, environ_base=visitor)
        assert blocked.status_code == 429 and "Please wait a minute" in page_text(blocked)
    finally:
        limiter.enabled = False
        for app in (first, second):
            with app.app_context():
                db.engine.dispose()
