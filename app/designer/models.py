"""Designer tables: drafts of diagrams (流程草稿). A draft never affects running cases;
only deploying makes a process version."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..engine.clock import utcnow
from ..extensions import db


class ProcessDraft(db.Model):
    """A diagram being edited by an administrator, saved as often as they like."""
    __tablename__ = "process_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str | None] = mapped_column(String(100), index=True)  # the BPMN process id, when known
    name: Mapped[str] = mapped_column(String(200), default="")
    content: Mapped[str] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String(255))  # uploaded file name
    base_definition_id: Mapped[int | None] = mapped_column(ForeignKey("process_definition.id"))
    deployed_definition_id: Mapped[int | None] = mapped_column(ForeignKey("process_definition.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    author = relationship("User")
    base_definition = relationship("ProcessDefinition", foreign_keys=[base_definition_id])
    deployed_definition = relationship("ProcessDefinition", foreign_keys=[deployed_definition_id])
