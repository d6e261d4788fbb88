"""The directory's tests send mail through a real SMTP server on loopback (`tests.fixtures.smtp`)."""

from tests.fixtures.smtp import mail_to, smtp_server

__all__ = ["mail_to", "smtp_server"]
