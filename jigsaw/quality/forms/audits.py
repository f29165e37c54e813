"""Forms of case file audits: a programme, the criteria that choose its cases, one case by
hand, assigning a case, the audit form (and an agency's part), moderation, a finding, and
marking an action done."""

from __future__ import annotations

from typing import Any

from django import forms

from jigsaw.casework.models.codes import AbuseCategory, AssessmentFactor
from jigsaw.core.forms import DateField, GovukForm
from jigsaw.partners.models import Agency, Practitioner
from jigsaw.quality.models.audits import AuditAnswer, AuditGrade, AuditQuestion
from jigsaw.quality.queries.audits import KINDS, Criteria

GRADE_CHOICES = [("", "Not graded yet"), *AuditGrade.choices]


class ProgrammeForm(GovukForm):
    title = forms.CharField(
        label="Title", max_length=160, help_text="For example: Children on a plan aged under five"
    )
    purpose = forms.CharField(
        label="What is the programme for?",
        help_text="The question the partnership wants answered, and why now",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=3000,
    )
    period_start = DateField(label="Start of the period", help_text="For example, 1 4 2026")
    period_end = DateField(label="End of the period")
    multi_agency = forms.BooleanField(
        label="Multi-agency audit: each agency answers for its part of the same case", required=False
    )


