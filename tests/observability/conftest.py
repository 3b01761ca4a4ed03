"""Observability tests reuse the admin API fixtures: a real store, index, app and loopback portal."""

from tests.admin.conftest import env, portal  # noqa: F401 - pytest fixtures
