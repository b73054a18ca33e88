"""Receipt PDFs cannot be altered unnoticed: PDF/A, certified with no change allowed, and
kept byte for byte by the charity. Checked with pyHanko's own validator."""

from __future__ import annotations

import hashlib
import io
import re

from flask import current_app
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import MDPPerm
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader

from fundraiser.receipts import issuing, signing


def trusting_our_certificate() -> ValidationContext:
    return ValidationContext(trust_roots=[load_cert_from_pemder(current_app.config["RECEIPT_SIGNING_CERT"])])


def signature_status(pdf: bytes):
    """pyHanko's validator runs its own asyncio loop: outside the one Playwright's sync API
    leaves running in a worker that has driven the browser."""
    (signature,) = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    context = trusting_our_certificate()
    return signature, signing.outside_event_loop(lambda: validate_pdf_signature(signature, context))


def test_a_canadian_receipt_is_certified_against_any_change_and_kept_exactly(
    factories, paid_donation, session, read_pdf
):
    """CRA, "Computer-generated receipts": an emailed receipt must be non-alterable (protected
    against modification or digitally signed), the charity keeping an exact copy."""
    cause = factories.cause("CA", legal_name="Maple Shelter Society")
    donation = paid_donation(factories.page(cause=cause), amount=5000)
    receipt = issuing.issue_receipt(session, donation.id)
    session.commit()

    signature, status = signature_status(receipt.pdf)
    assert (status.intact, status.valid, status.trusted, status.bottom_line) == (True, True, True, True)
    assert signature.docmdp_level == MDPPerm.NO_CHANGES
    assert status.coverage.name == "ENTIRE_FILE"
    assert receipt.pdf_sha256 == hashlib.sha256(receipt.pdf).hexdigest()
    assert "Official receipt for income tax purposes" in read_pdf(receipt.pdf)


def test_one_changed_byte_breaks_the_signature(factories, paid_donation, session):
    """pyHanko reports a signature whose signed bytes changed as not intact."""
    donation = paid_donation(factories.page(cause=factories.cause("US")), amount=5000)
    receipt = issuing.issue_receipt(session, donation.id)
    session.commit()
    tampered = bytearray(receipt.pdf)
    tampered[11] ^= 0x01  # inside the binary comment on line 2: still a readable PDF

    _, status = signature_status(bytes(tampered))

    assert status.intact is False
    assert status.bottom_line is False


def test_receipts_are_pdf_a_3b(factories, paid_donation, session):
    """ISO 19005-3 (PDF/A-3), level B: the XMP metadata names part 3, conformance B."""
    donation = paid_donation(factories.page(cause=factories.cause("GB")), amount=5000)
    receipt = issuing.issue_receipt(session, donation.id)
    session.commit()

    metadata = PdfReader(io.BytesIO(receipt.pdf)).trailer["/Root"]["/Metadata"].get_object().get_data()

    # pyHanko rewrites the XMP packet when it signs, keeping the PDF/A identification.
    assert re.search(rb'pdfaid:part(="|>)3', metadata)
    assert re.search(rb'pdfaid:conformance(="|>)B', metadata)


def test_the_void_copy_of_a_cancelled_receipt_is_signed_too(factories, paid_donation, session, read_pdf):
    donation = paid_donation(factories.page(cause=factories.cause("CA")), amount=5000)
    receipt = issuing.issue_receipt(session, donation.id)
    issuing.void_receipt(session, receipt, "The donation was refunded in full.")
    session.commit()

    copy = issuing.void_copy_pdf(receipt)

    assert signature_status(copy)[1].bottom_line is True
    assert "VOID" in read_pdf(copy)
