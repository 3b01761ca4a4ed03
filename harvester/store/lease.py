"""The scheduler lease: a row naming which process schedules harvests, and until when."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from harvester.store.base import StoreBase, as_utc
from harvester.store.records import _insert_for
from harvester.store.tables import SchedulerLeaseRow

LEASE = SchedulerLeaseRow.__table__


class LeaseMixin(StoreBase):
    """Acquire, renew and release a named lease.

    Expiry uses the clock of the process that takes the lease, so processes
    sharing one database need clocks that agree to well within the lease time.
    """

    def acquire_lease(self, name: str, holder: str, ttl: dt.timedelta) -> bool:
        """Take or renew lease `name` for `holder` until now + `ttl`; return True if held."""
        now = self._now()
        expires_at = now + ttl
        take_over = (
            LEASE.update()
            .where(LEASE.c.name == name, sa.or_(LEASE.c.holder == holder, LEASE.c.expires_at < now))
            .values(holder=holder, expires_at=expires_at)
        )
        create = _insert_for(self.engine.dialect.name)(LEASE).values(
            name=name, holder=holder, expires_at=expires_at
        ).on_conflict_do_nothing(index_elements=[LEASE.c.name]).returning(LEASE.c.name)

        with self._write() as connection:
            if connection.execute(take_over).rowcount == 1:
                return True
            return connection.execute(create).first() is not None

    def release_lease(self, name: str, holder: str) -> None:
        """Give up lease `name` if `holder` holds it, so another process takes over at once."""
        with self._write() as connection:
            connection.execute(LEASE.delete().where(LEASE.c.name == name, LEASE.c.holder == holder))

    def lease_holder(self, name: str) -> tuple[str, dt.datetime] | None:
        """Return the holder of lease `name` and its expiry, or None when nobody holds it."""
        with self._read() as connection:
            row = connection.execute(sa.select(LEASE.c.holder, LEASE.c.expires_at).where(LEASE.c.name == name)).first()
        return None if row is None else (row[0], as_utc(row[1]))
