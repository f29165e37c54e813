"""Forms of child protection. Each is built with what Jigsaw already knows (the siblings
with an open referral, the professionals named for the children, the parents, the last
core group) so the worker picks rather than retypes; views turn their choices into the
actions' inputs."""

from __future__ import annotations

import dataclasses
import datetime
import re
from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.forms.boundfield import BoundWidget

from jigsaw.casework.actions.protection import (
    END_OUTSIDE_REVIEW,
    AttendanceInput,
    ChildDecision,
    CoreGroupMemberInput,
    Participant,
)
from jigsaw.casework.models import (
    AbuseCategory,
    Attendance,
    ConferenceChild,
    ConferenceDecision,
    ConferenceInvitation,
    ConferenceKind,
    InvitationReply,
    MeetingMode,
    PlanEndReason,
    Referral,
    Section47Outcome,
    StrategyDecision,
)
from jigsaw.core.forms import DateField, GovukForm
from jigsaw.core.text import in_sentence
from jigsaw.partners.models import Agency, ContactMethod

YES_NO = [("yes", "Yes"), ("no", "No")]
EXTRA_ROWS = 3


DJANGO_REQUIRED = str(forms.Field.default_error_messages["required"])


def govuk_messages(form: forms.Form) -> None:
    """GOV.UK messages for fields a form adds after GovukForm.__init__ (rows per person)."""
    for field in form.fields.values():
        label = str(field.label or "This")
        lowered = in_sentence(label)
        max_length = getattr(field, "max_length", None)
        if max_length:
            field.error_messages["max_length"] = f"{label} must be {max_length} characters or fewer"
        if field.error_messages.get("required") == DJANGO_REQUIRED:
            choose = isinstance(field, forms.ChoiceField)
            the = "the " if lowered.startswith(("date", "summary")) else ""
            field.error_messages["required"] = f"{'Choose' if choose else 'Enter'} {the}{lowered}"
        if isinstance(field, forms.ChoiceField):
            field.error_messages["invalid_choice"] = f"Choose {lowered} from the list"
        if isinstance(field, forms.EmailField):
            field.error_messages["invalid"] = f"Enter {lowered} in the right format, like name@example.gov.uk"


