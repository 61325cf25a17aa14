"""E-mail over SMTP (smtplib): plain text in the subscriber's language, Message-ID made of the idempotency key.

A repeated send carries the same Message-ID (and X-Labourwatch-Idempotency-Key), which mail systems use to
drop duplicates. SMTP 4xx replies and broken connections are retryable; 5xx replies are permanent.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import formatdate

from service.delivery.errors import PermanentError, RetryableError
from service.delivery.notifiers.base import DEFAULT_TIMEOUT, Message
from service.delivery.render import render_text

__all__ = ["EmailNotifier"]


class EmailNotifier:
    def __init__(self, *, host: str, port: int, sender: str, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.host, self.port, self.sender, self.timeout = host, port, sender, timeout

    def send(self, message: Message) -> None:
        if "@" not in message.target:
            raise PermanentError(f"not an e-mail address: {message.target[:60]}")
        subject, text = render_text(message.payload, message.language)
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = message.target
        mail["Subject"] = subject
        mail["Date"] = formatdate(localtime=False)
        mail["Message-ID"] = f"<{message.key}@labourwatch>"
        mail["X-Labourwatch-Idempotency-Key"] = message.key
        mail.set_content(text)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                smtp.send_message(mail)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            error = f"recipients refused: {codes}"
            raise RetryableError(error) if all(400 <= c < 500 for c in codes) else PermanentError(error) from exc
        except smtplib.SMTPResponseException as exc:
            error = f"SMTP {exc.smtp_code}: {exc.smtp_error!r}"
            raise RetryableError(error) if 400 <= exc.smtp_code < 500 else PermanentError(error) from exc
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            raise RetryableError(f"SMTP connection: {type(exc).__name__}: {exc}") from exc
