"""Every model, imported in one place so that Alembic and the app see the whole schema."""

# The Partnership's packages are imported as modules, so each package keeps its own list of models.
from hub.accounts.models import Role, User
from hub.applications import models as applications_models
from hub.countries.models import (
    ContactRole,
    Country,
    CountryContact,
    Engagement,
    PartnershipStatus,
    country_goals,
)
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
from hub.forum import models as forum_models
from hub.jobs import models as jobs_models
from hub.notifications.models import Category, Digest, Notification, NotificationPreference
from hub.peers import models as peers_models
from hub.ratelimit import RateLimitHit
from hub.reporting import models as reporting_models
from hub.sdg.models import SdgGoal, SdgIndicator, SdgTarget
from hub.search.models import IndexChange, IndexHost, IndexLog, SearchDay, SearchQueryDay

__all__ = [
    "Area",
    "Attachment",
    "Category",
    "ContactRole",
    "Country",
    "CountryContact",
    "Digest",
    "Engagement",
    "Document",
    "DocumentArea",
    "ExtractionStatus",
    "IndexChange",
    "IndexHost",
    "IndexLog",
    "Kind",
    "RateLimitHit",
    "Notification",
    "NotificationPreference",
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
    "applications_models",
    "forum_models",
    "jobs_models",
    "peers_models",
    "reporting_models",
    "country_goals",
]
