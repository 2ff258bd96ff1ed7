"""Two gunicorn instances on different ports, sharing one PostgreSQL database and one Redis: a learner
logged in on one continues on the other, rate limits count across both, and parallel certificate claims
sent to both give one certificate."""
from __future__ import annotations

import re
import threading
from urllib.parse import urlencode, urlsplit

import pytest
from sqlalchemy import func, select

from bench.harness import USER_AGENT, Gunicorn, Http, app_environment
from course_app.models import Certificate

from .conftest import FIXTURE_COURSE
from .servers import OwnRedis, free_port
from .test_certificates import EVALUATION, pass_basics

pytestmark = pytest.mark.skipif(not OwnRedis.available(), reason="redis-server is not installed")


@pytest.fixture
def database_url(postgres_url):
    """PostgreSQL only: SQLite is one machine's file, not something two hosts share."""
    from .conftest import _truncate_postgres

    _truncate_postgres(postgres_url)
    return postgres_url


@pytest.fixture
def instances(database_url, signing_key_file, tmp_path):
    redis = OwnRedis().start()
    ports = [free_port(), free_port()]
    env = app_environment(tmp_path, database_url, ports[0], RATELIMIT_STORAGE_URI=redis.url(6),
                          CONTENT_ROOT=str(FIXTURE_COURSE), SIGNING_KEY_FILE=signing_key_file,
                          PUBLIC_BASE_URL="https://ce.example.org", SECRET_KEY="test-secret")
    servers = []
    try:
        for port in ports:
            servers.append(Gunicorn("course_app:create_app()", env, port, workers=2, log=tmp_path / f"{port}.log"))
        yield ports
    finally:
        for server in servers:
            server.stop()
        redis.stop()


def browser_from(client, port: int) -> Http:
    """An HTTP client for one instance carrying the test client's session cookie."""
    http = Http(port)
    http.cookie = f"session={client.get_cookie('session').value}"
    return http


def test_a_learner_continues_on_the_other_instance_and_limits_count_across_both(client, auth, instances):
    client.environ_base["HTTP_USER_AGENT"] = USER_AGENT
    auth.register()
    for port in instances:
        status, _, page = browser_from(client, port).request("GET", "/dashboard")
        assert status == 200 and "Log out" in page, (port, status)

    statuses = []
    for attempt in range(12):  # the login limit is 10 a minute per address, whichever instance answers
        http = Http(instances[attempt % 2])
        status, _, _ = http.form("/account/login", {"email": "ana@example.org", "password": "not the password!!"})
        statuses.append(status)
    assert statuses[:10].count(429) == 0 and statuses[10:] == [429, 429], statuses


def test_parallel_claims_on_both_instances_give_one_certificate(client, auth, fresh, app, instances):
    client.environ_base["HTTP_USER_AGENT"] = USER_AGENT
    pass_basics(client, auth, fresh, app)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"',
                      client.get("/modules/basics/evaluation").get_data(as_text=True)).group(1)
    cookie = f"session={client.get_cookie('session').value}"
    start = threading.Barrier(8)
    answers: list[tuple[int, str]] = []

    def claim(port: int) -> None:
        http = Http(port)
        http.cookie = cookie
        start.wait(timeout=30)
        status, headers, _ = http.request("POST", "/modules/basics/evaluation",
                                          urlencode({"csrf_token": token, **EVALUATION}).encode(),
                                          {"Content-Type": "application/x-www-form-urlencoded"})
        answers.append((status, headers.get("Location", "")))

    threads = [threading.Thread(target=claim, args=(instances[n % 2],)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(status == 302 for status, _ in answers), answers
    assert fresh.scalar(select(func.count()).select_from(Certificate)) == 1
    code = fresh.scalar(select(Certificate)).code
    issued = [location for _, location in answers if "/certificates/" in location]
    assert issued and all(urlsplit(location).path == f"/certificates/{code}" for location in issued)
