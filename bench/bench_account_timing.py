"""Compare answer times that must not tell whether an address has an account: forgot password and
registration, each for a known and an unknown address, mail sent through a real SMTP server on loopback.

Run from the project root: .venv/bin/python bench/bench_account_timing.py [runs]
A ratio near 1.00 means the two answers cannot be told apart by their time.
"""
from __future__ import annotations

import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import Flask  # noqa: E402
from harness import median_ms  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from course_app import create_app  # noqa: E402
from course_app.mail import parse_mail_url  # noqa: E402
from tests.mailbox import SMTPServer  # noqa: E402  (aiosmtpd on a free loopback port)

PASSWORD = "correct horse battery staple"


def token(client, path: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def main(runs: int) -> None:
    smtp = SMTPServer().start()
    folder = Path(tempfile.mkdtemp())
    app = create_app({"DATABASE_URL": f"sqlite:///{folder / 'b.db'}", "SECRET_KEY": "b", "RATELIMIT_ENABLED": False,
                      "CONTENT_ROOT": str(ROOT / "tests" / "fixtures" / "course"), "MAIL_FOLDER": str(folder / "mail"),
                      "SIGNING_KEY_FILE": str(folder / "k.json"), "PUBLIC_BASE_URL": "https://ce.example.org"})
    app.config["MAIL"] = parse_mail_url(smtp.url)
    with app.app_context():
        upgrade()
    client = app.test_client()
    register = lambda email: client.post("/account/register", data={  # noqa: E731
        "csrf_token": token(client, "/account/register"), "full_name": "Ana Ortiz", "email": email,
        "password": PASSWORD, "confirm": PASSWORD, "credential": "OTR/L"})
    register("known@example.org")
    forgot = lambda email: client.post("/account/forgot", data={  # noqa: E731
        "csrf_token": token(client, "/account/forgot"), "email": email})
    counter = iter(range(10**6))
    results = {
        "forgot, known address": median_ms(lambda: forgot("known@example.org"), runs, warm_up=True),
        "forgot, unknown address": median_ms(lambda: forgot(f"nobody{next(counter)}@example.org"), runs, warm_up=True),
        "register, taken address": median_ms(lambda: register("known@example.org"), runs, warm_up=True),
        "register, new address": median_ms(lambda: register(f"new{next(counter)}@example.org"), runs, warm_up=True),
    }
    bare = Flask("bare")
    bare.add_url_rule("/", "index", lambda: "ok")
    bare_client = bare.test_client()
    baseline = median_ms(lambda: bare_client.get("/"), runs, warm_up=True)
    smtp.stop()
    for name, ms in results.items():
        print(f"{name:<26} {ms:8.1f} ms median  ({ms / baseline:,.0f}x bare Flask)")
    print(f"forgot known/unknown ratio:   {results['forgot, known address'] / results['forgot, unknown address']:.2f}")
    print(f"register taken/new ratio:     {results['register, taken address'] / results['register, new address']:.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
