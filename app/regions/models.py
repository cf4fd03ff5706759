"""Regions (行政区划)."""
from flask_babel import get_locale
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db


class Region(db.Model):
    """A province, city or county-level division (区、县、县级市), by its national code."""
    __tablename__ = "region"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str | None] = mapped_column(String(100))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"), index=True)
    level: Mapped[str] = mapped_column(String(20))  # "province" | "city" | "county"

    parent = relationship("Region", remote_side=[id])

    @property
    def label(self) -> str:
        """The name in the user's language (Chinese when no English name is known)."""
        locale = get_locale()
        if locale is not None and locale.language == "en" and self.name_en:
            return self.name_en
        return self.name

    def __repr__(self):
        return f"<Region {self.code} {self.name}>"
