"""Settings from `TAPLINE_*` environment variables and an optional TOML file."""

from __future__ import annotations

import ipaddress
import secrets
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything an operator can set. Environment variables win over the TOML file."""

    model_config = SettingsConfigDict(env_prefix="TAPLINE_", extra="forbid")

    data_dir: Path = Path("data")
    database_url: str | None = None
    database_schema: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    secret_key: str = ""
    public_origin: str | None = None
    log_level: str = "info"
    # Several nodes (docs/deploy.md): PostgreSQL is the truth, Redis wakes the nodes up.
    redis_url: str | None = None
    node_url: str | None = None  # how the other nodes reach this one; else http://host:port
    demo: bool = False
    # `tapline demo --busy` (docs/subsystems/demo.md, "A busy demo"): simulated specialists
    # and customers over the real protocol, with explicit caps.
    demo_busy: bool = False
    demo_bots: int = Field(3, ge=1, le=6)  # simulated specialists, one chat each
    demo_line: int = Field(4, ge=1, le=12)  # simulated customers waiting, at most
    demo_rate: float = Field(6.0, gt=0, le=60)  # new simulated requests a minute, at most
    demo_handle: float = Field(240.0, ge=2, le=1800)  # a simulated chat's mean seconds

    message_bytes: int = Field(4096, ge=64)
    context_bytes: int = Field(65536, ge=1024)
    frame_bytes: int = Field(131072, ge=1024)
    frame_rate: float = Field(20.0, gt=0)
    frame_burst: int = Field(40, ge=1)
    # A desk carries many chats on one socket: its own, higher frame rate.
    desk_frame_rate: float = Field(200.0, gt=0)
    desk_frame_burst: int = Field(400, ge=1)
    # The writer (docs/subsystems/writer.md): writes waiting past this are refused with
    # `busy`; one transaction takes at most this many.
    write_queue_max: int = Field(10_000, ge=1)
    write_batch_max: int = Field(500, ge=1)
    # Abuse limits (docs/security.md, "Abuse limits").
    body_bytes: int = Field(1_048_576, ge=1024)  # an HTTP body, refused early when larger
    requests_per_customer: int = Field(10, ge=1)  # new requests an hour: customer or device
    requests_per_address: int = Field(60, ge=1)  # new requests an hour per client address
    sockets_per_address: int = Field(50, ge=1)  # customer sockets open at once per address
    sockets_per_request: int = Field(10, ge=1)  # customer sockets open at once per request

    offer_timeout: float = Field(30.0, gt=0)
    customer_grace: float = Field(120.0, gt=0)
    specialist_grace: float = Field(30.0, ge=0)
    ring_timeout: float = Field(30.0, gt=0)
    ring_attempts: int = Field(3, ge=1, le=10)  # a callback's rings before it fails
    ring_spacing: float = Field(20.0, ge=0)  # from an unanswered ring to the next
    callback_on_failure: Literal["requeue", "cancel"] = "requeue"
    session_hours: float = Field(12.0, gt=0)

    signin_attempts: int = Field(5, ge=1)
    signin_window: float = Field(300.0, gt=0)
    # Peers whose X-Forwarded-For/-Proto are believed (addresses or CIDRs, as a JSON list).
    trusted_proxies: list[str] = Field(default_factory=list)
    customer_token_days: float = Field(30.0, gt=0)  # a customer token's life after the end

    # Web Push (docs/subsystems/callbacks.md, "Web Push").
    push_private_key: str = ""  # VAPID (PEM or base64url); else made once in data_dir
    push_contact: str = ""  # VAPID `sub`: mailto: or https:; else the https origin
    push_services: list[str] = Field(
        default_factory=lambda: [
            "fcm.googleapis.com",
            "push.services.mozilla.com",
            "push.apple.com",
            "notify.windows.com",
        ]
    )
    push_insecure_localhost: bool = False  # tests and development: http://127.0.0.1 endpoints
    push_subscriptions_max: int = Field(5, ge=1)  # per customer (per request if unverified)
    push_timeout: float = Field(10.0, gt=0)

    @field_validator("data_dir")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for item in value:
            ipaddress.ip_network(item, strict=False)  # a typo fails at start, not silently
        return value

    @property
    def db_url(self) -> str:
        """The database URL: the given one, else SQLite in the data directory."""
        if self.database_url:
            return _async_url(self.database_url)
        return f"sqlite+aiosqlite:///{(self.data_dir / 'tapline.db').resolve()}"

    @property
    def origin(self) -> str:
        """The server's own origin, as browsers send it in `Origin`."""
        if self.public_origin:
            return self.public_origin.rstrip("/")
        return f"http://{self.host}:{self.port}"

    @property
    def clustered(self) -> bool:
        """Several nodes share the database: set by giving a Redis URL."""
        return self.redis_url is not None

    def own_url(self) -> str:
        return self.node_url or f"http://{self.host}:{self.port}"

    def secret(self) -> str:
        """The secret key; made and kept in the data directory when none is set.

        Several nodes must share one: each minting its own would refuse the others' tokens.
        """
        if self.secret_key:
            return self.secret_key
        if self.clustered:
            raise ValueError(
                "Several nodes need one shared secret key: set TAPLINE_SECRET_KEY to the same "
                "value (at least 32 random characters) on every node."
            )
        path = self.data_dir / "secret_key"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        self.secret_key = path.read_text().strip()
        return self.secret_key


def _async_url(url: str) -> str:
    for sync, async_ in (
        ("postgresql://", "postgresql+asyncpg://"),
        ("postgres://", "postgresql+asyncpg://"),
        ("sqlite://", "sqlite+aiosqlite://"),
    ):
        if url.startswith(sync):
            return async_ + url[len(sync) :]
    return url


def load_settings(config: Path | None = None, **overrides: Any) -> Settings:
    """Settings from the TOML file (if any), then the environment, then `overrides`."""
    values: dict[str, Any] = {}
    if config is not None:
        with config.open("rb") as handle:
            values = tomllib.load(handle).get("tapline", {})
    env = Settings()
    merged = {**values, **env.model_dump(exclude_unset=True), **overrides}
    return Settings(**merged)
