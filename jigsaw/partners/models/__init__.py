"""The partners app's models, one module per part of the partnership's work."""

from jigsaw.partners.models.alerts import AlertRule, EmergingConcern, EmergingConcernStatus, RuleKind
from jigsaw.partners.models.concerns import Concern, ConcernChild, ConcernStatus, ConcernUrgency
from jigsaw.partners.models.feeds import (
    SUBTYPES,
    ApiClient,
    EventImport,
    EventKind,
    EventSubject,
    EventSubtype,
    FeedScope,
    PartnerEvent,
    SubjectRole,
)
from jigsaw.partners.models.flags import FlagAnswer, FlagCheck
from jigsaw.partners.models.network import (
    Agency,
    AgencyKind,
    ContactMethod,
    NamedProfessional,
    Notification,
    Practitioner,
)
from jigsaw.partners.models.sharing import (
    ConsentStatus,
    Disclosure,
    DisclosureKind,
    InformationSharingAgreement,
    LegalBasis,
)

__all__ = [
    "SUBTYPES",
    "Agency",
    "AgencyKind",
    "AlertRule",
    "ApiClient",
    "Concern",
    "ConcernChild",
    "ConcernStatus",
    "ConcernUrgency",
    "ConsentStatus",
    "ContactMethod",
    "Disclosure",
    "DisclosureKind",
    "EmergingConcern",
    "EmergingConcernStatus",
    "EventImport",
    "EventKind",
    "EventSubject",
    "EventSubtype",
    "FeedScope",
    "FlagAnswer",
    "FlagCheck",
    "InformationSharingAgreement",
    "LegalBasis",
    "NamedProfessional",
    "Notification",
    "PartnerEvent",
    "Practitioner",
    "RuleKind",
    "SubjectRole",
]
