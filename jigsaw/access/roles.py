"""The roles a Jigsaw user can hold. Kept free of model imports so every app can use it."""

from django.db import models


class Role(models.TextChoices):
    SOCIAL_WORKER = "social_worker", "Social worker"
    TEAM_MANAGER = "team_manager", "Team manager"
    FRONT_DOOR_OFFICER = "front_door_officer", "Front door officer"
    CONFERENCE_CHAIR = "conference_chair", "Conference chair"
    PARTNER_PRACTITIONER = "partner_practitioner", "Partner practitioner"
    PERFORMANCE_ANALYST = "performance_analyst", "Performance analyst"
    PARTNERSHIP_MEMBER = "partnership_member", "Partnership member"
    DATA_PROTECTION_OFFICER = "data_protection_officer", "Data protection officer"
    ADMINISTRATOR = "administrator", "Administrator"
    # Council social care staff who are not qualified social workers: they take the
    # administrative tasks social workers delegate (jigsaw/support). Not in SOCIAL_CARE_ROLES.
    BUSINESS_SUPPORT = "business_support", "Business support officer"
    SOCIAL_WORK_ASSISTANT = "social_work_assistant", "Social work assistant"


SOCIAL_CARE_ROLES = frozenset(
    {Role.SOCIAL_WORKER, Role.TEAM_MANAGER, Role.FRONT_DOOR_OFFICER, Role.CONFERENCE_CHAIR}
)
