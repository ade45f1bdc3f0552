"""People who log in: their role, country and password."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.countries.models import Country
from hub.dbtypes import UTCDateTime, enum_column, utcnow
from hub.extensions import db


class Role(enum.StrEnum):
    FOCAL_POINT = "focal_point"
    EDITOR = "editor"
    ADMIN = "admin"


class User(db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('focal_point', 'editor', 'admin')", name="role_known"),
        CheckConstraint(
            "role <> 'focal_point' OR country_id IS NOT NULL", name="focal_point_has_country"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    country_id: Mapped[int | None] = mapped_column(ForeignKey("countries.id"), index=True)
    # None until the invited person sets a password.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped on logout, password change, disabling and role change: every older session and
    # remember-me cookie carries the old number and stops working.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    country: Mapped[Country | None] = relationship()

    # Flask-Login's protocol.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.EDITOR, Role.ADMIN)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role.value}>"
