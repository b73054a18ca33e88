"""Account emails. Jobs take plain values so they can run inline or in an RQ worker."""

from __future__ import annotations

from flask import current_app, render_template

from fundraiser.mail import Mail, send


def send_reset_link(to: str, name: str, link: str) -> None:
    """Email a password-reset link (printed to the console when MAIL_SERVER is unset)."""
    send(
        Mail(
            to=to,
            subject=f"Reset your {current_app.config['PLATFORM_NAME']} password",
            text=render_template("accounts/reset_email.txt", name=name, link=link),
        )
    )


def send_confirmation_link(to: str, name: str, link: str) -> None:
    """Email the link that proves the address belongs to the person who signed up."""
    send(
        Mail(
            to=to,
            subject=f"Confirm your email for {current_app.config['PLATFORM_NAME']}",
            text=render_template("accounts/confirm_email.txt", name=name, link=link),
        )
    )


def send_account_exists_notice(to: str, name: str, signin_link: str, reset_link: str) -> None:
    """Someone signed up with an address that has an account: tell its owner, not the form."""
    send(
        Mail(
            to=to,
            subject=f"You already have a {current_app.config['PLATFORM_NAME']} account",
            text=render_template(
                "accounts/account_exists_email.txt", name=name, signin_link=signin_link, reset_link=reset_link
            ),
        )
    )
