import time, pytest
from tests.test_browser import chromium, live_server, context, page, _QuietHandler  # noqa
from tests.test_browser import register, finish_lessons, pass_quiz, submit_evaluation, LESSON_TWO

@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_timing(page):
    t = time.perf_counter()
    def lap(msg):
        nonlocal t
        now = time.perf_counter(); print(f"{msg}: {now - t:.2f}s"); t = now
    page.goto("/"); lap("home")
    register(page); lap("register")
    finish_lessons(page); lap("finish_lessons")
    pass_quiz(page); lap("pass_quiz")
    submit_evaluation(page); lap("evaluation")
