"""The receipt email through a real SMTP server, and what happens when it fails."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from fundraiser.models import Receipt
from fundraiser.receipts import emails
from fundraiser.receipts.tasks import issue_receipt_for_donation


def the_receipt(session) -> Receipt:
    session.expire_all()
    return session.scalars(select(Receipt)).one()


def test_receipt_email_carries_the_stored_pdf_and_a_working_link(
    factories, paid_donation, session, smtp_server, client
):
    cause = factories.cause("GB", name="Leeds Kitchen")
    donation = paid_donation(factories.page(cause=cause), donor_email="sam@example.test")
    session.commit()

    issue_receipt_for_donation(donation.id)

    receipt = the_receipt(session)
    assert (receipt.email_status, receipt.email_attempts) == ("sent", 1)
    (message,) = smtp_server.messages
    assert message["To"] == "sam@example.test"
    assert message["Subject"] == f"Your receipt {receipt.display_number} from Leeds Kitchen"
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_filename() == f"receipt-{receipt.display_number}.pdf"
    assert attachment.get_content() == receipt.pdf
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    link = next(word for word in text.split() if "/receipts/" in word)
    assert f'href="{link}"' in html
    assert "£25.00" in text and "£25.00" in html

    response = client.get(link.removeprefix("http://127.0.0.1:5000"))
    assert response.status_code == 200
    assert response.data == receipt.pdf


def test_failed_email_is_recorded_and_sent_by_the_retry_command(
    app, factories, paid_donation, session, smtp_server
):
    cause = factories.cause("US")
    donation = paid_donation(factories.page(cause=cause))
    session.commit()
    smtp_server.refuse = True

    issue_receipt_for_donation(donation.id)

    receipt = the_receipt(session)
    assert receipt.pdf_sha256 and receipt.email_status == "failed"
    assert receipt.email_attempts == 1
    assert "451" in receipt.email_error
    (failed,) = emails.failed_receipt_emails(session, cause.id)
    assert (failed.receipt_id, failed.number, failed.attempts) == (receipt.id, receipt.display_number, 1)
    later = datetime.now(UTC) + timedelta(minutes=6)
    assert emails.receipt_emails_due(session) == []
    assert emails.receipt_emails_due(session, now=later) == [receipt.id]

    smtp_server.refuse = False
    runner = app.test_cli_runner()
    assert "0 of 0 receipt emails sent" in runner.invoke(args=["receipts", "retry-emails"]).output
    result = runner.invoke(args=["receipts", "retry-emails", "--all"])

    assert "1 of 1 receipt emails sent" in result.output, result.output
    receipt = the_receipt(session)
    assert (receipt.email_status, receipt.email_attempts, receipt.email_error) == ("sent", 2, "")
    (message,) = smtp_server.messages
    assert next(message.iter_attachments()).get_content() == receipt.pdf
    assert emails.failed_receipt_emails(session, cause.id) == []


def test_issue_missing_issues_what_a_lost_job_left_and_only_that(
    factories, paid_donation, session, smtp_server, app
):
    cause = factories.cause("GB", name="Leeds Kitchen")
    page = factories.page(cause=cause)
    owed = paid_donation(page, donor_email="owed@example.test")
    already = paid_donation(page, donor_email="done@example.test")
    earlier = paid_donation(page, donor_email="old@example.test", paid_at=datetime(2026, 1, 5, tzinfo=UTC))
    session.commit()
    issue_receipt_for_donation(already.id)
    smtp_server.messages.clear()

    runner = app.test_cli_runner()
    result = runner.invoke(args=["receipts", "issue-missing", "--since", "2026-05-01"])

    assert "1 donation(s) owed a receipt" in result.output, result.output
    session.expire_all()
    issued = {r.donation_id for r in session.scalars(select(Receipt)).all()}
    assert issued == {owed.id, already.id}  # the gift paid before --since is left for another run
    assert [m["To"] for m in smtp_server.messages] == ["owed@example.test"]
    again = runner.invoke(args=["receipts", "issue-missing", "--since", "2026-01-01"])
    assert "1 donation(s) owed a receipt" in again.output  # only the January gift is still owed
    session.expire_all()
    assert earlier.id in {r.donation_id for r in session.scalars(select(Receipt)).all()}
