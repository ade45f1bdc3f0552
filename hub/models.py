"""Every model, imported in one place so that Alembic and the app see the whole schema."""

from hub.accounts.models import LoginAttempt, Role, User
from hub.countries.models import Country, PartnershipStatus, country_goals
from hub.documents.models import (
    Area,
    Attachment,
    Document,
    DocumentArea,
    ExtractionStatus,
    Kind,
    Revision,
    Status,
    Tag,
    Visibility,
    WorkflowEvent,
)
from hub.sdg.models import SdgGoal, SdgIndicator, SdgTarget
from hub.search.models import IndexOutbox, SearchDay, SearchQueryDay

__all__ = [
    "Area",
    "Attachment",
    "Country",
    "Document",
    "DocumentArea",
    "ExtractionStatus",
    "IndexOutbox",
    "Kind",
    "LoginAttempt",
    "PartnershipStatus",
    "Revision",
    "Role",
    "SdgGoal",
    "SdgIndicator",
    "SdgTarget",
    "SearchDay",
    "SearchQueryDay",
    "Status",
    "Tag",
    "User",
    "Visibility",
    "WorkflowEvent",
    "country_goals",
]
