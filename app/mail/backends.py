"""Where an e-mail goes: a real SMTP server (smtplib), the log (console) or a list (memory)."""
from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

log = logging.getLogger("jianping.mail")

SENT: list[EmailMessage] = []  # the memory backend's messages (tests)


def build_message(sender: str, recipient: str, subject: str, body: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, recipient, subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "localhost")
    msg.set_content(body)
    return msg


class SmtpBackend:
    def __init__(self, config):
        self.config = config

    def send(self, msg: EmailMessage) -> None:
        c = self.config
        cls = smtplib.SMTP_SSL if c["MAIL_USE_SSL"] else smtplib.SMTP
        with cls(c["MAIL_SERVER"], c["MAIL_PORT"], timeout=c["MAIL_TIMEOUT"]) as smtp:
            if c["MAIL_USE_TLS"] and not c["MAIL_USE_SSL"]:
                smtp.starttls()
            if c["MAIL_USERNAME"]:
                smtp.login(c["MAIL_USERNAME"], c["MAIL_PASSWORD"])
            smtp.send_message(msg)


class ConsoleBackend:
    def send(self, msg: EmailMessage) -> None:
        log.warning("e-mail (no MAIL_SERVER configured) to %s: %s\n%s", msg["To"], msg["Subject"],
                    msg.get_content())


class MemoryBackend:
    def send(self, msg: EmailMessage) -> None:
        SENT.append(msg)


def backend_for(config):
    name = config.get("MAIL_BACKEND") or ("smtp" if config.get("MAIL_SERVER") else "console")
    if name == "smtp":
        return SmtpBackend(config)
    if name == "memory":
        return MemoryBackend()
    return ConsoleBackend()
