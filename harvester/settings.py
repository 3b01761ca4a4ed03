"""Process-wide settings, read from the environment (prefix `HIMPUN_`) or a `.env` file.

Every setting here is documented in docs/configuration.md; a test checks that
the names used by docker-compose.yml exist in this class.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG_DIR = REPOSITORY_ROOT / "config"


class Settings(BaseSettings):
    """Settings of one Himpun process."""

    model_config = SettingsConfigDict(env_prefix="HIMPUN_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default=Path("var"), description="Folder for the SQLite file and the embedded index.")
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the store; SQLite in data_dir when unset, "
        "e.g. postgresql+psycopg://user@host/himpun.",
    )
    config_dir: Path = Field(default=DEFAULT_CONFIG_DIR, description="Folder with sources.yaml and reference data.")
    sources_file: Path | None = Field(default=None, description="Sources YAML; config_dir/sources.yaml when unset.")
    base_url: str = Field(default="http://127.0.0.1:8000", description="Public base URL used in dataset URIs and feed links.")
    contact_url: str = Field(
        default="https://github.com/himpun/himpun",
        description="Contact URL sent in the User-Agent of every harvest request.",
    )
    egress_allowlist: list[str] = Field(
        default_factory=list,
        description="Non-public networks or host:port pairs harvest requests may reach, "
        'e.g. ["127.0.0.1/32"] for the demo portals (JSON list in the environment).',
    )
    conditional_requests: bool = Field(
        default=True,
        description="Send If-None-Match / If-Modified-Since for documents that carried validators, "
        "and reuse the stored body on 304. Cached bodies live in data_dir/http-cache.")
    index_backend: Literal["embedded", "elasticsearch"] = Field(
        default="embedded", description="Search index: embedded (tantivy files in data_dir) or elasticsearch.")
    elasticsearch_url: str | None = Field(default=None, description="Elasticsearch URL, e.g. http://elasticsearch:9200.")
    elasticsearch_username: str | None = Field(default=None, description="Elasticsearch user for basic authentication.")
    elasticsearch_password: str | None = Field(default=None, description="Elasticsearch password; never logged.")
    elasticsearch_index: str = Field(default="himpun-datasets", description="Alias name of the search index.")
    host: str = Field(default="127.0.0.1", description="Address `himpun serve` binds.")
    port: int = Field(default=8000, description="Port `himpun serve` binds.")
    log_level: str = Field(default="INFO", description="Log level of the server and scheduler: DEBUG, INFO, WARNING, ERROR.")
    secrets_file: Path | None = Field(default=None, description="YAML file with source credentials, never logged.")
    secret_key: SecretStr | None = Field(
        default=None,
        description="Fernet key (32 bytes, URL-safe base64) that encrypts source credentials in the store; "
        "when unset, one is generated into data_dir/secret.key (mode 0600) on first use. Back it up with "
        "the database.",
    )
    admin_password: SecretStr | None = Field(
        default=None, description="Password of the operator pages under /admin; unset disables the login.")
    session_secret: SecretStr | None = Field(
        default=None, description="Key that signs operator session cookies; at least 32 characters.")
    session_max_age: int = Field(default=8 * 3600, ge=60, description="Lifetime of an operator session, in seconds.")
    harvest_batch_size: int = Field(default=500, ge=1, description="Records stored per transaction during a harvest.")
    job_deadline_seconds: float = Field(
        default=6 * 3600, gt=0,
        description="Seconds one harvest job may run (6 h). Past it the job ends `interrupted` with "
        "`job-deadline`, keeps the records already stored and withdraws nothing. The check runs between "
        "records, so a request in flight ends by its own HTTP deadline first.",
    )
    withdraw_max_share: float = Field(
        default=0.2, ge=0, le=1,
        description="Largest share of a source's records one run may withdraw; more holds the job for review.",
    )
    withdraw_grace_days: float = Field(default=7, ge=0, description="Days a withdrawn dataset stays as a tombstone before it is purged.")
    job_stale_minutes: float = Field(
        default=10, gt=0, description="Minutes without a heartbeat after which a running job of another host counts as dead.",
    )
    job_retention_days: float = Field(
        default=90, gt=0,
        description="Days finished job rows and their errors are kept; each source's latest job is always kept.")
    scheduler_workers: int = Field(
        default=4, ge=1,
        description="Scheduled harvests one process runs at once. Runs due beyond that wait in a queue "
        "and start when a worker is free.",
    )
    scheduler_stall_seconds: float = Field(
        default=60, gt=0,
        description="Seconds a scheduled harvest may go without listing a record before it gives its worker "
        "to the next queued run and goes on outside scheduler_workers.",
    )
    scheduler_stalled_runs: int = Field(
        default=32, ge=0,
        description="Stalled harvests one process keeps going beside scheduler_workers; beyond that, "
        "queued runs wait.",
    )
    scheduler_retry_workers: int = Field(
        default=1, ge=1,
        description="Scheduled harvests one process runs at once for sources whose latest job failed or was "
        "interrupted; these never take a worker of scheduler_workers.",
    )
    scheduler_lease_seconds: float = Field(
        default=60, gt=0, description="Seconds the scheduler lease lasts; the holder renews it every third of that.",
    )
    log_format: Literal["text", "json"] = Field(
        default="text", description="Log line format: text, or json for one JSON object per line.")
    public_rate_limit_per_minute: float = Field(
        default=600, gt=0, description="Requests per minute one client address may send to the public API.")
    public_rate_limit_burst: int = Field(
        default=60, ge=1, description="Requests one client address may send at once before the public limit applies.")
    admin_auth_max_failures: int = Field(
        default=10, ge=1, description="Failed admin API authentications per client address per minute before 429.")
    max_sources_per_walidata: int = Field(
        default=100, ge=1, description="Sources one Walidata may hold through the admin API.")
    min_schedule_minutes: int = Field(
        default=15, ge=1, description="Shortest schedule interval, in minutes, the admin API accepts for a source.")

    @property
    def resolved_database_url(self) -> str:
        """Return the store URL, defaulting to a SQLite file inside `data_dir`."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'himpun.sqlite3').resolve()}"

    @property
    def resolved_sources_file(self) -> Path:
        return self.sources_file or self.config_dir / "sources.yaml"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment, with explicit overrides taking precedence."""
    return Settings(**overrides)  # type: ignore[arg-type]
