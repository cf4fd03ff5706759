"""Every model, imported once so metadata (and Alembic) sees all tables."""
from .auth.models import ApiToken, Organisation, User  # noqa: F401
from .engine.models import AuditEvent, Case, Document, HolidayOverride, Incident, ProcessDefinition, WorkTask  # noqa: F401
from .notifications.models import Notification  # noqa: F401
from .complaints.models import ArbitrationOpinion, Complaint  # noqa: F401
from .agencies.models import (AgencyProfile, Consultant, DisclosureVersion, Project, ProjectMember,  # noqa: F401
                              SatisfactionFeedback)
from .rating.models import ExpertScore, Objection, RatingApplication, RatingCycle, RatingReview  # noqa: F401
from .stars.models import (EnterpriseStar, EvaluationScheme, Indicator, IndicatorScore, SchemeDimension,  # noqa: F401
                           SpecialEvaluation, SpecialScore, StarApplication, SupervisionOutcome)
from .designer.models import ProcessDraft  # noqa: F401
