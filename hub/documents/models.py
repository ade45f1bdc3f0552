"""Documents of the Hub's three kinds, with their revisions and PDF attachments."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.countries.models import Country
from hub.dbtypes import UTCDateTime, enum_column, utcnow
from hub.extensions import db
from hub.sdg.models import SdgGoal, SdgTarget


class Kind(enum.StrEnum):
    GUIDEBOOK_SECTION = "guidebook_section"
    POLICY_BRIEF = "policy_brief"
    COUNTRY_EXPERIENCE = "country_experience"


class Status(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class Visibility(enum.StrEnum):
    PUBLIC = "public"
    MEMBERS = "members"


class Area(enum.StrEnum):
    """The Partnership's three areas of work."""

    CAPABILITIES = "capabilities"
    KNOWLEDGE_FLOWS = "knowledge_flows"
    COLLABORATION = "collaboration"


class ExtractionStatus(enum.StrEnum):
    PENDING = "pending"
    OK = "ok"
    FAILED = "failed"


def _in(column: str, enum_cls: type[enum.Enum]) -> str:
    values = ", ".join(f"'{m.value}'" for m in enum_cls)
    return f"{column} IN ({values})"


document_goals = Table(
    "document_goals",
    db.metadata,
    Column("document_id", ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
    Column("goal_number", ForeignKey("sdg_goals.number"), primary_key=True),
)

document_targets = Table(
    "document_targets",
    db.metadata,
    Column("document_id", ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
    Column("target_code", ForeignKey("sdg_targets.code"), primary_key=True),
)

document_tags = Table(
    "document_tags",
    db.metadata,
    Column("document_id", ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
)

# A brief or experience tagged to the guidebook sections whose topic it illustrates; a section
# page lists them. The loader checks that each section exists and is a guidebook section.
document_topics = Table(
    "document_topics",
    db.metadata,
    Column("document_id", ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "section_id", ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True, index=True
    ),
)


class Tag(db.Model):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)


class DocumentArea(db.Model):
    __tablename__ = "document_areas"
    __table_args__ = (CheckConstraint(_in("area", Area), name="area_known"),)

    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    area: Mapped[Area] = mapped_column(enum_column(Area), primary_key=True)


class Document(db.Model):
    __tablename__ = "documents"
    __table_args__ = (
        CheckConstraint(_in("kind", Kind), name="kind_known"),
        CheckConstraint(_in("status", Status), name="status_known"),
        CheckConstraint(_in("visibility", Visibility), name="visibility_known"),
        CheckConstraint(
            "kind = 'guidebook_section' OR country_id IS NOT NULL", name="country_required"
        ),
        CheckConstraint(
            "parent_id IS NULL OR kind = 'guidebook_section'", name="parent_only_in_guidebook"
        ),
        CheckConstraint(
            "status <> 'published' OR published_on IS NOT NULL", name="published_has_date"
        ),
        CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
        CheckConstraint(
            "revision_of_id IS NULL OR status <> 'published'", name="correction_never_published"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[Kind] = mapped_column(enum_column(Kind), index=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    # The body as plain text, and what it was made from (hub/documents/body_text.py).
    body_text: Mapped[str | None] = mapped_column(Text)
    body_text_key: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(16), default="en")
    country_id: Mapped[int | None] = mapped_column(ForeignKey("countries.id"), index=True)
    status: Mapped[Status] = mapped_column(enum_column(Status), default=Status.DRAFT, index=True)
    visibility: Mapped[Visibility] = mapped_column(
        enum_column(Visibility), default=Visibility.PUBLIC
    )
    published_on: Mapped[date | None] = mapped_column(Date, index=True)
    is_example: Mapped[bool] = mapped_column(Boolean, default=False)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("documents.id", ondelete="SET NULL"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    # A correction proposed to a published brief or experience: a working copy that goes through
    # review while the published document stays online, then replaces its content. At most one
    # per document (unique); never published itself (hub/documents/corrections.py).
    revision_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), unique=True
    )
    # What the content loader last loaded into this document: a fingerprint of the file and its
    # attachments, and the revision that load produced. An unchanged file is then left alone
    # whatever the Hub did since, and a changed file never overwrites work done in the Hub
    # (hub/content/tracking.py). Empty for documents made in the Hub.
    loaded_sha256: Mapped[str | None] = mapped_column(String(64))
    loaded_revision: Mapped[int | None] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    # Optimistic locking: a save based on an old version raises StaleDataError.
    __mapper_args__ = {"version_id_col": version}

    country: Mapped[Country | None] = relationship()
    goals: Mapped[list[SdgGoal]] = relationship(secondary=document_goals, order_by=SdgGoal.number)
    targets: Mapped[list[SdgTarget]] = relationship(
        secondary=document_targets, order_by=(SdgTarget.goal_number, SdgTarget.position)
    )
    tags: Mapped[list[Tag]] = relationship(secondary=document_tags, order_by=Tag.name)
    topics: Mapped[list[Document]] = relationship(
        secondary=document_topics,
        primaryjoin="Document.id == document_topics.c.document_id",
        secondaryjoin="Document.id == document_topics.c.section_id",
        order_by="Document.slug",
    )
    area_links: Mapped[list[DocumentArea]] = relationship(
        cascade="all, delete-orphan", order_by=DocumentArea.area
    )
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="Attachment.position"
    )
    revisions: Mapped[list[Revision]] = relationship(
        back_populates="document",
        cascade="all, delete-orphan",
        order_by="Revision.number",
        passive_deletes=True,
    )
    events: Mapped[list[WorkflowEvent]] = relationship(
        back_populates="document",
        cascade="all, delete-orphan",
        order_by="WorkflowEvent.id",
        passive_deletes=True,
    )
    parent: Mapped[Document | None] = relationship(
        remote_side=[id], foreign_keys=[parent_id], back_populates="children"
    )
    children: Mapped[list[Document]] = relationship(
        back_populates="parent",
        foreign_keys=[parent_id],
        order_by="(Document.position, Document.title)",
    )
    revision_of: Mapped[Document | None] = relationship(
        remote_side=[id], foreign_keys=[revision_of_id], back_populates="correction"
    )
    correction: Mapped[Document | None] = relationship(
        foreign_keys=[revision_of_id],
        back_populates="revision_of",
        uselist=False,
        passive_deletes=True,
    )

    @property
    def areas(self) -> list[Area]:
        return [link.area for link in self.area_links]

    @property
    def is_correction(self) -> bool:
        return self.revision_of_id is not None

    @property
    def is_published(self) -> bool:
        return self.status is Status.PUBLISHED

    @property
    def revised_at(self) -> datetime | None:
        """When the text last changed after it was added; None if it never changed."""
        return self.revisions[-1].created_at if len(self.revisions) > 1 else None

    def __repr__(self) -> str:
        return f"<Document {self.kind.value}:{self.slug}>"


class Revision(db.Model):
    """A full snapshot of a document after each change, so any version can be shown or restored."""

    __tablename__ = "revisions"
    __table_args__ = (UniqueConstraint("document_id", "number", name="uq_revisions_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    snapshot: Mapped[dict] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(String(500), default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    document: Mapped[Document] = relationship(back_populates="revisions")


class Attachment(db.Model):
    """A PDF stored under a server-made name in DATA_DIR, never under a name a user chose."""

    __tablename__ = "attachments"
    __table_args__ = (
        CheckConstraint(_in("extraction_status", ExtractionStatus), name="extraction_known"),
        CheckConstraint("size >= 0", name="size_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(80), default="application/pdf")
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    text: Mapped[str] = mapped_column(Text, default="")
    page_count: Mapped[int | None] = mapped_column(Integer)
    extraction_status: Mapped[ExtractionStatus] = mapped_column(
        enum_column(ExtractionStatus), default=ExtractionStatus.PENDING
    )
    extraction_error: Mapped[str] = mapped_column(String(500), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    document: Mapped[Document] = relationship(back_populates="attachments")

    @property
    def pages(self) -> list[str]:
        """Extracted text page by page (pages are separated by form feeds)."""
        return self.text.split("\f") if self.text else []


class WorkflowEvent(db.Model):
    """One step of the editorial workflow: who moved a document from which status to which, why."""

    __tablename__ = "workflow_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[Status] = mapped_column(enum_column(Status))
    to_status: Mapped[Status] = mapped_column(enum_column(Status))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    document: Mapped[Document] = relationship(back_populates="events")
