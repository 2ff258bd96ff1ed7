"""Static files in production: hashed names, a year of caching, gzip, and no template naming a static
path by hand (each goes through url_for, so it gets the hashed name)."""
from __future__ import annotations

import gzip
import re

from course_app import create_app
from course_app.config import PROJECT_ROOT
from course_app.static_files import hashed_name


def production_app(tmp_path, database_url, signing_key_file):
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "test-secret", "COURSE_ENV": "production",
                      "PUBLIC_BASE_URL": "https://ce.example.org", "SIGNING_KEY_FILE": signing_key_file,
                      "RATELIMIT_ENABLED": False})
    return app


def test_pages_link_hashed_static_files_served_with_long_caching_and_gzip(tmp_path, signing_key_file):
    app = production_app(tmp_path, f"sqlite:///{tmp_path / 'unused.sqlite3'}", signing_key_file)
    client = app.test_client()
    page = client.get("/", base_url="https://ce.example.org").get_data(as_text=True)  # only its public host
    stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', page)
    assert stylesheet, page[:800]
    assert re.search(r'src="/static/js/forms\.[0-9a-f]{12}\.js"', page)

    original = (PROJECT_ROOT / "static" / "css" / "site.css").read_bytes()
    with client.get(stylesheet.group(1)) as plain:
        assert plain.status_code == 200 and plain.data == original and plain.mimetype == "text/css"
        assert "immutable" in plain.headers["Cache-Control"] and "max-age=315360000" in plain.headers["Cache-Control"]
        assert plain.headers["X-Content-Type-Options"] == "nosniff"

    with client.get(stylesheet.group(1), headers={"Accept-Encoding": "gzip, deflate, br"}) as zipped:
        assert zipped.headers["Content-Encoding"] == "gzip" and gzip.decompress(zipped.data) == original
        assert len(zipped.data) < len(original) / 2


def test_an_edited_file_gets_a_new_name():
    assert hashed_name("css/site.css", b"a{}") != hashed_name("css/site.css", b"a{color:red}")
    assert re.fullmatch(r"css/site\.[0-9a-f]{12}\.css", hashed_name("css/site.css", b"a{}"))


def test_no_template_or_stylesheet_names_a_static_path_by_hand():
    for path in [*(PROJECT_ROOT / "templates").rglob("*.html"), *(PROJECT_ROOT / "static").rglob("*.css"),
                 *(PROJECT_ROOT / "static").rglob("*.js")]:
        text = path.read_text()
        assert "/static/" not in text, f"{path} names a static path; use url_for('static', filename=...)"
