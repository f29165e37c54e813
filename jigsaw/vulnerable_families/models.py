"""Vulnerable families meetings.

A health visiting team and a GP practice meet regularly (by default every six weeks) about
the families with young children they are worried about, below the threshold of a
referral or not yet referred: who is on the list, what was discussed, what each will do,
and whether a referral to children's social care followed. It is recorded once, by
either side, and both see the same record; a family "kept on the list" is listed again at
the next meeting, so nobody drops off by being forgotten.

Families are children from the person index (a family can be several children), picked by
NHS number, which both health agencies hold.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from jigsaw.people.models import Person

# The meeting's usual rhythm, and the longest gap an authority's protocol would allow.
DEFAULT_CADENCE_WEEKS = 6
LONGEST_CADENCE_WEEKS = 26


class StandingMeeting(models.Model):
    """One health visiting team and one GP practice's standing arrangement to meet: how
    often, and who leads it for each side."""

    health_visiting = models.ForeignKey(
        "partners.Agency", on_delete=models.PROTECT, related_name="+", verbose_name="health visiting team"
    )
    gp_practice = models.ForeignKey(
        "partners.Agency", on_delete=models.PROTECT, related_name="+", verbose_name="GP practice"
    )
    cadence_weeks = models.PositiveSmallIntegerField(default=DEFAULT_CADENCE_WEEKS)
    health_visiting_lead = models.ForeignKey(
        "partners.Practitioner", on_delete=models.PROTECT, related_name="+"
    )
    gp_lead = models.ForeignKey("partners.Practitioner", on_delete=models.PROTECT, related_name="+")
    venue = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["health_visiting__name", "gp_practice__name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["health_visiting", "gp_practice"], name="one_standing_meeting_per_pair"
            ),
            models.CheckConstraint(
                condition=Q(cadence_weeks__gte=1) & Q(cadence_weeks__lte=LONGEST_CADENCE_WEEKS),
                name="standing_meeting_cadence_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.health_visiting} and {self.gp_practice}"


class Meeting(models.Model):
    """One meeting held (or to be held) on a day: who came, and the families on its list."""

    standing = models.ForeignKey(StandingMeeting, on_delete=models.PROTECT, related_name="meetings")
    held_on = models.DateField()
    attendees = models.ManyToManyField("partners.Practitioner", blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    # Moved on by every change to the meeting's attendance and list of families.
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-held_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["standing", "held_on"], name="one_meeting_per_day_per_pair")
        ]

    def __str__(self) -> str:
        return f"{self.standing}, {self.held_on:%d/%m/%Y}"


class Outcome(models.TextChoices):
    NO_FURTHER_ACTION = "nfa", "No further action: take off the list"
    KEEP_ON_LIST = "keep", "Keep on the list"
    EARLY_HELP = "early_help", "Early help offered"
    REFERRAL = "referral", "Referral to children's social care made"


# The outcomes after which the family comes back at the next meeting. A family listed but
# not yet discussed (no outcome) comes back too.
CARRIED_FORWARD = (Outcome.KEEP_ON_LIST, "")


class FamilyDiscussion(models.Model):
    """A family on one meeting's list: the children, why they are listed, what was
    discussed and the outcome. A referral that followed is dated, and linked to the
    front door's contact when the front door recorded one."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="families")
    children: models.ManyToManyField[Person, FamilyChild] = models.ManyToManyField(
        "people.Person", through="FamilyChild", related_name="+"
    )
    # Why the family was put on the list (blank for a family carried forward).
    reason = models.CharField(max_length=300, blank=True)
    concern = models.TextField(blank=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)
    referral_made_on = models.DateField(null=True, blank=True)
    contact = models.ForeignKey(
        "casework.Contact", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    carried_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="carried_to"
    )
    discussed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["meeting", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="referral", referral_made_on__isnull=False)
                | (~Q(outcome="referral") & Q(referral_made_on__isnull=True) & Q(contact__isnull=True)),
                name="only_a_referral_is_dated_and_linked",
            ),
            models.CheckConstraint(
                condition=Q(outcome="") | ~Q(concern=""), name="an_outcome_follows_a_discussion"
            ),
        ]

    def __str__(self) -> str:
        return f"Family {self.pk} at {self.meeting}"

    @property
    def referral_followed(self) -> bool:
        return self.outcome == Outcome.REFERRAL


class FamilyChild(models.Model):
    discussion = models.ForeignKey(FamilyDiscussion, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["discussion", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["discussion", "person"], name="a_child_once_per_family")
        ]

    def __str__(self) -> str:
        return f"Person {self.person_id} in family {self.discussion_id}"


class FamilyAction(models.Model):
    """What one practitioner (of either agency) will do for a family, and by when."""

    discussion = models.ForeignKey(FamilyDiscussion, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField(max_length=300)
    owner = models.ForeignKey("partners.Practitioner", on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    done_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["owner", "done_on", "due_on"], name="vf_action_owner_open_due")]

    def __str__(self) -> str:
        return self.description[:60]
