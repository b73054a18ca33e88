from fundraiser.mail import Attachment, Mail, send


def test_mail_goes_through_real_smtp_with_attachment(smtp_server):
    send(
        Mail(
            to="donor@example.test",
            subject="Hello",
            text="Plain body",
            html="<p>HTML body</p>",
            attachments=[Attachment("receipt.pdf", b"%PDF-1.7 test")],
        )
    )
    (message,) = smtp_server.messages
    assert message["To"] == "donor@example.test"
    parts = {part.get_content_type(): part for part in message.walk()}
    assert "Plain body" in parts["text/plain"].get_content()
    assert "HTML body" in parts["text/html"].get_content()
    assert parts["application/pdf"].get_content() == b"%PDF-1.7 test"


def test_without_a_mail_server_the_console_shows_the_mail_readably(app, capfd):
    link = "http://127.0.0.1:5000/receipts/" + "x" * 120 + ".pdf"
    send(
        Mail(
            to="donor@example.test",
            subject="Your receipt",
            text=f"Download: {link}",
            attachments=[Attachment("receipt.pdf", b"%PDF-1.7 test")],
        )
    )
    printed = capfd.readouterr().err
    assert "Subject: Your receipt" in printed
    assert link in printed
    assert "[attachment] receipt.pdf (13 bytes)" in printed
    assert "base64" not in printed
