"""Email through SMTP: the one transport the outbox knows of, chosen by the settings."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import formataddr

from flask import current_app
from flask_babel import gettext as _

from tracker.notify.models import Notification
from tracker.org.models import User


class SmtpSender:
    """Send outbox messages through the SMTP server of the settings (SMTP_*)."""

    def __init__(self, config: dict):
        self.host = config["SMTP_HOST"]
        self.port = config["SMTP_PORT"]
        self.username = config["SMTP_USERNAME"]
        self.password = config["SMTP_PASSWORD"]
        self.starttls = config["SMTP_STARTTLS"]
        self.timeout = config["SMTP_TIMEOUT"]
        self.mail_from = config["MAIL_FROM"]
        self.org_name = config.get("ORG_NAME", "")
        self.base_url = config.get("BASE_URL", "")

    @classmethod
    def from_app(cls) -> SmtpSender:
        return cls(current_app.config)

    @property
    def configured(self) -> bool:
        return bool(self.host)

    def _signature(self) -> str:
        """Who writes: the organisation, the tracker and its address, below "-- " (the line
        mail programs know as the start of a signature). Only in the email: the stored
        notice, shown in the inbox, stays as it was queued."""
        lines = [self.org_name, _("Hệ thống theo dõi nhiệm vụ “5 rõ”"), self.base_url]
        return "-- \n" + "\n".join(line for line in lines if line)

    def _message(self, user: User, subject: str, body: str, message_id: str) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.mail_from
        message["To"] = formataddr((user.full_name, user.email))
        message["Subject"] = subject
        # The same notification always carries the same Message-ID, so a mail system
        # that receives it twice after a crash at the worst moment can drop the copy.
        message["Message-ID"] = message_id
        message.set_content(f"{body.rstrip()}\n\n{self._signature()}\n", charset="utf-8")
        return message

    def _send(self, message: EmailMessage) -> None:
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password)
            smtp.send_message(message)

    def __call__(self, notes: Notification | list[Notification], user: User) -> None:
        if not self.configured:
            raise RuntimeError("SMTP_HOST is not set")
        domain = self.mail_from.rpartition("@")[2] or "localhost"
        if isinstance(notes, Notification):
            message = self._message(
                user, notes.subject, notes.body, f"<notification-{notes.id}@{domain}>"
            )
        else:
            subject = f"[Tổng hợp buổi sáng] {len(notes)} thông báo về nhiệm vụ"
            parts = [f"{n.subject}\n{'-' * 40}\n{n.body}" for n in notes]
            body = "Kính gửi đồng chí,\n\nCác thông báo mới về nhiệm vụ:\n\n" + "\n\n".join(parts)
            message_id = f"<digest-{notes[0].id}-{notes[-1].id}@{domain}>"
            message = self._message(user, subject, body, message_id)
        self._send(message)
