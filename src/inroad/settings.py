"""Settings read from the environment (``INROAD_*``); nothing is read at import time."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from exc


@dataclass(frozen=True)
class Settings:
    """Everything configurable. Numbers are the product page's defaults."""

    database_url: str = "sqlite:///./inroad-data/inroad.db"
    data_dir: Path = Path("./inroad-data")
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    redis_url: str | None = None
    smtp_url: str | None = None
    base_url: str = "http://127.0.0.1:8000"
    signup_limit_per_hour: int = 20
    send_limit_per_minute: int = 120
    # Login throttling is always on (API.md); the numbers are still named here.
    login_max_failures: int = 10
    login_window_seconds: int = 15 * 60
    login_ip_max_failures: int = 100
    # Network limits (PRODUCT.md §2); the connection cap is fixed and lives in network.rules.
    invitations_per_week: int = 100
    free_notes_per_month: int = 5
    reinvite_cooldown_days: int = 21
    invitation_expiry_days: int = 180
    # "I don't know this person" counts against the sender: from this many such answers on, every
    # invitation they send needs the recipient's email address (0 = never).
    rejections_before_email_required: int = 5
    secure_cookies: bool = False
    log_json: bool = True

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        data_dir = Path(env.get("INROAD_DATA_DIR", "./inroad-data"))
        default_db = "sqlite:///" + str(data_dir / "inroad.db")
        secret = env.get("INROAD_SECRET_KEY") or _persistent_secret(data_dir)
        base_url = env.get("INROAD_BASE_URL", "http://127.0.0.1:8000")
        return cls(
            database_url=env.get("INROAD_DATABASE_URL", default_db),
            data_dir=data_dir,
            secret_key=secret,
            redis_url=env.get("INROAD_REDIS_URL") or None,
            smtp_url=env.get("INROAD_SMTP_URL") or None,
            base_url=base_url,
            signup_limit_per_hour=_int(env, "INROAD_SIGNUP_LIMIT_PER_HOUR", 20),
            send_limit_per_minute=_int(env, "INROAD_SEND_LIMIT_PER_MINUTE", 120),
            invitations_per_week=_int(env, "INROAD_INVITATIONS_PER_WEEK", 100),
            free_notes_per_month=_int(env, "INROAD_FREE_NOTES_PER_MONTH", 5),
            reinvite_cooldown_days=_int(env, "INROAD_REINVITE_COOLDOWN_DAYS", 21),
            invitation_expiry_days=_int(env, "INROAD_INVITATION_EXPIRY_DAYS", 180),
            rejections_before_email_required=_int(
                env, "INROAD_REJECTIONS_BEFORE_EMAIL_REQUIRED", 5
            ),
            secure_cookies=base_url.startswith("https://"),
            log_json=env.get("INROAD_LOG_FORMAT", "json") == "json",
        )

    def with_(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]


def _persistent_secret(data_dir: Path) -> str:
    """A secret kept in the data directory, so sessions survive a restart without configuration."""
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(32)
    path.write_text(key)
    path.chmod(0o600)
    return key