class CriteriaForm(GovukForm):
    """The query builder: one way of choosing cases at a time, each with its own fields."""

    kind = forms.ChoiceField(
        label="How should the cases be chosen?", choices=list(KINDS.items()), widget=forms.RadioSelect
    )
    on_date = DateField(
        label="Open on", required=False, help_text="Children on a plan, or open to social care, on this date"
    )
    under_age = forms.IntegerField(
        label="Aged under (years)",
        required=False,
        min_value=1,
        max_value=18,
        help_text="Children on a plan only. Leave empty for every age",
    )
    categories = forms.MultipleChoiceField(
        label="On a plan for",
        choices=AbuseCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    factors = forms.MultipleChoiceField(
        label="Factors identified at assessment (any of)",
        choices=AssessmentFactor.choices,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    age_from = forms.IntegerField(label="Youngest age (years)", required=False, min_value=0, max_value=17)
    age_to = forms.IntegerField(label="Oldest age (years)", required=False, min_value=0, max_value=17)
    looked_after = forms.BooleanField(label="Looked after on that date", required=False)
    agency = forms.ModelChoiceField(
        label="Known to this agency",
        queryset=Agency.objects.order_by("name"),
        required=False,
        empty_label="Any agency",
        help_text="A practitioner of the agency is named for the child",
    )
    closed_from = DateField(label="Closed from", required=False)
    closed_to = DateField(label="Closed to", required=False)
    sample_size = forms.IntegerField(
        label="Random sample of (cases)", required=False, min_value=1, max_value=500
    )
    # The seed of the sample previewed, so the cases added are the ones the manager saw.
    seed = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def criteria(self) -> Criteria:
        data = self.cleaned_data
        agency = data.get("agency")
        return Criteria(
            kind=data["kind"],
            on_date=data.get("on_date"),
            under_age=data.get("under_age"),
            categories=tuple(data.get("categories") or ()) if data["kind"] == "characteristics" else (),
            factors=tuple(data.get("factors") or ()) if data["kind"] == "characteristics" else (),
            age_from=data.get("age_from") if data["kind"] == "characteristics" else None,
            age_to=data.get("age_to") if data["kind"] == "characteristics" else None,
            looked_after=bool(data.get("looked_after")) and data["kind"] == "characteristics",
            agency_id=agency.pk if agency is not None and data["kind"] == "characteristics" else None,
            closed_from=data.get("closed_from") if data["kind"] == "closed_referrals" else None,
            closed_to=data.get("closed_to") if data["kind"] == "closed_referrals" else None,
            sample_size=data.get("sample_size") if data["kind"] == "closed_referrals" else None,
            seed=data.get("seed") if data["kind"] == "closed_referrals" else None,
        )


class AddCaseForm(GovukForm):
    person = forms.IntegerField(
        label="The child's Jigsaw number",
        min_value=1,
        help_text="The number at the top of the child's record",
    )


def _practitioner_label(p: Practitioner) -> str:
    return f"{p.full_name} ({p.job_title or p.get_role_display()}, {p.agency.name})"


class AssignForm(GovukForm):
    auditor = forms.ChoiceField(label="Auditor")
    moderator = forms.ChoiceField(label="Moderator", help_text="A second auditor, who checks the grades")
    agency_practitioners = forms.MultipleChoiceField(
        label="Agencies asked for their part",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="One practitioner for each agency; each answers only for their agency's part",
    )

    def __init__(
        self, *args: Any, auditors: list[Practitioner], partners: list[Practitioner], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        people = [
            ("", "Choose a practitioner"),
            *[(str(p.user_id), _practitioner_label(p)) for p in auditors],
        ]
        for name in ("auditor", "moderator"):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = people
        field = self.fields["agency_practitioners"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(str(p.user_id), _practitioner_label(p)) for p in partners]


class AuditForm(GovukForm):
    """The audit form: a grade and a comment for each question, an overall grade and a summary."""

    overall_grade = forms.ChoiceField(label="Overall grade", choices=GRADE_CHOICES, required=False)
    summary = forms.CharField(
        label="Summary",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        help_text="What is working well, what needs to change, and the difference the work makes for the child",
    )

    def __init__(self, *args: Any, questions: list[AuditQuestion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for q in questions:
            self.fields[f"grade_{q.pk}"] = forms.ChoiceField(
                label=f"Grade for {q.theme.lower()}", choices=GRADE_CHOICES, required=False
            )
            self.fields[f"comment_{q.pk}"] = forms.CharField(
                label=f"Comment on {q.theme.lower()}",
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        # Put the overall grade and summary after the questions.
        self.order_fields(
            [
                *[f for q in questions for f in (f"grade_{q.pk}", f"comment_{q.pk}")],
                "overall_grade",
                "summary",
            ]
        )

    @staticmethod
    def initial_from(answers: dict[int, AuditAnswer], overall_grade: str, summary: str) -> dict[str, str]:
        initial = {"overall_grade": overall_grade, "summary": summary}
        for qid, a in answers.items():
            initial[f"grade_{qid}"] = a.grade
            initial[f"comment_{qid}"] = a.comment
        return initial

    def rows(self) -> list[dict[str, Any]]:
        return [
            {"question": q, "grade": self[f"grade_{q.pk}"], "comment": self[f"comment_{q.pk}"]}
            for q in self.questions
        ]


class ModerationForm(GovukForm):
    overall_grade = forms.ChoiceField(label="Moderated overall grade", choices=AuditGrade.choices)
    overall_reason = forms.CharField(
        label="Why you changed the overall grade",
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed only if you change it",
    )

    def __init__(self, *args: Any, answers: list[AuditAnswer], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.answers = answers
        for a in answers:
            theme = a.question.theme.lower()
            self.fields[f"grade_{a.question_id}"] = forms.ChoiceField(
                label=f"Moderated grade for {theme}",
                choices=AuditGrade.choices,
                initial=a.moderated_grade or a.grade,
            )
            self.fields[f"reason_{a.question_id}"] = forms.CharField(
                label=f"Why you changed the grade for {theme}",
                required=False,
                max_length=3000,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text="Needed only if you change it",
            )
        self.order_fields(
            [
                *[f for a in answers for f in (f"grade_{a.question_id}", f"reason_{a.question_id}")],
                "overall_grade",
                "overall_reason",
            ]
        )

    def rows(self) -> list[dict[str, Any]]:
        return [
            {"answer": a, "grade": self[f"grade_{a.question_id}"], "reason": self[f"reason_{a.question_id}"]}
            for a in self.answers
        ]


class FindingForm(GovukForm):
    theme = forms.ModelChoiceField(
        label="Theme", queryset=AuditQuestion.objects.order_by("order", "pk"), empty_label="Choose a theme"
    )
    text = forms.CharField(
        label="What the audit found", widget=forms.Textarea(attrs={"rows": 3}), max_length=3000
    )
    for_worker = forms.BooleanField(label="An action for the child's worker", required=False)
    for_manager = forms.BooleanField(label="An action for their manager", required=False)
    action = forms.CharField(
        label="What needs to be done",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=3000,
    )
    due_on = DateField(label="Due by", required=False)


class ActionDoneForm(GovukForm):
    note = forms.CharField(label="What was done", max_length=3000, widget=forms.Textarea(attrs={"rows": 2}))
