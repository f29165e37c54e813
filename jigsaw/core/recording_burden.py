"""Recording burden as a product metric: every form's required fields, counted.

Social workers must spend their time with children, not with forms. Each form asks only
for what Jigsaw cannot derive; what it already knows (the child, the family, dates,
professionals) is pre-filled or picked. This registry lists, for every form, the fields a
user MUST answer. `jigsaw/core/tests/test_recording_burden.py` compares it with the forms
themselves, so a new required field (or a new form) fails the tests until it is written
down here, on purpose, in review.

Counted: the fields a form itself requires (hidden ones, like the version, are the page's
business, not the user's). Pre-filled fields still count when a user could empty them, so
the count is an upper bound of what a user is asked to type or choose; where an action
insists on a field the form leaves optional (a reason, a family name), it says so below.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterator

from django import forms

# Modules whose forms are counted: every app's forms module or package.
FORM_PACKAGES = [
    "jigsaw.people.forms",
    "jigsaw.access.forms",
    "jigsaw.casework.forms",
    "jigsaw.matching.forms",
    "jigsaw.partners.forms",
    "jigsaw.vulnerable_families.forms",
    "jigsaw.voice.forms",
    "jigsaw.support.forms",
]

# form (module.Class) -> the fields a user must answer.
REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    # The person index. Sex, ethnicity, disability and date-of-birth precision are
    # pre-filled ("not known", "exact"); the family name is checked by the action.
    "jigsaw.people.forms.SearchForm": (),
    "jigsaw.people.forms.PersonForm": ("birth_date_precision", "sex", "ethnicity", "disability"),
    "jigsaw.people.forms.AddressForm": (),
    "jigsaw.people.forms.NewPersonForm": ("birth_date_precision", "sex", "ethnicity", "disability"),
    "jigsaw.people.forms.EditPersonForm": ("birth_date_precision", "sex", "ethnicity", "disability"),
    "jigsaw.people.forms.OtherNameForm": ("kind",),
    "jigsaw.people.forms.IdentifierForm": ("kind",),
    "jigsaw.people.forms.MoveForm": (),
    "jigsaw.people.forms.RelationshipForm": ("relative", "kind"),
    "jigsaw.people.forms.HouseholdMemberForm": ("member",),
    # Access.
    "jigsaw.access.forms.BreakGlassForm": (),
    "jigsaw.access.forms.RestrictForm": ("reason",),
    "jigsaw.access.forms.ReviewForm": ("outcome",),
    "jigsaw.access.forms.FindRecordForm": ("person",),
    "jigsaw.access.forms.SubjectAccessForm": ("person", "received_on"),
    # The front door: the child is the page's; the time received is pre-filled with now.
    "jigsaw.casework.forms.front_door.ContactForm": (
        "received_on",
        "received_time",
        "source",
        "concern",
        "consent",
        "urgency",
    ),
    "jigsaw.casework.forms.front_door.DecisionForm": ("decision",),
    # Allocation: the worker is picked from the team, with each one's caseload shown; a
    # reason is asked (by the action) only when the case moves from one worker to another.
    "jigsaw.casework.forms.allocation.AllocationForm": ("worker",),
    # The episode of need. Dates are pre-filled with today; the closure reason follows from
    # the assessment's outcome; the referral itself needs no form (the front door opens it).
    "jigsaw.casework.forms.episodes.VersionedForm": (),
    # Children missing: the child is the page's; the reporting agency, police reference and
    # the rest are optional; the 72-hour deadline is worked out, never typed.
    "jigsaw.casework.forms.missing.MissingReportForm": ("kind", "reported_on", "reported_time"),
    "jigsaw.casework.forms.missing.MissingReturnForm": ("returned_on", "returned_time", "where_found"),
    "jigsaw.casework.forms.missing.ReturnInterviewForm": ("offered_on", "offered_time", "response"),
    # Private fostering: the carer is picked from the index; every due date is worked out.
    "jigsaw.casework.forms.missing.PrivateFosteringForm": (
        "carer",
        "started_on",
        "notified_on",
        "notified_by",
    ),
    "jigsaw.casework.forms.missing.PrivateFosteringVisitForm": ("visited_on", "child_seen_alone"),
    "jigsaw.casework.forms.missing.PrivateFosteringAssessmentForm": ("completed_on", "suitable", "summary"),
    "jigsaw.casework.forms.missing.PrivateFosteringEndForm": ("ended_on", "end_reason"),
    "jigsaw.casework.forms.episodes.StartAssessmentForm": ("started_on",),
    # Saved as the work goes; completing asks (in the action) for the outcome and factors.
    "jigsaw.casework.forms.episodes.AssessmentForm": (),
    "jigsaw.casework.forms.episodes.CinPlanForm": ("started_on",),
    "jigsaw.casework.forms.episodes.CinPlanReviewForm": ("reviewed_on", "summary"),
    "jigsaw.casework.forms.episodes.CinPlanEndForm": ("ended_on",),
    "jigsaw.casework.forms.episodes.ClosureForm": ("closed_on", "reason", "summary"),
    "jigsaw.casework.forms.episodes.EarlyHelpForm": ("started_on",),
    "jigsaw.casework.forms.episodes.EarlyHelpUpdateForm": (),
    "jigsaw.casework.forms.episodes.EarlyHelpEndForm": ("ended_on", "end_reason"),
    "jigsaw.casework.forms.episodes.LookedAfterForm": ("started_on", "legal_status", "placement"),
    "jigsaw.casework.forms.episodes.LookedAfterEndForm": ("ended_on", "reason_ended"),
    # Case notes and the chronology. The event time is pre-filled with now.
    "jigsaw.casework.forms.notes._EventTime": ("occurred_on", "occurred_time"),
    "jigsaw.casework.forms.notes.CaseNoteForm": ("occurred_on", "occurred_time", "kind", "text"),
    "jigsaw.casework.forms.notes.CaseNoteEditForm": ("occurred_on", "occurred_time", "text"),
    "jigsaw.casework.forms.notes.AddendumForm": ("addendum",),
    "jigsaw.casework.forms.notes.ChronologyFilterForm": (),
    "jigsaw.casework.forms.notes.SignificantForm": (),
    # Child protection. Attendees, invitees and core group members are pre-filled from the
    # professionals already named for the child and from the step before; the conference
    # date from its due date; the chair from the last conference.
    "jigsaw.casework.forms.protection.ProtectionForm": (),
    "jigsaw.casework.forms.protection.ExtraPeopleMixin": (),
    "jigsaw.casework.forms.protection.StrategyDiscussionForm": ("held_on", "decision", "summary"),
    "jigsaw.casework.forms.protection.Section47Form": ("outcome", "completed_on"),
    "jigsaw.casework.forms.protection.ConferenceForm": ("kind", "date", "chair"),
    # Also one attendance per invitee and one decision per child, added per conference.
    "jigsaw.casework.forms.protection.ConferenceOutcomeForm": ("child_views", "summary"),
    "jigsaw.casework.forms.protection.EndPlanForm": ("ended_on", "reason"),
    "jigsaw.casework.forms.protection.CoreGroupForm": ("held_on",),
    # Time, venue and remote joining are optional; each invitee's mode is pre-set to in person.
    "jigsaw.casework.forms.protection.MeetingPlaceForm": (),
    "jigsaw.casework.forms.protection.CoreGroupArrangeForm": ("date",),
    "jigsaw.casework.forms.protection.VisitForm": ("visited_on", "child_seen"),
    # Merge and unmerge: the other record is named by its Jigsaw ID; the records added
    # since a merge are ticked only if they belonged to the other person.
    "jigsaw.matching.forms.MergeFindForm": ("other",),
    "jigsaw.matching.forms.MergeForm": ("survivor", "reason"),
    "jigsaw.matching.forms.UnmergeForm": ("reason",),
    # The review queue: filters are optional; a decision is one choice, the record that
    # remains is pre-filled with the older one, and a note is asked (by the form and the
    # action) only when the two are not the same person.
    "jigsaw.matching.forms.ReviewFilterForm": (),
    "jigsaw.matching.forms.ReviewDecisionForm": ("decision",),
    # Raising a concern: a draft is saved as it is typed, so the form requires nothing. Sending
    # it (`submit_concern`) asks for each child's family name, given name (not for an unborn
    # child) and date of birth or due date, what the worry is, how urgent, consent and, without
    # consent, the legal basis and why: at most 8 answers for one child. The referrer and
    # agency come from the signed-in practitioner.
    "jigsaw.partners.forms.concerns.ConcernForm": (),
    "jigsaw.partners.forms.concerns.ChildForm": (),
    "jigsaw.partners.forms.concerns.TriageSearchForm": (),
    "jigsaw.partners.forms.concerns.TriageChoiceForm": (),
    # The flag check: why, and where the child was seen (pre-filled with the asker's
    # agency). The action then asks for an NHS number, or a name and date of birth (at most
    # 5 answers in all); the postcode is optional.
    "jigsaw.partners.forms.flags.FlagCheckForm": ("reason", "where_seen"),
    # The professional network: a professional is picked from the directory, not retyped;
    # consent and the legal basis are asked only when naming someone lets them open the
    # child's record (the basis defaults to the sharing agreement's). A new professional
    # needs a phone number or a secure e-mail (checked by the action).
    "jigsaw.partners.forms.network.DirectorySearchForm": (),
    "jigsaw.partners.forms.network.NameProfessionalForm": ("involvement",),
    "jigsaw.partners.forms.network.NewProfessionalForm": (
        "full_name",
        "agency",
        "involvement",
        "preferred_contact",
    ),
    "jigsaw.partners.forms.network.EndInvolvementForm": ("ended",),
    # Conference participation: one reply, or one report; the figures' period is pre-filled.
    "jigsaw.partners.forms.conferences.ReplyForm": ("reply",),
    "jigsaw.partners.forms.conferences.ReportForm": ("report",),
    "jigsaw.partners.forms.conferences.PeriodForm": (),
    # Emerging concerns: the rule and its evidence are on the page; "no action" asks why,
    # a recorded contact needs nothing more (the contact has its own form).
    "jigsaw.partners.forms.alerts.EmergingConcernFilterForm": (),
    "jigsaw.partners.forms.alerts.DismissEmergingConcernForm": ("note",),
    "jigsaw.partners.forms.alerts.ContactRecordedForm": (),
    # Partner feeds: the file alone (the kind is the page's, the agency the uploader's); a
    # token needs the agency, a name for the system and what it may send.
    "jigsaw.partners.forms.feeds.EventUploadForm": ("file",),
    "jigsaw.partners.forms.feeds.IssueTokenForm": ("agency", "name", "scopes"),
    # Delegated admin: the child, the case and the team's queue are the page's; the worker
    # says what, what exactly and by when (a named officer and the conference are optional).
    # Done: what was done (the action also insists on what was booked, for a booking).
    "jigsaw.support.forms.tasks.RequestTaskForm": ("kind", "details", "due_on"),
    "jigsaw.support.forms.tasks.CompleteTaskForm": ("note",),
    "jigsaw.support.forms.tasks.ReasonForm": ("reason",),
    "jigsaw.support.forms.tasks.TakeTaskForm": (),
    "jigsaw.support.forms.tasks.ReportPeriodForm": (),
    # Vulnerable families meetings: the user's own agency and lead are pre-filled, the
    # cadence with six weeks; the next meeting's date with when it is due. A family is its
    # children's NHS numbers (picked from the index, never retyped); the outcome's referral
    # date is asked only for a referral (checked by the action).
    "jigsaw.vulnerable_families.forms.StandingMeetingForm": (
        "health_visiting",
        "gp_practice",
        "health_visiting_lead",
        "gp_lead",
        "cadence_weeks",
    ),
    "jigsaw.vulnerable_families.forms.ScheduleForm": ("held_on",),
    "jigsaw.vulnerable_families.forms.AttendanceForm": (),
    "jigsaw.vulnerable_families.forms.FamilyForm": ("nhs_numbers",),
    "jigsaw.vulnerable_families.forms.DiscussionForm": ("concern", "outcome"),
    "jigsaw.vulnerable_families.forms.FamilyActionForm": ("description", "owner", "due_on"),
    # The voice of children and families. The family's own form asks nothing they must
    # answer (any question may be skipped; the action wants at least one answer). A paper
    # form needs what it is about (picked from the child's conferences and closed
    # episodes), who filled it in and when; a link, what it is about and who it is for; an
    # advocate record, whether one was offered and came (their name or organisation is
    # checked by the action when one came).
    "jigsaw.voice.forms.feedback.FamilyAnswersForm": (),
    "jigsaw.voice.forms.feedback.PaperFeedbackForm": ("about", "given_by", "given_on"),
    "jigsaw.voice.forms.feedback.FeedbackLinkForm": ("about", "given_by"),
    "jigsaw.voice.forms.feedback.ThemesForm": (),
    "jigsaw.voice.forms.feedback.AdvocacyForm": ("offered", "attended"),
}


def required_fields(form_class: type[forms.Form]) -> tuple[str, ...]:
    """The visible fields a user must answer (hidden fields, like the version, are the
    page's business, not the user's)."""
    return tuple(
        name
        for name, field in form_class.base_fields.items()
        if field.required and not field.widget.is_hidden
    )


def forms_in_use() -> Iterator[tuple[str, type[forms.Form]]]:
    """Every concrete form class defined in the counted packages."""
    seen: set[str] = set()
    for package_name in FORM_PACKAGES:
        package = importlib.import_module(package_name)
        modules = [package]
        if hasattr(package, "__path__"):
            modules += [
                importlib.import_module(f"{package_name}.{info.name}")
                for info in pkgutil.iter_modules(package.__path__)
            ]
        for module in modules:
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if not issubclass(cls, forms.Form) or cls.__module__ != module.__name__:
                    continue
                name = f"{cls.__module__}.{cls.__name__}"
                if name not in seen:
                    seen.add(name)
                    yield name, cls
