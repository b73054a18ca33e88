"""Refunds void receipts; a partial refund replaces it with a new number; disputes do not."""

from __future__ import annotations

import hashlib
from threading import Barrier, Thread

from sqlalchemy import select

from fundraiser.extensions import db
from fundraiser.models import Receipt
from fundraiser.receipts import issuing, links
from fundraiser.receipts.tasks import issue_receipt_for_donation, receipt_after_refund


def receipts_of(session, donation_id: int) -> list[Receipt]:
    session.expire_all()
    return list(
        session.scalars(select(Receipt).where(Receipt.donation_id == donation_id).order_by(Receipt.id))
    )


def test_partial_refund_voids_the_receipt_and_issues_a_replacement_for_the_amount_kept(
    factories, paid_donation, session, read_pdf, client
):
    cause = factories.cause("US", slug="river-care")
    donation = paid_donation(factories.page(cause=cause), amount=5000)
    session.commit()
    issue_receipt_for_donation(donation.id)
    original = receipts_of(session, donation.id)[0]
    original_bytes = original.pdf

    donation.refunded_amount = 2000
    session.commit()
    receipt_after_refund(donation.id)
    receipt_after_refund(donation.id)  # a repeated job changes nothing

    old, new = receipts_of(session, donation.id)
    assert old.voided_at is not None
    assert old.void_reason == "Part of the donation was refunded; replaced by receipt RC-000002."
    assert old.pdf == original_bytes
    assert old.pdf_sha256 == hashlib.sha256(original_bytes).hexdigest()
    assert (new.number, new.amount, new.replaces_id, new.voided_at) == (2, 3000, old.id, None)
    text = read_pdf(new.pdf)
    assert "Receipt number RC-000002" in text
    assert "This receipt cancels and replaces receipt No. RC-000001, which has been voided." in text
    assert "$30.00" in text

    void_copy = client.get(links.download_url(old.id).removeprefix("http://127.0.0.1:5000"))
    assert void_copy.status_code == 200
    void_text = read_pdf(void_copy.data)
    assert "VOID: this receipt was cancelled on" in void_text
    assert "Receipt number RC-000001" in void_text
    assert void_copy.data != original_bytes


def test_full_refund_voids_the_receipt_without_a_replacement(factories, paid_donation, session):
    donation = paid_donation(factories.page())
    session.commit()
    issue_receipt_for_donation(donation.id)

    donation.refunded_amount = donation.charged_amount
    donation.status = "refunded"
    session.commit()
    receipt_after_refund(donation.id)

    (receipt,) = receipts_of(session, donation.id)
    assert receipt.voided_at is not None
    assert receipt.void_reason == "The donation was refunded in full."
    assert links.receipt_link_for_donation(session, donation.id) is None


def test_a_dispute_leaves_the_receipt_alone(factories, paid_donation, session):
    donation = paid_donation(factories.page())
    session.commit()
    issue_receipt_for_donation(donation.id)

    donation.disputed_amount = donation.charged_amount
    session.commit()
    receipt_after_refund(donation.id)

    (receipt,) = receipts_of(session, donation.id)
    assert receipt.voided_at is None


def test_receipts_paid_at_the_same_instant_get_numbers_without_gaps_or_duplicates(
    app, factories, paid_donation, session
):
    page = factories.page()
    donations = [paid_donation(page, donor_email=f"d{n}@example.test").id for n in range(6)]
    session.commit()
    errors: list[BaseException] = []

    def issue(donation_id: int) -> None:
        with app.app_context():
            try:
                start.wait()
                issuing.issue_receipt(db.session, donation_id)
                db.session.commit()
            except BaseException as error:  # reported to the test below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [Thread(target=issue, args=(donation_id,)) for donation_id in donations + donations[:2]]
    start = Barrier(len(threads))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    session.expire_all()
    rows = session.execute(select(Receipt.donation_id, Receipt.number)).all()
    assert sorted(number for _, number in rows) == [1, 2, 3, 4, 5, 6]
    assert sorted(donation_id for donation_id, _ in rows) == sorted(donations)