def _set_choices(form: forms.Form, name: str, choices: list[tuple[str, str]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


class UserChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name() or obj.username


class ProtectionForm(GovukForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        govuk_messages(self)


def _agencies() -> QuerySet[Agency]:
    return Agency.objects.order_by("name")


def child_label(referral: Referral) -> str:
    person = referral.person
    if person.is_unborn:
        return f"{person.full_name} (unborn)"
    born = f", born {person.date_of_birth.day} {person.date_of_birth:%B %Y}" if person.date_of_birth else ""
    return f"{person.full_name}{born}"


@dataclasses.dataclass(frozen=True)
class Candidate:
    """Someone the form offers to tick: `key` is stable between showing and saving the form
    (p12 for practitioner 12, f7 for family member 7...)."""

    key: str
    label: str
    participant: Participant
    phone: str = ""
    secure_email: str = ""
    preferred_contact: str = ""
    checked: bool = True


class ExtraPeopleMixin(forms.Form):
    """Rows to add people the lists do not hold: a name and an agency picked from a list."""

    extra_rows = EXTRA_ROWS

    def add_extra_rows(self, noun: str) -> None:
        for n in range(1, self.extra_rows + 1):
            self.fields[f"extra_name_{n}"] = forms.CharField(
                label=f"Name of {noun} {n}", max_length=160, required=False
            )
            self.fields[f"extra_agency_{n}"] = forms.ModelChoiceField(
                label=f"Agency of {noun} {n}",
                queryset=_agencies(),
                required=False,
                empty_label="Choose an agency",
            )

    def extra_bound_rows(self) -> list[tuple[int, forms.BoundField, forms.BoundField]]:
        """The extra rows' fields, for the template."""
        return [(n, self[name], self[agency]) for n, (name, agency) in enumerate(self.extra_row_names(), 1)]

    def extra_row_names(self) -> list[tuple[str, str]]:
        return [(f"extra_name_{n}", f"extra_agency_{n}") for n in range(1, self.extra_rows + 1)]

    def clean_extra_rows(self, cleaned: dict[str, Any]) -> None:
        for name_field, agency_field in self.extra_row_names():
            name = (cleaned.get(name_field) or "").strip()
            agency = cleaned.get(agency_field)
            if name and agency is None and agency_field not in self.errors:
                self.add_error(agency_field, f"Choose the agency {name} is from")
            if agency is not None and not name and name_field not in self.errors:
                self.add_error(name_field, f"Enter the name of the person from {agency.name}")

    def extra_participants(self) -> list[Participant]:
        found = []
        for name_field, agency_field in self.extra_row_names():
            name = (self.cleaned_data.get(name_field) or "").strip()
            agency = self.cleaned_data.get(agency_field)
            if name and agency is not None:
                found.append(Participant(name=name, agency_id=agency.pk))
        return found


class StrategyDiscussionForm(ExtraPeopleMixin, ProtectionForm):
    held_on = DateField(label="Date held", required=True, help_text="For example, 3 3 2026")
    decision = forms.ChoiceField(
        label="Decision",
        choices=StrategyDecision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the decision of the strategy discussion"},
    )
    summary = forms.CharField(
        label="Summary",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What was shared, what was agreed and who will do what",
    )
    children = forms.MultipleChoiceField(
        label="Other children it covers",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Brothers, sisters and children in the same household who have an open referral",
    )
    attendees = forms.MultipleChoiceField(
        label="Who took part",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The professionals already named for the children; add anyone else below",
    )

    def __init__(
        self,
        *args: Any,
        siblings: list[Referral],
        candidates: list[Candidate],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = {c.key: c for c in candidates}
        _set_choices(self, "children", [(str(r.pk), child_label(r)) for r in siblings])
        _set_choices(self, "attendees", [(c.key, c.label) for c in candidates])
        self.add_extra_rows("another person")
        govuk_messages(self)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.clean_extra_rows(cleaned)
        return cleaned

    def other_referral_ids(self) -> list[int]:
        return [int(pk) for pk in self.cleaned_data["children"]]

    def participants(self) -> list[Participant]:
        picked = [self.candidates[key].participant for key in self.cleaned_data["attendees"]]
        return picked + self.extra_participants()


class Section47Form(ProtectionForm):
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=Section47Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the outcome of the enquiry"},
    )
    completed_on = DateField(
        label="Date the enquiry ended", required=True, help_text="For example, 17 3 2026"
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


_TIME = re.compile(r"([01]?\d|2[0-3])[:.]?([0-5]\d)")


class MeetingPlaceForm(ProtectionForm):
    """When and where a conference or core group is, how to join it remotely, and how
    each professional invited is asked to join (in person unless the worker says)."""

    starts_at = forms.CharField(
        label="Start time (optional)",
        help_text="24-hour clock, for example 10:00",
        max_length=5,
        required=False,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "inputmode": "numeric"}),
    )
    venue = forms.CharField(
        label="Venue (optional)",
        max_length=200,
        required=False,
        help_text="For example: Riverford Civic Centre, meeting room 2",
    )
    remote_joining = forms.CharField(
        label="How to join by phone or video (optional)",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The dial-in number and code, or the video link: sent with every invitation",
    )

    def clean_starts_at(self) -> datetime.time | None:
        raw = str(self.cleaned_data.get("starts_at") or "").strip()
        if not raw:
            return None
        match = _TIME.fullmatch(raw)
        if not match:
            raise forms.ValidationError("Enter the start time as hours and minutes, like 10:00")
        return datetime.time(int(match[1]), int(match[2]))

    def add_modes(self, professionals: list[Candidate]) -> None:
        self.mode_keys = [c.key for c in professionals]
        for c in professionals:
            self.fields[f"mode_{c.key}"] = forms.ChoiceField(
                label=f"How {c.participant.name} is asked to join",
                choices=MeetingMode.choices,
                initial=MeetingMode.IN_PERSON,
                required=False,
            )

    def with_mode(self, key: str, participant: Participant) -> Participant:
        mode = self.cleaned_data.get(f"mode_{key}") or MeetingMode.IN_PERSON
        return dataclasses.replace(participant, requested_mode=mode)

    def invitee_rows(self, name: str) -> list[tuple[BoundWidget, forms.BoundField | None]]:
        """Each checkbox of the field `name`, with the invitee's mode (professionals only)."""
        return [
            (box, self[f"mode_{box.data['value']}"] if f"mode_{box.data['value']}" in self.fields else None)
            for box in self[name]
        ]


class ConferenceForm(ExtraPeopleMixin, MeetingPlaceForm):
    extra_rows = 2

    kind = forms.ChoiceField(
        label="Kind of conference",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the kind of conference"},
    )
    date = DateField(label="Date of the conference", required=True, help_text="For example, 24 3 2026")
    chair = UserChoiceField(
        label="Chair",
        queryset=User.objects.none(),
        empty_label="Choose the chair",
        error_messages={"required": "Choose the conference chair"},
    )
    children = forms.MultipleChoiceField(
        label="Other children at this conference",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Ticked if the same strategy discussion covered them",
    )
    professionals = forms.MultipleChoiceField(
        label="Professionals to invite",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="From the strategy discussion and the professionals named for the children",
    )
    family = forms.MultipleChoiceField(
        label="Parents and carers to invite", required=False, widget=forms.CheckboxSelectMultiple
    )
    advocate = forms.CharField(
        label="Advocate for the family (optional)",
        max_length=160,
        required=False,
        help_text="Their name, if the parents or the child will bring an advocate",
    )

    def __init__(
        self,
        *args: Any,
        kinds: list[tuple[str, str]],
        chairs: QuerySet[User],
        siblings: list[Referral],
        professionals: list[Candidate],
        family: list[Candidate],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "kind", kinds)
        chair_field = self.fields["chair"]
        assert isinstance(chair_field, UserChoiceField)
        chair_field.queryset = chairs
        _set_choices(self, "children", [(str(r.pk), child_label(r)) for r in siblings])
        self.candidates = {c.key: c for c in [*professionals, *family]}
        _set_choices(self, "professionals", [(c.key, c.label) for c in professionals])
        _set_choices(self, "family", [(c.key, c.label) for c in family])
        self.add_extra_rows("another professional")
        self.add_modes(professionals)
        govuk_messages(self)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.clean_extra_rows(cleaned)
        return cleaned

    def other_referral_ids(self) -> list[int]:
        return [int(pk) for pk in self.cleaned_data["children"]]

    def professional_rows(self) -> list[tuple[BoundWidget, forms.BoundField | None]]:
        return self.invitee_rows("professionals")

    def invitations(self) -> list[Participant]:
        invited = [
            self.with_mode(k, self.candidates[k].participant) for k in self.cleaned_data["professionals"]
        ]
        invited += [self.candidates[k].participant for k in self.cleaned_data["family"]]
        invited += self.extra_participants()
        advocate = self.cleaned_data["advocate"].strip()
        if advocate:
            invited.append(Participant(name=advocate, family_role="advocate"))
        return invited


class CoreGroupArrangeForm(ExtraPeopleMixin, MeetingPlaceForm):
    """Arrange a core group ahead: the day, the place, and who to invite (pre-ticked: the
    core group's members, the professionals named for the child, the parents)."""

    extra_rows = 2

    date = DateField(label="Date of the meeting", required=True, help_text="For example, 7 4 2026")
    invitees = forms.MultipleChoiceField(
        label="Who to invite",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The core group's members and the professionals named for the child; add anyone else below",
    )

    def __init__(self, *args: Any, candidates: list[Candidate], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = {c.key: c for c in candidates}
        _set_choices(self, "invitees", [(c.key, c.label) for c in candidates])
        self.add_extra_rows("another professional")
        self.add_modes([c for c in candidates if not c.participant.family_role])
        govuk_messages(self)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.clean_extra_rows(cleaned)
        return cleaned

    def invitee_box_rows(self) -> list[tuple[BoundWidget, forms.BoundField | None]]:
        return self.invitee_rows("invitees")

    def invitations(self) -> list[Participant]:
        invited = [
            self.with_mode(k, self.candidates[k].participant)
            if not self.candidates[k].participant.family_role
            else self.candidates[k].participant
            for k in self.cleaned_data["invitees"]
        ]
        return invited + self.extra_participants()


# What the chair's form proposes for an invitee, from their reply (the chair confirms).
ATTENDANCE_FROM_REPLY = {
    InvitationReply.IN_PERSON: Attendance.IN_PERSON,
    InvitationReply.PHONE: Attendance.PHONE,
    InvitationReply.VIDEO: Attendance.VIDEO,
    InvitationReply.REPORT_ONLY: Attendance.REPORT_ONLY,
    InvitationReply.APOLOGIES: Attendance.APOLOGIES,
}


ATTENDANCE_CHOICES = [(value, label) for value, label in Attendance.choices if value != Attendance.INVITED]


class ConferenceOutcomeForm(ProtectionForm):
    """The chair's record: attendance and report per invitee, a decision per child."""

    child_views = forms.CharField(
        label="The child's views",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Their wishes and feelings, and how they were given (in person, through an advocate...)",
    )
    summary = forms.CharField(label="Summary of the conference", widget=forms.Textarea(attrs={"rows": 6}))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        kind: str,
        invitations: list[ConferenceInvitation],
        children: list[ConferenceChild],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.invitation_rows = invitations
        self.child_rows = children
        for invitation in invitations:
            self.fields[f"attendance_{invitation.pk}"] = forms.ChoiceField(
                label=f"How {invitation.name} took part",
                choices=[("", "Choose"), *ATTENDANCE_CHOICES],
                initial=ATTENDANCE_FROM_REPLY.get(InvitationReply(invitation.reply))
                if invitation.reply
                else None,
            )
            self.fields[f"report_{invitation.pk}"] = forms.BooleanField(
                label=f"Report received from {invitation.name}",
                required=False,
                initial=invitation.report_received,
            )
        decisions = [
            (value, label)
            for value, label in ConferenceDecision.choices
            if value
            in (
                (ConferenceDecision.CONTINUE_PLAN, ConferenceDecision.END_PLAN)
                if kind == ConferenceKind.REVIEW
                else (ConferenceDecision.PLAN, ConferenceDecision.NO_PLAN)
            )
        ]
        for child in children:
            name = child.referral.person.full_name
            self.fields[f"decision_{child.pk}"] = forms.ChoiceField(
                label=f"Decision for {name}", choices=decisions, widget=forms.RadioSelect
            )
            self.fields[f"category_{child.pk}"] = forms.ChoiceField(
                label=f"Category of the plan for {name}",
                choices=[("", "No plan"), *AbuseCategory.choices],
                required=False,
                help_text="For a plan, or a plan that continues",
            )
        govuk_messages(self)
        for invitation in self.invitation_rows:
            self.fields[f"attendance_{invitation.pk}"].error_messages["required"] = (
                f"Choose how {invitation.name} took part"
            )
        for child in self.child_rows:
            self.fields[f"decision_{child.pk}"].error_messages["required"] = (
                f"Choose the decision for {child.referral.person.full_name}"
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for child in self.child_rows:
            decision = cleaned.get(f"decision_{child.pk}")
            category = cleaned.get(f"category_{child.pk}")
            if decision in (ConferenceDecision.PLAN, ConferenceDecision.CONTINUE_PLAN) and not category:
                self.add_error(
                    f"category_{child.pk}",
                    f"Choose the category of the plan for {child.referral.person.full_name}",
                )
        return cleaned

    def attendance(self) -> dict[int, AttendanceInput]:
        return {
            i.pk: AttendanceInput(
                attendance=self.cleaned_data[f"attendance_{i.pk}"],
                report_received=self.cleaned_data[f"report_{i.pk}"],
            )
            for i in self.invitation_rows
        }

    def decisions(self) -> dict[int, ChildDecision]:
        return {
            c.pk: ChildDecision(
                decision=self.cleaned_data[f"decision_{c.pk}"], category=self.cleaned_data[f"category_{c.pk}"]
            )
            for c in self.child_rows
        }


class EndPlanForm(ProtectionForm):
    ended_on = DateField(label="Date the plan ended", required=True, help_text="For example, 30 6 2026")
    reason = forms.ChoiceField(
        label="Why the plan ended",
        choices=[(v, label) for v, label in PlanEndReason.choices if v in END_OUTSIDE_REVIEW],
        widget=forms.RadioSelect,
        help_text="A plan ends because the child is no longer at risk only at a review conference",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class CoreGroupForm(ExtraPeopleMixin, ProtectionForm):
    """The date, and one row per member: included, attended, and the contact details
    agreed at the meeting (pre-filled from the directory)."""

    extra_rows = 2

    held_on = DateField(label="Date of the meeting", required=True, help_text="For example, 7 4 2026")
    summary = forms.CharField(
        label="Summary (optional)",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text="Progress against the plan and what each member agreed to do",
    )

    def __init__(self, *args: Any, candidates: list[Candidate], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = candidates
        for c in candidates:
            self.fields[f"member_{c.key}"] = forms.BooleanField(
                label=f"{c.label} is a member", required=False, initial=c.checked
            )
            self.fields[f"attended_{c.key}"] = forms.BooleanField(
                label=f"{c.participant.name} attended", required=False, initial=True
            )
            if not c.participant.family_role:
                self._contact_fields(c.key, c.participant.name, c.phone, c.secure_email, c.preferred_contact)
        self.add_extra_rows("another professional")
        for n in range(1, self.extra_rows + 1):
            self._contact_fields(f"extra_{n}", f"professional {n}", "", "", "")
        govuk_messages(self)

    def _contact_fields(self, key: str, name: str, phone: str, email: str, method: str) -> None:
        self.fields[f"phone_{key}"] = forms.CharField(
            label=f"Phone of {name}", max_length=40, required=False, initial=phone
        )
        self.fields[f"email_{key}"] = forms.EmailField(
            label=f"Secure email of {name}", max_length=254, required=False, initial=email
        )
        self.fields[f"contact_{key}"] = forms.ChoiceField(
            label=f"Best way to contact {name}",
            choices=[("", "Not agreed"), *ContactMethod.choices],
            required=False,
            initial=method,
        )
        self.fields[f"agreed_{key}"] = forms.BooleanField(
            label=f"Contact details agreed with {name}", required=False
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.clean_extra_rows(cleaned)
        return cleaned

    def rows(self) -> list[dict[str, Any]]:
        """The form's fields grouped per candidate, for the template."""
        out = []
        for c in self.candidates:
            contact = (
                [self[f"{part}_{c.key}"] for part in ("phone", "email", "contact", "agreed")]
                if not c.participant.family_role
                else []
            )
            out.append(
                {
                    "candidate": c,
                    "member": self[f"member_{c.key}"],
                    "attended": self[f"attended_{c.key}"],
                    "contact": contact,
                }
            )
        return out

    def extra_rows_bound(self) -> list[dict[str, Any]]:
        return [
            {
                "name": self[f"extra_name_{n}"],
                "agency": self[f"extra_agency_{n}"],
                "contact": [self[f"{part}_extra_{n}"] for part in ("phone", "email", "contact", "agreed")],
            }
            for n in range(1, self.extra_rows + 1)
        ]

    def _member(self, key: str, participant: Participant, attended: bool) -> CoreGroupMemberInput:
        has_contact = f"phone_{key}" in self.cleaned_data
        return CoreGroupMemberInput(
            participant=participant,
            attended=attended,
            phone=self.cleaned_data.get(f"phone_{key}", "") if has_contact else "",
            secure_email=self.cleaned_data.get(f"email_{key}", "") if has_contact else "",
            preferred_contact=self.cleaned_data.get(f"contact_{key}", "") if has_contact else "",
            contact_details_agreed=bool(self.cleaned_data.get(f"agreed_{key}")) if has_contact else False,
        )

    def members(self) -> list[CoreGroupMemberInput]:
        found = [
            self._member(c.key, c.participant, bool(self.cleaned_data[f"attended_{c.key}"]))
            for c in self.candidates
            if self.cleaned_data[f"member_{c.key}"]
        ]
        for n, participant in self._extra_with_rows():
            found.append(self._member(f"extra_{n}", participant, True))
        return found

    def _extra_with_rows(self) -> list[tuple[int, Participant]]:
        out = []
        for n in range(1, self.extra_rows + 1):
            name = (self.cleaned_data.get(f"extra_name_{n}") or "").strip()
            agency = self.cleaned_data.get(f"extra_agency_{n}")
            if name and agency is not None:
                out.append((n, Participant(name=name, agency_id=agency.pk)))
        return out


class VisitForm(ProtectionForm):
    visited_on = DateField(label="Date of the visit", required=True, help_text="For example, 9 4 2026")
    child_seen = forms.ChoiceField(
        label="Was the child seen?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the child was seen"},
    )
    seen_alone = forms.ChoiceField(
        label="Was the child seen alone?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        initial="no",
        required=False,
    )
    note = forms.CharField(
        label="Note of the visit",
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text="What you saw and heard, and the child's own words",
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("seen_alone") == "yes" and cleaned.get("child_seen") == "no":
            self.add_error("seen_alone", "The child cannot have been seen alone if they were not seen")
        return cleaned
