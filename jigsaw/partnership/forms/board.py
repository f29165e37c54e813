"""The board's forms: a member's appointment, a meeting, an agenda item, a decision, an
action and an action's progress."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import User

from jigsaw.core.forms import DateField, GovukForm
from jigsaw.partners.models import Agency
from jigsaw.partnership.actions.board import ActionDetails, MemberDetails
from jigsaw.partnership.models.board import ActionStatus, BoardAction, BoardMember, BoardRole
from jigsaw.partnership.queries.board import recommendation_choices


def _set_choices(form: forms.Form, name: str, choices: list[tuple[str, str]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


def _pk(value: str) -> int | None:
    return int(value) if value else None


class MemberForm(GovukForm):
    role = forms.ChoiceField(label="Role on the board", choices=BoardRole.choices, widget=forms.RadioSelect)
    agency = forms.ChoiceField(
        label="Agency",
        required=False,
        help_text="The agency the member represents. Leave empty for a lay member.",
    )
    user = forms.ChoiceField(
        label="Jigsaw user",
        required=False,
        help_text="Choose the member if they sign in to Jigsaw. A lay member does not.",
    )
    full_name = forms.CharField(
        label="Name", required=False, max_length=160, help_text="For a member who does not sign in to Jigsaw"
    )
    job_title = forms.CharField(label="Job title", required=False, max_length=160)
    term_starts_on = DateField(label="Term starts", help_text="For example, 1 4 2026")
    term_ends_on = DateField(label="Term ends", help_text="For example, 31 3 2029")
    reappointment_due_on = DateField(
        label="Re-appointment due",
        required=False,
        help_text="When the board should decide whether to re-appoint",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(
            self,
            "agency",
            [("", "No agency"), *((str(pk), name) for pk, name in Agency.objects.values_list("pk", "name"))],
        )
        users = User.objects.filter(is_active=True, practitioner__isnull=False).order_by(
            "first_name", "last_name", "pk"
        )
        _set_choices(
            self,
            "user",
            [("", "Not a Jigsaw user"), *((str(u.pk), u.get_full_name() or u.get_username()) for u in users)],
        )

    @staticmethod
    def initial_for(member: BoardMember) -> dict[str, Any]:
        return {
            "role": member.role,
            "agency": str(member.agency_id or ""),
            "user": str(member.user_id or ""),
            "full_name": member.full_name,
            "job_title": member.job_title,
            "term_starts_on": member.term_starts_on,
            "term_ends_on": member.term_ends_on,
            "reappointment_due_on": member.reappointment_due_on,
            "version": member.version,
        }

    def details(self) -> MemberDetails:
        d = self.cleaned_data
        return MemberDetails(
            role=d["role"],
            agency_id=_pk(d["agency"]),
            user_id=_pk(d["user"]),
            full_name=d["full_name"],
            job_title=d["job_title"],
            term_starts_on=d["term_starts_on"],
            term_ends_on=d["term_ends_on"],
            reappointment_due_on=d["reappointment_due_on"],
        )


class MeetingForm(GovukForm):
    held_on = DateField(label="Date of the meeting", help_text="For example, 12 3 2027")
    title = forms.CharField(
        label="Name of the meeting", max_length=160, initial="Safeguarding partnership board"
    )
    venue = forms.CharField(label="Venue", required=False, max_length=200)
    agenda = forms.CharField(
        label="Agenda",
        required=False,
        help_text="One item a line, in order",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
    )


class AgendaItemForm(GovukForm):
    title = forms.CharField(label="Add an agenda item", max_length=200)
    version = forms.IntegerField(widget=forms.HiddenInput)


class DecisionForm(GovukForm):
    decision = forms.CharField(
        label="What the board decided", max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class ActionForm(GovukForm):
    description = forms.CharField(
        label="The action", max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    owner = forms.ChoiceField(label="Owner")
    due_on = DateField(label="Due date", help_text="For example, 30 6 2027")
    agenda_item = forms.ChoiceField(label="Agenda item", required=False)
    recommendation = forms.ChoiceField(
        label="Recommendation it answers",
        required=False,
        help_text="If the action answers a recommendation of the recommendation tracker",
    )

    def __init__(
        self, *args: Any, members: list[BoardMember], agenda: list[tuple[int, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "owner", [("", "Choose a member"), *((str(m.pk), str(m)) for m in members)])
        _set_choices(self, "agenda_item", [("", "Not about one item"), *((str(pk), t) for pk, t in agenda)])
        _set_choices(
            self,
            "recommendation",
            [("", "None"), *((str(pk), label) for pk, label in recommendation_choices())],
        )

    def details(self) -> ActionDetails:
        d = self.cleaned_data
        return ActionDetails(
            description=d["description"],
            owner_id=_pk(d["owner"]),
            due_on=d["due_on"],
            agenda_item_id=_pk(d["agenda_item"]),
            recommendation_id=_pk(d["recommendation"]),
        )


class ActionStatusForm(GovukForm):
    status = forms.ChoiceField(label="Status", choices=ActionStatus.choices, widget=forms.RadioSelect)
    due_on = DateField(label="Due date")
    version = forms.IntegerField(widget=forms.HiddenInput)

    @staticmethod
    def initial_for(action: BoardAction) -> dict[str, Any]:
        return {"status": action.status, "due_on": action.due_on, "version": action.version}
