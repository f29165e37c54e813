"""Feedback from children and their families.

Working Together to Safeguard Children asks that children and families are listened to and
that agencies learn from what they say; Lord Laming's report found children's own views
too often missing. After a child protection conference, or when our work with a family ends
(an episode of need is closed), the child or a parent or carer is asked a few plain
questions. They answer on a paper form (staff type it in) or through a link they are given
(which works once, for 28 days, and needs no sign-in).

Staff tag each response with themes from a fixed list, so the partnership can count what
families say without anyone reading (or quoting) the free text in a report.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from jigsaw.casework.models import ChildProtectionConference, Referral

# A link given to a family works for this long; after that the page says it has expired.
LINK_DAYS = 28


class GivenBy(models.TextChoices):
    CHILD = "child", "The child or young person"
    PARENT = "parent", "A parent"
    CARER = "carer", "A carer"
    OTHER_FAMILY = "other_family", "Another family member"


class HowGiven(models.TextChoices):
    PAPER = "paper", "On paper (entered by staff)"
    LINK = "link", "Through a feedback link"


class Answer(models.TextChoices):
    """A three-point scale: plain words a child can answer."""

    YES = "yes", "Yes"
    PARTLY = "partly", "A bit"
    NO = "no", "No"


# The scale questions, in the order they are asked: (field, the question as a family reads it).
QUESTIONS: list[tuple[str, str]] = [
    ("listened", "Did you feel listened to?"),
    ("understood", "Did you understand what was decided and why?"),
    ("helped", "Do you think it will help your family?"),
]


class Theme(models.TextChoices):
    """The fixed list staff tag responses with. Fixed so that counts are comparable from
    quarter to quarter; "other" catches what the list does not yet name."""

    FELT_LISTENED_TO = "felt_listened_to", "Felt listened to"
    NOT_LISTENED_TO = "not_listened_to", "Did not feel listened to"
    UNDERSTOOD_PLAN = "understood_plan", "Understood the plan"
    JARGON = "jargon", "Jargon or hard words"
    MEETING_TOO_LONG = "meeting_too_long", "Meeting too long"
    NOT_ENOUGH_NOTICE = "not_enough_notice", "Not enough notice"
    REPORTS_LATE = "reports_late", "Reports shared too late"
    TOO_MANY_PEOPLE = "too_many_people", "Too many people in the room"
    ADVOCATE_HELPED = "advocate_helped", "Advocate helped"
    WORKER_CHANGES = "worker_changes", "Worker changes"
    SUPPORT_HELPED = "support_helped", "Support made a difference"
    OTHER = "other", "Something else"


class FeedbackLink(models.Model):
    """A single-use link given to a child or family member to give their feedback.

    Only a hash of the link's secret is kept: the link is shown once, to the member of
    staff who made it, and cannot be read back from the database. The page it opens shows
    only the child's first name and what the feedback is about."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="feedback_links")
    conference = models.ForeignKey(
        "casework.ChildProtectionConference",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="feedback_links",
    )
    referral = models.ForeignKey(
        "casework.Referral", on_delete=models.PROTECT, null=True, blank=True, related_name="feedback_links"
    )
    given_by = models.CharField(max_length=20, choices=GivenBy.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(conference__isnull=False, referral__isnull=True)
                | Q(conference__isnull=True, referral__isnull=False),
                name="feedback_link_about_one_thing",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")), name="feedback_link_expires_after_made"
            ),
        ]

    def __str__(self) -> str:
        return f"Feedback link {self.pk}"

    def state_on(self, moment: datetime.datetime) -> str:
        """Whether the link can still be used at `moment`, in the words the pages show."""
        if self.used_at is not None:
            return "Used"
        if self.withdrawn_at is not None:
            return "Withdrawn"
        if moment >= self.expires_at:
            return "Expired"
        return "Waiting for an answer"

    def usable_on(self, moment: datetime.datetime) -> bool:
        return self.used_at is None and self.withdrawn_at is None and moment < self.expires_at


class FamilyFeedback(models.Model):
    """One response: who gave it, how, what it is about (a conference or the end of an
    episode), the answers, and the themes staff tagged."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="family_feedback")
    conference = models.ForeignKey(
        "casework.ChildProtectionConference",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="family_feedback",
    )
    referral = models.ForeignKey(
        "casework.Referral", on_delete=models.PROTECT, null=True, blank=True, related_name="family_feedback"
    )
    given_by = models.CharField(max_length=20, choices=GivenBy.choices)
    how = models.CharField(max_length=10, choices=HowGiven.choices)
    given_on = models.DateField()
    # Each scale answer may be left blank: a family can skip any question.
    listened = models.CharField(max_length=10, choices=Answer.choices, blank=True)
    understood = models.CharField(max_length=10, choices=Answer.choices, blank=True)
    helped = models.CharField(max_length=10, choices=Answer.choices, blank=True)
    went_well = models.TextField(blank=True)
    could_be_better = models.TextField(blank=True)
    themes = models.JSONField(default=list, blank=True)
    themes_tagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    themes_tagged_at = models.DateTimeField(null=True, blank=True)
    link = models.OneToOneField(
        FeedbackLink, on_delete=models.PROTECT, null=True, blank=True, related_name="response"
    )
    # Null for a response given through a link: nobody signed in wrote it.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-given_on", "-pk"]
        verbose_name_plural = "family feedback"
        indexes = [models.Index(fields=["given_on"], name="family_feedback_given_on")]
        constraints = [
            models.CheckConstraint(
                condition=Q(conference__isnull=False, referral__isnull=True)
                | Q(conference__isnull=True, referral__isnull=False),
                name="family_feedback_about_one_thing",
            ),
            models.CheckConstraint(
                condition=(Q(how="link") & Q(link__isnull=False) & Q(recorded_by__isnull=True))
                | (Q(how="paper") & Q(link__isnull=True) & Q(recorded_by__isnull=False)),
                name="family_feedback_how_matches_who",
            ),
        ]

    def __str__(self) -> str:
        return f"Feedback {self.pk} from {self.get_given_by_display().lower()}"

    @property
    def about(self) -> str:
        """What the feedback is about, as a member of staff reads it."""
        if self.conference is not None:
            return describe_conference(self.conference)
        assert self.referral is not None
        return describe_episode(self.referral)

    def theme_labels(self) -> list[str]:
        labels = dict(Theme.choices)
        return [str(labels[t]) for t in self.themes if t in labels]


def describe_conference(conference: ChildProtectionConference) -> str:
    date = conference.date
    return f"{conference.get_kind_display()} child protection conference on {date.day} {date:%B %Y}"


def describe_episode(referral: Referral) -> str:
    closed = referral.closed_on
    if closed is None:
        return "Our work with the family (still open)"
    return f"The end of our work with the family, {closed.day} {closed:%B %Y}"
