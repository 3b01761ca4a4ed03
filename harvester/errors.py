"""Exception tree shared by the pipeline, the connectors and the publishing layer.

Every error carries a machine-readable `code` (kebab-case, stored on job
errors and shown in reports) and a message that names the source, the record
or URL, and the offending value. Messages are safe to show to operators; none
contains a credential.

    HimpunError
    ├── ConfigError                 invalid configuration (source, settings)
    ├── SourceError                 the source as a whole failed; the job stops
    │   ├── FetchError              HTTP or network failure after retries
    │   ├── BlockedAddressError     the egress guard rejected a URL
    │   ├── ResponseTooLargeError   a response passed its size cap
    │   ├── PaginationError         paging loops or passes its limit
    │   └── RemoteError             the source reported an error (even with HTTP 200)
    ├── RecordError                 one record is bad; the job goes on
    │   ├── InvalidRecordError      malformed or missing required fields
    │   └── SkippedRecordError      deliberately not harvested (not a dataset)
    ├── JobDeadlineError            a job ran past `settings.job_deadline_seconds`
    ├── StoreError                  the store failed (constraint, unknown state)
    │   ├── StorageFullError        the disk under the database is full
    │   └── DatabaseUnavailableError  the connection to the database failed
    ├── ConflictError               the request conflicts with the current state
    │   └── AlreadyRunningError     a job of that source is already running
    └── SearchIndexError            the search index failed (locked, corrupt)
        └── InvalidQueryError       a search names an unknown facet or field
"""

from __future__ import annotations


class HimpunError(Exception):
    """Base of every error Himpun raises on purpose."""

    code: str = "error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code

    @property
    def message(self) -> str:
        return str(self)


class ConfigError(HimpunError):
    code = "invalid-config"


class SourceError(HimpunError):
    """The source as a whole failed: the job ends failed and withdraws nothing."""

    code = "source-failed"


class FetchError(SourceError):
    code = "fetch-failed"

    def __init__(self, message: str, *, url: str | None = None, status: int | None = None,
                 code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.url = url
        self.status = status


class BlockedAddressError(FetchError):
    code = "blocked-address"


class ResponseTooLargeError(FetchError):
    code = "response-too-large"


class PaginationError(SourceError):
    code = "pagination-loop"


class RemoteError(SourceError):
    """The remote API reported an error, often inside an HTTP 200 body."""

    code = "remote-error"


class RecordError(HimpunError):
    """One remote record could not be harvested; the rest of the job continues."""

    code = "invalid-record"

    def __init__(self, message: str, *, remote_id: str | None = None, value: object = None,
                 code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.remote_id = remote_id
        self.value = value


class InvalidRecordError(RecordError):
    code = "invalid-record"


class SkippedRecordError(RecordError):
    code = "skipped"


class JobDeadlineError(HimpunError):
    """A job ran longer than its deadline: it ends interrupted and withdraws nothing."""

    code = "job-deadline"


class StoreError(HimpunError):
    code = "store-failed"


class StorageFullError(StoreError):
    """A write failed because the disk under the database is full, so its transaction was rolled back."""

    code = "storage-full"


class DatabaseUnavailableError(StoreError):
    """The connection to the database could not be opened or broke during a transaction."""

    code = "database-unavailable"


class ConflictError(HimpunError):
    """The request conflicts with the current state, such as a review already decided."""

    code = "conflict"


class AlreadyRunningError(ConflictError):
    """A job of the same source is already running; at most one runs per source."""

    code = "already-running"


class SearchIndexError(HimpunError):
    """The search index could not be opened, written or read."""

    code = "index-failed"


class InvalidQueryError(SearchIndexError):
    """A search request names an unknown facet or carries a value that cannot match."""

    code = "invalid-query"
