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
