"""reports per region, with the moment their figures are as of and the batches they read

Revision ID: web01
Revises: 0001
Create Date: 2026-11-23 14:18:29.971186

A report belongs to a region (the province it covers), so it is read within the caller's region scope like
every other figure. Rows made before this revision (there should be none) are given the first province.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import service.db.types

revision: str = "web01"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("region_code", sa.String(length=6), nullable=True))
        batch_op.add_column(sa.Column("data_as_of", service.db.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column(
                "batch_ids",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=True,
            )
        )
    op.execute(
        "UPDATE reports SET region_code = (SELECT MIN(code) FROM regions WHERE level = 'province'), "
        "batch_ids = '[]' WHERE region_code IS NULL"
    )
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.alter_column("region_code", existing_type=sa.String(length=6), nullable=False)
        batch_op.alter_column(
            "batch_ids",
            existing_type=sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        )
        batch_op.drop_constraint("version", type_="unique")
        batch_op.create_unique_constraint("version", ["region_code", "quarter", "language", "format", "generated_at"])
        batch_op.create_index(batch_op.f("ix_reports_region_code"), ["region_code"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_reports_region_code_regions"), "regions", ["region_code"], ["code"])


def downgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_reports_region_code_regions"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_reports_region_code"))
        batch_op.drop_constraint("version", type_="unique")
        batch_op.create_unique_constraint("version", ["quarter", "language", "format", "generated_at"])
        batch_op.drop_column("batch_ids")
        batch_op.drop_column("data_as_of")
        batch_op.drop_column("region_code")
