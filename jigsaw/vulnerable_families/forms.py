"""The forms of vulnerable families meetings. They parse input; the actions validate it."""

from __future__ import annotations

from typing import Any

from django import forms

from jigsaw.core.forms import DateField, GovukForm
from jigsaw.partners.models import Agency, AgencyKind, Practitioner
from jigsaw.vulnerable_families.actions import StandingDetails
from jigsaw.vulnerable_families.models import (
    DEFAULT_CADENCE_WEEKS,
    LONGEST_CADENCE_WEEKS,
    Outcome,
    StandingMeeting,
)


def _set_choices(form: forms.Form, name: str, choices: list[tuple[str, str]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


def _pk(value: str) -> int | None:
    return int(value) if value and value.isdigit() else None


def _agencies(kind: str) -> list[tuple[str, str]]:
    return [("", "Choose")] + [
        (str(pk), name) for pk, name in Agency.objects.filter(kind=kind).values_list("pk", "name")
    ]


def _practitioners(kind: str) -> list[tuple[str, str]]:
    found = (
        Practitioner.objects.filter(agency__kind=kind)
        .select_related("agency")
        .order_by("agency__name", "full_name")
    )
    return [("", "Choose")] + [(str(p.pk), f"{p.full_name} ({p.agency.name})") for p in found]


class StandingMeetingForm(GovukForm):
    health_visiting = forms.ChoiceField(label="Health visiting team")
    gp_practice = forms.ChoiceField(label="GP practice")
    health_visiting_lead = forms.ChoiceField(
        label="Lead for the health visiting team", help_text="Usually the team's safeguarding lead"
    )
    gp_lead = forms.ChoiceField(
        label="Lead for the GP practice", help_text="Usually the practice's safeguarding lead GP"
    )
    cadence_weeks = forms.IntegerField(
        label="How often it meets, in weeks",
        min_value=1,
        max_value=LONGEST_CADENCE_WEEKS,
        initial=DEFAULT_CADENCE_WEEKS,
        help_text="Usually every 6 weeks",
    )
    venue = forms.CharField(label="Where it is held (optional)", required=False, max_length=200)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "health_visiting", _agencies(AgencyKind.HEALTH_VISITING))
        _set_choices(self, "gp_practice", _agencies(AgencyKind.GP_PRACTICE))
        _set_choices(self, "health_visiting_lead", _practitioners(AgencyKind.HEALTH_VISITING))
        _set_choices(self, "gp_lead", _practitioners(AgencyKind.GP_PRACTICE))
        self.fields["cadence_weeks"].error_messages.update(
            {
                "min_value": f"Enter how often the meeting is held: between 1 and {LONGEST_CADENCE_WEEKS} weeks",
                "max_value": f"Enter how often the meeting is held: between 1 and {LONGEST_CADENCE_WEEKS} weeks",
                "invalid": "Enter how often the meeting is held as a number of weeks, like 6",
            }
        )

    @staticmethod
    def initial_for(standing: StandingMeeting) -> dict[str, Any]:
        return {
            "health_visiting": str(standing.health_visiting_id),
            "gp_practice": str(standing.gp_practice_id),
            "health_visiting_lead": str(standing.health_visiting_lead_id),
            "gp_lead": str(standing.gp_lead_id),
            "cadence_weeks": standing.cadence_weeks,
            "venue": standing.venue,
            "version": standing.version,
        }

    def details(self) -> StandingDetails:
        d = self.cleaned_data
        return StandingDetails(
            health_visiting_id=_pk(d["health_visiting"]),
            gp_practice_id=_pk(d["gp_practice"]),
            health_visiting_lead_id=_pk(d["health_visiting_lead"]),
            gp_lead_id=_pk(d["gp_lead"]),
            cadence_weeks=d["cadence_weeks"],
            venue=d["venue"],
        )


class ScheduleForm(GovukForm):
    held_on = DateField(label="Date of the meeting", help_text="For example, 14 1 2027")


class AttendanceForm(GovukForm):
    attendees = forms.MultipleChoiceField(
        label="Who came",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Practitioners of the health visiting team and the GP practice",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["attendees"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = choices


class FamilyForm(GovukForm):
    nhs_numbers = forms.CharField(
        label="NHS numbers of the children",
        help_text="One child a line. A family can be several children.",
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false", "autocomplete": "off"}),
        max_length=400,
        error_messages={"required": "Enter the NHS number of at least one child in the family"},
    )
    reason = forms.CharField(
        label="Why the family is on the list (optional)",
        required=False,
        max_length=300,
        help_text="For example: missed immunisations, parent's low mood, new partner in the home",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class DiscussionForm(GovukForm):
    concern = forms.CharField(
        label="What the meeting discussed",
        help_text="The concern, what each agency knows, and why the outcome was chosen",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
    )
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the outcome for the family"},
    )
    referral_made_on = DateField(
        label="Date the referral was made",
        required=False,
        help_text="Only for a referral. For example, 3 2 2027",
    )
    contact = forms.ChoiceField(
        label="The front door's record of the referral (optional)",
        required=False,
        help_text="Once the front door has recorded it, choose it so both agencies see what became of it",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, contacts: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "contact", [("", "Not recorded yet"), *contacts])

    def contact_id(self) -> int | None:
        return _pk(self.cleaned_data["contact"])


class FamilyActionForm(GovukForm):
    description = forms.CharField(label="What is to be done", max_length=300)
    owner = forms.ChoiceField(label="Who will do it")
    due_on = DateField(label="Due by", help_text="For example, 28 2 2027")

    def __init__(self, *args: Any, owners: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "owner", [("", "Choose"), *owners])

    def owner_id(self) -> int | None:
        return _pk(self.cleaned_data["owner"])
