"""Users, organisations and API tokens."""
from datetime import datetime
import hashlib
import secrets

from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..engine.clock import utcnow


class Organisation(db.Model):
    """An organisation known to the platform: an agency (咨询服务机构), an enterprise (企业), a
    certification body (第三方评价机构) or a bureau (经信部门), each in a region (行政区划)."""
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)  # "agency" | "enterprise" | "certifier" | "bureau"
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"), index=True)
    registered: Mapped[bool] = mapped_column(Boolean, default=True)  # may act (an approved agency/body)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # 统一社会信用代码 (GB 32100-2015, 18 characters, check digit validated); unique when given.
    credit_code: Mapped[str | None] = mapped_column(String(18), unique=True)
    # "approved" | "pending" (awaiting the alliance's approval) | "refused" | "merged"
    status: Mapped[str] = mapped_column(String(20), default="approved", server_default="approved")
    contact_name: Mapped[str | None] = mapped_column(String(120))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    contact_email: Mapped[str | None] = mapped_column(String(200))
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())  # made by `flask demo load`

    region = relationship("Region")

    def __repr__(self):
        return f"<Organisation {self.id} {self.kind} {self.name}>"


def new_session_nonce() -> str:
    return secrets.token_urlsafe(24)


class User(UserMixin, db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), index=True)
    # The agency or enterprise an agency/enterprise user belongs to; for an expert,
    # the agency they are affiliated with (a conflict of interest for its cases).
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Part of the id kept in the session cookie and checked on every request; a new one on
    # logout and on a password change ends the sessions started with the old one.
    session_nonce: Mapped[str | None] = mapped_column(String(64), default=new_session_nonce)
    # None until the user followed the link of the verification (or invitation) e-mail.
    email_verified_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The organisation's administrator (机构管理员): invites and deactivates its users. A flag,
    # not a role: the user keeps the organisation's role (agency, enterprise, ...).
    org_admin: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    totp_secret: Mapped[str | None] = mapped_column(String(64))  # set: TOTP second factor on
    specialities: Mapped[str | None] = mapped_column(String(500))  # experts: 专业领域, comma separated
    demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    organisation = relationship(Organisation)

    def get_id(self) -> str:
        """What Flask-Login keeps in the session: the id and the current session nonce."""
        return f"{self.id}:{self.session_nonce or ''}"

    def rotate_session_nonce(self) -> None:
        self.session_nonce = new_session_nonce()

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self):
        return self.active

    @property
    def is_staff(self) -> bool:
        from .permissions import is_staff
        return is_staff(self)

    @property
    def is_admin(self) -> bool:
        from .permissions import is_admin
        return is_admin(self)

    def __repr__(self):
        return f"<User {self.username} {self.role}>"


class ApiToken(db.Model):
    """A bearer token for integrations (POST /api/v1/tokens). Only its hash is stored."""
    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)

    user = relationship(User)

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()


class RateLimitCounter(db.Model):
    """A throttling counter (failed logins per account or address) shared by every worker
    process: the ``jianping-db://`` storage of Flask-Limiter (app/auth/ratelimit_store.py)."""
    __tablename__ = "rate_limit_counter"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    expires_at: Mapped[float] = mapped_column(Float, nullable=False, index=True)  # epoch seconds
