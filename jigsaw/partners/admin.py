from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from jigsaw.access.admin import PolicyAdmin
from jigsaw.partners.alerts_rules import known_event_types, unknown_event_types
from jigsaw.partners.models import (
    Agency,
    AlertRule,
    Disclosure,
    InformationSharingAgreement,
    Practitioner,
    RuleKind,
)


@admin.register(Agency)
class AgencyAdmin(PolicyAdmin[Agency]):
    list_display = ["name", "kind", "phone", "secure_email"]
    list_filter = ["kind"]
    search_fields = ["name"]


@admin.register(Practitioner)
class PractitionerAdmin(PolicyAdmin[Practitioner]):
    list_display = ["full_name", "agency", "team", "role", "job_title", "preferred_contact"]
    list_filter = ["role", "agency__kind"]
    search_fields = ["full_name", "secure_email"]
    raw_id_fields = ["user"]


@admin.register(InformationSharingAgreement)
class InformationSharingAgreementAdmin(PolicyAdmin[InformationSharingAgreement]):
    list_display = ["title", "reference", "legal_basis", "starts_on", "review_by", "ends_on"]
    list_filter = ["legal_basis"]
    search_fields = ["title", "reference"]
    filter_horizontal = ["agencies"]


@admin.register(Disclosure)
class DisclosureAdmin(PolicyAdmin[Disclosure]):
    """The record of disclosures is evidence: read in the admin, written only by actions."""

    list_display = ["disclosed_at", "person", "kind", "recipient_agency", "legal_basis", "consent"]
    list_filter = ["kind", "legal_basis", "consent"]
    search_fields = ["person__pk", "recipient_agency__name"]
    raw_id_fields = ["person", "recipient", "recipient_agency", "agreement"]
    date_hierarchy = "disclosed_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AlertRuleForm(forms.ModelForm[AlertRule]):
    """A rule as an administrator writes it, checked so that it can fire as they meant."""

    class Meta:
        model = AlertRule
        fields = ["name", "kind", "event_types", "minimum", "window_days", "child_under_age", "active"]
        help_texts = {
            "event_types": "A list in square brackets, each in double quotes: a kind of event, or kind:subtype. "
            "Known: " + ", ".join(sorted(known_event_types())) + ". An agencies rule may leave it empty "
            "([]) to count every event; partners' concerns always count towards it.",
            "minimum": "Events at one address; kinds of event (combination); or different agencies",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["event_types"].required = False

    def clean_event_types(self) -> list[str]:
        value = self.cleaned_data.get("event_types")
        if value in (None, ""):
            return []
        if not isinstance(value, list):
            raise forms.ValidationError('Enter a list, like ["police_incident:domestic_abuse"]')
        unknown = unknown_event_types(value)
        if unknown:
            raise forms.ValidationError(
                "Not a known kind or kind:subtype: " + ", ".join(unknown) + ". Use one from the list below."
            )
        return list(dict.fromkeys(str(v) for v in value))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, types, minimum = data.get("kind"), data.get("event_types") or [], data.get("minimum")
        if minimum is not None and minimum < 1:
            self.add_error("minimum", "The minimum must be 1 or more")
        if data.get("window_days") is not None and data["window_days"] < 1:
            self.add_error("window_days", "The window must be 1 day or more")
        if kind in (RuleKind.EVENTS_AT_ADDRESS, RuleKind.COMBINATION) and not types:
            self.add_error("event_types", "Name the events this rule counts")
        if kind == RuleKind.COMBINATION and minimum is not None and types and minimum > len(types):
            self.add_error(
                "minimum", f"A combination of {len(types)} kinds of event cannot need {minimum} of them"
            )
        return data


@admin.register(AlertRule)
class AlertRuleAdmin(PolicyAdmin[AlertRule]):
    """Rules are data: an administrator changes what joins the dots, without a release."""

    form = AlertRuleForm
    list_display = ["name", "kind", "minimum", "window_days", "child_under_age", "active", "updated_at"]
    list_filter = ["kind", "active"]
    search_fields = ["name"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A rule that has fired is the evidence of why its concerns were raised: switch it
        # off instead (the database refuses to delete it anyway).
        if obj is not None and obj.concerns.exists():
            return False
        return super().has_delete_permission(request, obj)
