"""Certificate and transcript PDFs: the facts a board needs, embedded fonts, a QR code that scans."""
from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace

import pypdf
import pypdfium2
import pytest
import zxingcpp

from course_app.certificates.pdf import certificate_pdf, credit_text, transcript_pdf

NAMES = ["José Núñez", "Zoë Ångström", "Nguyễn Thị Minh Khai", "王小明"]
CODE = "7QF2-M9XK-4D8B-Z1PW-63HN-RT5C-VA"
VERIFY_URL = f"https://ce.example.org/certificates/{CODE}"
INNER_BORDER = (31, 31, 761, 581)  # left, bottom, right, top of the certificate's inner frame


def make_cert(**changes: object) -> SimpleNamespace:
    """Return an object with a Certificate row's attributes."""
    fields = dict(
        code=CODE, kind="module", participant_name="José Núñez", participant_credential="OTR/L",
        license_number="012345", license_state="NY", course_title="Why Coaching Belongs in OT Practice",
        content_version="2025.05", completed_on=date(2025, 5, 3), contact_hours=Decimal("1.00"),
        ceus=Decimal("0.100"), level="introductory", provider_name="OT Coaching Continuing Education",
        provider_number="AOTA Approved Provider number pending",
        provider_statement="Contact hours are awarded for completion of this distance-learning (independent) "
                           "activity. AOTA does not endorse specific course content, products or clinical "
                           "procedures.",
        signer_name="Dana Reyes, OTD, OTR/L", signer_title="Education Director",
        issued_at=datetime(2025, 5, 3, 14, 0, tzinfo=UTC), status="valid", ceu_label="AOTA CEUs", claims_ceus=True,
        approval_status="approved", activity_number=None, signer_credentials="")
    fields.update(changes)
    return SimpleNamespace(**fields)


def pdf_text(data: bytes) -> str:
    """Extract all pages' text with whitespace runs collapsed to one space."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def font_dictionaries(data: bytes) -> list[pypdf.generic.DictionaryObject]:
    """Return every font dictionary the PDF's pages use."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    return [font.get_object() for page in reader.pages for font in page["/Resources"]["/Font"].values()]


@pytest.fixture(scope="module", params=NAMES)
def rendered(request: pytest.FixtureRequest) -> tuple[SimpleNamespace, bytes]:
    cert = make_cert(participant_name=request.param)
    return cert, certificate_pdf(cert, VERIFY_URL)


def test_every_fact_a_board_needs_is_in_the_text(rendered: tuple[SimpleNamespace, bytes]) -> None:
    cert, data = rendered
    text = pdf_text(data)
    for expected in [cert.participant_name, "OTR/L", "License no. 012345 (NY)", cert.course_title,
                     "Certificate of Completion", "Distance learning – independent (self-paced)",
                     "May 3, 2025", "1.0 contact hour · 0.1 AOTA CEUs", "Introductory",
                     cert.provider_name, cert.provider_number, "procedures.", cert.signer_name,
                     cert.signer_title, CODE, f"Verify at {VERIFY_URL}"]:
        assert expected in text


def test_every_font_is_embedded(rendered: tuple[SimpleNamespace, bytes]) -> None:
    cert, data = rendered
    fonts = font_dictionaries(data)
    assert all("/FontFile2" in font["/FontDescriptor"] for font in fonts)
    uses_fallback = any("DroidSansFallback" in font["/BaseFont"] for font in fonts)
    assert uses_fallback == (cert.participant_name == "王小明")


def test_page_is_landscape_letter(rendered: tuple[SimpleNamespace, bytes]) -> None:
    _, data = rendered
    pages = pypdf.PdfReader(io.BytesIO(data)).pages
    assert len(pages) == 1
    assert (float(pages[0].mediabox.width), float(pages[0].mediabox.height)) == (792, 612)


def test_qr_code_scans_to_the_verify_url(rendered: tuple[SimpleNamespace, bytes]) -> None:
    _, data = rendered
    image = pypdfium2.PdfDocument(data)[0].render(scale=2).to_pil()
    codes = zxingcpp.read_barcodes(image)
    assert [code.text for code in codes] == [VERIFY_URL]
    assert codes[0].format == zxingcpp.BarcodeFormat.QRCode


def characters_outside_frame(data: bytes) -> list[str]:
    """Return the characters whose boxes cross the certificate's inner border."""
    page = pypdfium2.PdfDocument(data)[0]
    text_page = page.get_textpage()
    left, bottom, right, top = INNER_BORDER
    outside = []
    for index in range(text_page.count_chars()):
        x0, y0, x1, y1 = text_page.get_charbox(index)
        if x0 < left or y0 < bottom or x1 > right or y1 > top:
            outside.append(text_page.get_text_range(index, 1))
    return outside


def test_nothing_crosses_the_border(rendered: tuple[SimpleNamespace, bytes]) -> None:
    assert characters_outside_frame(rendered[1]) == []


