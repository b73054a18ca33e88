"""Outgoing email through SMTP (MAIL_* settings); printed to the console when MAIL_SERVER is unset."""

from __future__ import annotations

import smtplib
import sys
from dataclasses import dataclass, field
from email.message import EmailMessage

from flask import current_app


@dataclass
class Attachment:
    filename: str
    content: bytes
    maintype: str = "application"
    subtype: str = "pdf"


@dataclass
class Mail:
    to: str
    subject: str
    text: str
    html: str | None = None
    attachments: list[Attachment] = field(default_factory=list)


def build_message(mail: Mail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message.set_content(mail.text)
    if mail.html:
        message.add_alternative(mail.html, subtype="html")
    for attachment in mail.attachments:
        message.add_attachment(
            attachment.content,
            maintype=attachment.maintype,
            subtype=attachment.subtype,
            filename=attachment.filename,
        )
    return message


def console_text(message: EmailMessage, mail: Mail) -> str:
    """The mail as a developer wants to read it: headers, the plain body with its links whole,
    and the attachments by name and size (not as base64)."""
    files = "".join(f"\n[attachment] {a.filename} ({len(a.content):,} bytes)" for a in mail.attachments)
    return (
        f"--- mail (MAIL_SERVER unset) ---\nFrom: {message['From']}\nTo: {mail.to}\n"
        f"Subject: {mail.subject}\n\n{mail.text}{files}\n--- end mail ---"
    )


def send(mail: Mail) -> None:
    """Send now. Raises smtplib/OSError on failure so callers can retry."""
    message = build_message(mail)
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        print(console_text(message, mail), file=sys.stderr)
        return
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(message)
