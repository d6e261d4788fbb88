"""Deployment settings, read from `DUIJIE_*` environment variables.

Per-event behaviour (matching weights, slot lengths) lives in the database as event settings; this file only
holds what differs between deployments.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """What an operator sets per deployment; everything has a default that runs the demo."""

    model_config = SettingsConfigDict(env_prefix="DUIJIE_", extra="ignore")

    database_url: str = "sqlite:///./duijie.db"
    # Signs the session cookies. Empty: a random key is made on first start and kept in the database.
    secret_key: str = ""
    secure_cookies: bool = False
    default_locale: str = "zh_CN"
    page_size: int = 20
    sql_echo: bool = False
    # Requests a web process serves at once (the rest wait, then get 503 after `queue_timeout` seconds); the
    # connection pool holds this many plus `job_connections` for jobs started by the process.
    web_concurrency: int = 24
    job_connections: int = 4
    pool_timeout: float = 10.0
    queue_timeout: float = 20.0
    # Background jobs (`duijie worker`). The serving process runs one worker thread too: None means on for
    # SQLite (the demo needs no other service) and off for PostgreSQL; false when dedicated workers run.
    worker_in_web: bool | None = None
    # Seconds between a running job's heartbeats; a job whose heartbeat is older than `job_stall_after` lost
    # its worker and is queued again (or fails after its last attempt). SQLite workers look for queued jobs
    # every `job_poll` seconds (PostgreSQL workers are woken by the queue).
    job_heartbeat: float = 2.0
    job_stall_after: float = 30.0
    job_poll: float = 1.0
    # The address people reach the site at; links in mails (invitations, password resets) start with it.
    base_url: str = "http://127.0.0.1:8000"
    # Mail (`core.mail`): the server, as smtp://host:25, smtp+starttls://user:pass@host:587 or
    # smtps://user:pass@host:465; empty sends nothing (messages fail with a message saying so). `mail_from` is
    # the sender address; links in mails start with `base_url`.
    smtp_url: str = ""
    mail_from: str = "duijie <noreply@localhost>"
    smtp_timeout: float = 30.0


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