def test_a_very_long_name_and_title_shrink_or_wrap_inside_the_frame() -> None:
    name = "Maria-Alejandra Guadalupe Fernández de la Concepción Villaseñor-Montgomery y Castellanos-Ortiz"
    title = ("Coaching Caregivers in Pediatric Occupational Therapy: Joint Planning, Observation, Action, "
             "Reflection and Feedback Across Natural Routines at Home, at School and in the Community")
    long_url = VERIFY_URL + "?source=qr&campaign=" + "x" * 40
    cert = make_cert(participant_name=name, course_title=title, provider_statement="A " * 400)
    data = certificate_pdf(cert, long_url)
    text = pdf_text(data)
    assert all(word in text for word in name.split() + title.split())
    assert "Verify at" in text and long_url in text.replace(" ", "")  # may break across lines
    assert characters_outside_frame(data) == []


def test_a_name_without_spaces_breaks_between_characters() -> None:
    name = "王" * 90
    data = certificate_pdf(make_cert(participant_name=name), VERIFY_URL)
    assert pdf_text(data).replace(" ", "").count("王") == 90
    assert characters_outside_frame(data) == []


def test_program_certificate_names_the_program_and_its_summed_hours() -> None:
    cert = make_cert(kind="program", contact_hours=Decimal("6.00"), ceus=Decimal("0.600"), level="advanced")
    text = pdf_text(certificate_pdf(cert, VERIFY_URL))
    assert "has successfully completed the program" in text
    assert "6.0 contact hours · 0.6 AOTA CEUs" in text
    assert "Advanced" in text


def test_a_missing_license_is_left_out() -> None:
    text = pdf_text(certificate_pdf(make_cert(license_number=None, license_state=None), VERIFY_URL))
    assert "OTR/L" in text
    assert "License" not in text


@pytest.mark.parametrize(("hours", "ceus", "expected"), [
    (Decimal("1.00"), Decimal("0.100"), "1.0 contact hour · 0.1 AOTA CEUs"),
    (Decimal("1.50"), Decimal("0.150"), "1.5 contact hours · 0.15 AOTA CEUs"),
    (Decimal("0.75"), Decimal("0.075"), "0.75 contact hours · 0.075 AOTA CEUs"),
    (Decimal("10"), Decimal("1.000"), "10.0 contact hours · 1.0 AOTA CEU"),
])
def test_credit_text(hours: Decimal, ceus: Decimal, expected: str) -> None:
    assert credit_text(hours, ceus, "AOTA CEUs") == expected
    assert credit_text(hours, ceus) == expected.split(" · ")[0]  # no CEUs unless the certificate claims them


def make_learner(**changes: object) -> SimpleNamespace:
    """Return an object with a User's transcript attributes."""
    fields = dict(full_name="Zoë Ångström", credential="COTA/L", license_number="A-778", license_state="MN",
                  email="zoe@example.org")
    fields.update(changes)
    return SimpleNamespace(**fields)


def test_transcript_lists_each_certificate_and_totals_only_valid_ones() -> None:
    certificates = [
        make_cert(course_title="Why Coaching", code="AAAA-1111", completed_on=date(2025, 1, 9)),
        make_cert(course_title="Core Coaching Skills", code="BBBB-2222", contact_hours=Decimal("1.50"),
                  ceus=Decimal("0.150"), level="intermediate"),
        make_cert(course_title="Mixed Motivation", code="CCCC-3333", contact_hours=Decimal("2.00"),
                  ceus=Decimal("0.200"), status="revoked"),
        make_cert(course_title="Mixed Motivation", code="DDDD-4444", status="superseded")]
    generated = datetime(2025, 6, 1, 16, 30, tzinfo=UTC)
    text = pdf_text(transcript_pdf(make_learner(), certificates, None, None, generated))
    for expected in ["Continuing Education Transcript", "Zoë Ångström", "COTA/L", "License no. A-778 (MN)",
                     "zoe@example.org", "All dates", "Why Coaching", "Core Coaching Skills",
                     "Mixed Motivation",
                     "January 9, 2025", "May 3, 2025", "1.5", "0.15", "Introductory", "Intermediate",
                     "AAAA-1111", "BBBB-2222", "CCCC-3333", "DDDD-4444", "Valid", "Revoked", "Superseded",
                     "OT Coaching Continuing Education", "AOTA Approved Provider number pending",
                     "Generated June 1, 2025 16:30 UTC"]:
        assert expected in text
    assert "Total, valid certificates 2.5 0.25" in text


def test_transcript_states_its_date_range() -> None:
    learner = make_learner()
    generated = datetime(2025, 6, 1, tzinfo=UTC)
    both = pdf_text(transcript_pdf(learner, [make_cert()], date(2025, 1, 1), date(2025, 12, 31), generated))
    assert "January 1, 2025 – December 31, 2025" in both
    assert "from January 1, 2025" in pdf_text(transcript_pdf(learner, [], date(2025, 1, 1), None, generated))
    until = pdf_text(transcript_pdf(learner, [], None, date(2025, 6, 30), generated))
    assert "through June 30, 2025" in until


def test_a_long_transcript_runs_to_several_pages_with_fonts_embedded() -> None:
    certificates = [make_cert(code=f"CODE-{i:04d}", participant_name="王小明") for i in range(80)]
    data = transcript_pdf(make_learner(full_name="王小明"), certificates, None, None, datetime.now(UTC))
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert len(reader.pages) > 1
    assert all("Course and certificate" in page.extract_text() for page in reader.pages)
    text = pdf_text(data)
    assert "王小明" in text and "CODE-0079" in text
    assert "Total, valid certificates 80.0 8.0" in text
    assert all("/FontFile2" in font["/FontDescriptor"] for font in font_dictionaries(data))
