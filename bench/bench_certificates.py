"""Time certificate PDFs and signed credentials, and report peak memory.

Run from the project root: .venv/bin/python bench/bench_certificates.py [runs]
"""
from __future__ import annotations

import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness import times_ms  # noqa: E402  (this folder is on the path when the script runs)

CODE = "7QF2-M9XK-4D8B-Z1PW-63HN-RT5C-VA"
VERIFY_URL = f"https://ce.example.org/certificates/{CODE}"


def sample_certificate(name: str = "Nguyễn Thị Minh Khai") -> SimpleNamespace:
    """Return an object shaped like a Certificate row."""
    return SimpleNamespace(
        code=CODE, kind="module", participant_name=name, participant_credential="OTR/L",
        license_number="012345", license_state="NY", course_title="Why Coaching Belongs in OT Practice",
        content_version="2025.05", completed_on=date(2025, 5, 3), contact_hours=Decimal("1.00"),
        ceus=Decimal("0.100"), level="introductory", provider_name="OT Coaching Continuing Education",
        provider_number="AOTA Approved Provider number pending",
        provider_statement="Contact hours are awarded for completion of this distance-learning (independent) "
                           "activity. AOTA does not endorse specific course content, products or procedures.",
        signer_name="Course Director", signer_title="Education Director, OT Coaching Continuing Education",
        signer_credentials="", approval_status="pending", ceu_label=None, claims_ceus=False,  # as shipped: pending
        activity_number=None, delivery_format="Distance Learning - Independent", audit=None,
        issued_at=datetime(2025, 5, 3, 14, 0, tzinfo=UTC), status="valid")


def timed(action: Callable[[], object], runs: int) -> list[float]:
    """Run action `runs` times after one warm-up and return each run's milliseconds."""
    return times_ms(action, runs, warm_up=True)


def report(label: str, times: list[float]) -> None:
    """Print mean, median and spread of a list of milliseconds."""
    print(f"{label:<38} mean {statistics.mean(times):7.2f} ms   median {statistics.median(times):7.2f} ms"
          f"   min {min(times):7.2f}   max {max(times):7.2f}   (n={len(times)})")


def peak_kib(action: Callable[[], object]) -> float:
    """Return the peak traced Python memory, in KiB, while action runs."""
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1] / 1024
    finally:
        tracemalloc.stop()


def bench_pdfs(runs: int) -> None:
    """Time the first certificate (font registration included), then steady-state PDFs."""
    start = time.perf_counter()
    from course_app.certificates import pdf
    print(f"{'import course_app.certificates.pdf':<38} {(time.perf_counter() - start) * 1000:7.2f} ms")
    cert = sample_certificate()
    start = time.perf_counter()
    pdf.certificate_pdf(cert, VERIFY_URL)
    print(f"{'first certificate (registers fonts)':<38} {(time.perf_counter() - start) * 1000:7.2f} ms")
    for name in ("Nguyễn Thị Minh Khai", "José Núñez", "王小明"):
        report(f"certificate_pdf ({name})",
               timed(lambda: pdf.certificate_pdf(sample_certificate(name), VERIFY_URL), runs))
    learner = SimpleNamespace(full_name="Zoë Ångström", credential="OTR/L", license_number="012345",
                              license_state="NY", email="zoe@example.org")
    rows = [sample_certificate() for _ in range(30)]
    transcript = lambda: pdf.transcript_pdf(learner, rows, None, None, datetime.now(UTC))  # noqa: E731
    report("transcript_pdf (30 certificates)", timed(transcript, max(10, runs // 5)))
    peak = peak_kib(lambda: pdf.certificate_pdf(cert, VERIFY_URL))
    print(f"{'peak traced memory, one certificate':<38} {peak / 1024:7.2f} MiB"
          f"   (PDF is {len(pdf.certificate_pdf(cert, VERIFY_URL)) / 1024:.0f} KiB)")


def bench_credentials(runs: int) -> None:
    """Time building and signing one credential, and verifying one."""
    from course_app.certificates import credential
    cert = sample_certificate()
    with tempfile.TemporaryDirectory() as folder:
        key = credential.load_or_create_key(Path(folder) / "key.json")

    def build() -> dict:
        return credential.build_credential(
            cert, credential_id=f"{VERIFY_URL}/credential.jwt", issuer_id="https://ce.example.org/issuer",
            issuer_name=cert.provider_name, achievement_id="https://ce.example.org/modules/why",
            verify_url=VERIFY_URL, criteria="Passed the post-test.", description="Continuing education.",
            recipient_email="zoe@example.org", salt="0123456789abcdef")

    token, jwks = credential.sign_credential(build(), key), [credential.public_jwk(key)]
    report("build_credential + sign_credential",
           timed(lambda: credential.sign_credential(build(), key), runs))
    report("verify_credential", timed(lambda: credential.verify_credential(token, jwks), runs))
    peak = peak_kib(lambda: credential.verify_credential(credential.sign_credential(build(), key), jwks))
    print(f"{'peak traced memory, sign + verify':<38} {peak:7.1f} KiB   (token is {len(token)} characters)")


def bench_data_integrity(runs: int) -> None:
    """Time the embedded eddsa-rdfc-2022 proof (RDF canonicalization with pyld) and a signed status list."""
    from course_app.certificates import credential, status_list
    from course_app.certificates.dataintegrity import _canonical_nquads, add_proof, verify_proof
    cert, now = sample_certificate(), datetime.now(UTC)
    with tempfile.TemporaryDirectory() as folder:
        key = credential.load_or_create_key(Path(folder) / "key.json")
    document = credential.build_credential(
        cert, credential_id=f"{VERIFY_URL}/credential.jwt", issuer_id="did:web:ce.example.org",
        issuer_name=cert.provider_name, achievement_id="https://ce.example.org/modules/why", verify_url=VERIFY_URL,
        criteria="Passed the post-test.", description="Continuing education.", recipient_email="zoe@example.org",
        salt="0123456789abcdef", credential_status=status_list.status_entry("https://ce.example.org/s/0", 7))
    method = "did:web:ce.example.org#z6Mk"
    secured = add_proof(document, key, method, now)
    # Canonical forms are kept per document, so each timed run starts with none kept (a first verification);
    # the verification page's repeat views are the "again" line.
    report("add_proof (eddsa-rdfc-2022)",
           timed(lambda: (_canonical_nquads.cache_clear(), add_proof(document, key, method, now)), runs))
    report("verify_proof", timed(lambda: (_canonical_nquads.cache_clear(), verify_proof(secured, lambda _: key)),
                                 runs))
    report("verify_proof again (canonical kept)", timed(lambda: verify_proof(secured, lambda _: key), runs))
    revoked = set(range(0, status_list.SIZE, 97))
    listed = lambda: _canonical_nquads.cache_clear() or add_proof(status_list.list_credential(  # noqa: E731
        "https://ce.example.org/s/0", "did:web:ce.example.org", revoked, now), key, method, now)
    report(f"signed status list ({len(revoked)} revoked)", timed(listed, runs))
    print(f"{'peak traced memory, add_proof':<38} {peak_kib(lambda: add_proof(document, key, method, now)):7.1f} KiB")


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    bench_pdfs(count)
    bench_credentials(count)
    bench_data_integrity(count)
    print(f"{'process max RSS':<38} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:7.0f} MiB")
