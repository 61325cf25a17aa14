"""Settings: one typed class, read from the environment (prefix LABOURWATCH_) once and passed down.

    settings = Settings()                                   # from the environment
    settings = Settings(database_url="postgresql://...")    # in tests: build your own
    app = create_app(settings)

The database URL is normalised so that `postgres://` and `postgresql://` use the psycopg 3 driver.
In production (`LABOURWATCH_ENVIRONMENT=production`) placeholder secrets are refused at start-up.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings"]

PLACEHOLDER = "change-me"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LABOURWATCH_", env_file=None, extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    # SQLite file under var/ is the embedded default; PostgreSQL is the production database.
    database_url: str = "sqlite:///var/labourwatch.db"
    # Comma-separated GB/T 2260 province codes whose region trees are loaded (service/registry/regions/*.yaml).
    provinces: str = "430000"
    host: str = "127.0.0.1"
    port: int = 8000
    # Where uploads that were refused, generated reports and the watched inbox live.
    data_dir: Path = Path("var")
    thresholds_path: Path = Path("thresholds.yaml")
    # Forecast fan-out: "serial", "process" (local pool) or "dask://host:port" / "dask://local".
    executor: str = "process"
    upload_max_bytes: int = Field(default=50 * 1024 * 1024, ge=1024)
    # Every other request body (JSON) is refused above this size (413); uploads use upload_max_bytes.
    request_max_bytes: int = Field(default=1024 * 1024, ge=1024)
    # Per API key token bucket, in each API process: `rate_limit_burst` requests at once, refilled at
    # `rate_limit_per_second`. Several replicas each keep their own buckets (the limit is per replica).
    rate_limit_per_second: float = Field(default=20.0, gt=0)
    rate_limit_burst: int = Field(default=200, ge=1)
    # Wrong keys cost an argon2 verification each: per client address, after `auth_failures_burst` failures
    # further attempts are refused (429) until the bucket refills at `auth_failures_per_second`.
    auth_failures_per_second: float = Field(default=0.5, gt=0)
    auth_failures_burst: int = Field(default=30, ge=1)
    # Signs outgoing webhooks when a subscription has no secret of its own; must be set in production.
    webhook_secret: str = PLACEHOLDER
    # Signs web sign-in cookies; every replica needs the same value. Outside production a placeholder means a
    # random secret per process (sessions end at restart); in production it must be set.
    session_secret: str = PLACEHOLDER
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_sender: str = "labourwatch@localhost"
    demo_seed: int = 2018
    # Ingestion (docs/ingestion.md). Files dropped in data_dir/inbox/<source>/ land once they have been still
    # this long (a file still being copied is left alone).
    inbox_settle_seconds: float = Field(default=10.0, ge=0)
    # Recruitment feed: paginated HTTP JSON with a bearer token; retried with exponential backoff.
    recruitment_feed_url: str | None = None
    recruitment_feed_token: str = ""
    recruitment_feed_timeout_seconds: float = Field(default=30.0, gt=0)
    recruitment_feed_attempts: int = Field(default=5, ge=1)
    recruitment_feed_backoff_seconds: float = Field(default=1.0, ge=0)
    # Social-insurance SQL source (read-only): a SQLAlchemy URL and queries producing the tidy columns
    # (region_code, period, indicator, value) and the headcount columns (credit_code, name, region_code,
    # industry, period, insured).
    social_insurance_sql_url: str | None = None
    social_insurance_sql_query: str = "SELECT region_code, period, indicator, value FROM si_regional_monthly"
    headcount_sql_query: str | None = None
    log_level: str = "INFO"

    @field_validator("database_url")
    @classmethod
    def _normalise_url(cls, url: str) -> str:
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix) :]
        return url

    @field_validator("provinces")
    @classmethod
    def _check_provinces(cls, value: str) -> str:
        codes = [c.strip() for c in value.split(",") if c.strip()]
        bad = [c for c in codes if not (len(c) == 6 and c.isdigit() and c.endswith("0000"))]
        if not codes or bad:
            raise ValueError(f"provinces must be comma-separated 6-digit province codes like 430000, got {value!r}")
        return ",".join(codes)

    @model_validator(mode="after")
    def _refuse_placeholders_in_production(self) -> Settings:
        if self.environment == "production" and self.webhook_secret == PLACEHOLDER:
            raise ValueError("LABOURWATCH_WEBHOOK_SECRET must be set to a real secret in production")
        if self.environment == "production" and (self.session_secret == PLACEHOLDER or len(self.session_secret) < 32):
            raise ValueError("LABOURWATCH_SESSION_SECRET must be a random secret of 32+ characters in production")
        return self

    @property
    def province_codes(self) -> list[str]:
        return self.provinces.split(",")

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
