"""Index public datasets by id, so keyset pages and hit checks avoid a scan and a sort.

With an index on (status, access_level) alone, SQLite answers both
`id > :after ORDER BY id LIMIT n` and `id IN (...)` among public datasets by
reading every public row and sorting them, which costs tens of milliseconds
per query at 50,000 datasets. Adding `id` as the last column serves both in
index order.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_dataset_status_access_level", table_name="dataset")
    op.create_index("ix_dataset_status_access_level_id", "dataset", ["status", "access_level", "id"])


def downgrade() -> None:
    op.drop_index("ix_dataset_status_access_level_id", table_name="dataset")
    op.create_index("ix_dataset_status_access_level", "dataset", ["status", "access_level"])
