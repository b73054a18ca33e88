"""The receipt email: plain text and HTML bodies, the PDF attached, a signed download link."""

from __future__ import annotations

from flask import current_app, render_template

from fundraiser.mail import Attachment, Mail
from fundraiser.models import Receipt
from fundraiser.receipts.render import present
from fundraiser.receipts.services import pdf_filename


def receipt_mail(receipt: Receipt, link: str) -> Mail:
    """The email for an issued receipt, built from its stored values."""
    shown = present(receipt.data)
    values = {
        "r": shown,
        "link": link,
        "link_days": current_app.config["RECEIPT_LINK_DAYS"],
        "platform_name": current_app.config["PLATFORM_NAME"],
    }
    charity = shown["charity"]["name"]
    return Mail(
        to=receipt.donor_email,
        subject=f"Your receipt {receipt.display_number} from {charity}",
        text=render_template("receipts/email.txt", **values),
        html=render_template("receipts/email.html", **values),
        attachments=[Attachment(filename=pdf_filename(receipt), content=receipt.pdf)],
    )
