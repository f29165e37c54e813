"""Pages of case file audits: the landing page (audits assigned to you, actions for you,
programmes for managers), a programme with its cases, choosing cases by criteria, an audit
with every agency's part side by side, the audit and moderation forms, an agency's part,
findings and actions, and the themes report with its CSV. Thin: parse, ask the policy and
queries, call an action, render."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from jigsaw.access.log import record_access
from jigsaw.access.policy import Permission, has_permission
from jigsaw.access.views import requires
from jigsaw.casework.actions.common import EditConflict
from jigsaw.core.csv_export import csv_response
from jigsaw.core.forms import apply_validation_error
from jigsaw.quality.actions import audits as actions
from jigsaw.quality.forms.audits import (
    ActionDoneForm,
    AddCaseForm,
    AssignForm,
    AuditForm,
    CriteriaForm,
    FindingForm,
    ModerationForm,
    ProgrammeForm,
)
from jigsaw.quality.models.audits import (
    AuditAction,
    AuditAnswer,
    AuditCase,
    AuditProgramme,
    AuditStatus,
    PartStatus,
)
from jigsaw.quality.queries import audits as queries

_NUMBER = re.compile(r"[0-9]{1,9}")


def _version(request: HttpRequest) -> int:
    raw = str(request.POST.get("version", ""))
    return int(raw) if _NUMBER.fullmatch(raw) else -1


def _conflict(request: HttpRequest, error: EditConflict, to: str, pk: int) -> HttpResponse:
    messages.error(request, str(error))
    return redirect(to, pk=pk)


@requires(Permission.VIEW_OVERSIGHT)
def landing(request: HttpRequest) -> HttpResponse:
    """Audits assigned to you (to complete or moderate, or your agency's part), the actions
    audits gave you, and for managers the programmes."""
    manages = has_permission(request.user, Permission.MANAGE_AUDITS)
    context: dict[str, Any] = {
        **queries.assigned_to(request.user),
        "actions": queries.actions_for(request.user),
        "manages": manages,
        "today": timezone.localdate(),
        "themes": has_permission(request.user, Permission.VIEW_AUDIT_THEMES),
        "page": Paginator(queries.programmes(), queries.PAGE_SIZE).get_page(request.GET.get("page"))
        if manages
        else None,
    }
    return render(request, "quality/audits/landing.html", context)


@requires(Permission.MANAGE_AUDITS)
def programme_new(request: HttpRequest) -> HttpResponse:
    form = ProgrammeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            programme = actions.create_programme(
                actor=request.user,
                title=data["title"],
                purpose=data["purpose"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                multi_agency=bool(data["multi_agency"]),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "Programme created: now choose its cases")
            return redirect("quality:audit_criteria", pk=programme.pk)
    return render(request, "quality/audits/programme_new.html", {"form": form})


@requires(Permission.MANAGE_AUDITS)
def programme(request: HttpRequest, pk: int) -> HttpResponse:
    prog = queries.get_programme_for(request.user, pk)
    page = Paginator(queries.cases_of(prog, request.user), queries.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    record_access(
        user=request.user,
        action="view_audit_programme",
        record=prog,
        subjects=[("people.person", str(c.person_id)) for c in page],
    )
    criteria = [(queries.Criteria.from_json(c).describe(), c.get("added", 0)) for c in prog.criteria]
    return render(
        request,
        "quality/audits/programme.html",
        {"programme": prog, "page": page, "criteria": criteria, "add_form": AddCaseForm()},
    )


@requires(Permission.MANAGE_AUDITS)
def criteria(request: HttpRequest, pk: int) -> HttpResponse:
    """The query builder: the manager sets criteria, sees how many cases match and the first
    of them, then adds them (the preview is a GET; adding is a POST of the same criteria)."""
    prog = queries.get_programme_for(request.user, pk)
    data = request.POST if request.method == "POST" else (request.GET if "kind" in request.GET else None)
    form = CriteriaForm(data)
    context: dict[str, Any] = {"programme": prog, "form": form}
    if data is not None and form.is_valid():
        try:
            chosen = actions.validate_criteria(form.criteria())
            if request.method == "POST":
                added = actions.add_cases_by_criteria(
                    actor=request.user, programme_id=pk, criteria=chosen, expected_version=_version(request)
                )
                messages.success(request, f"{added} case{'' if added == 1 else 's'} added to the programme")
                return redirect("quality:audit_programme", pk=pk)
            cases = queries.matching_cases(chosen)
            rows = queries.preview(cases)
            record_access(
                user=request.user,
                action="preview_audit_cases",
                record=prog,
                detail={"criteria": chosen.to_json(), "matched": len(cases)},
                subjects=[r.person for r in rows],
            )
            # The same criteria go back with the POST that adds the cases (a sample's seed too).
            hidden = [
                (k, v) for k, values in request.GET.lists() if k not in {"seed", "page"} for v in values
            ]
            if chosen.seed is not None:
                hidden.append(("seed", str(chosen.seed)))
            context |= {
                "hidden": hidden,
                "matched": len(cases),
                "preview": rows,
                "chosen": chosen,
                "too_many": len(cases) > queries.MAX_SELECTION,
            }
        except EditConflict as error:
            return _conflict(request, error, "quality:audit_programme", pk)
        except ValidationError as error:
            apply_validation_error(form, error)
    return render(request, "quality/audits/criteria.html", context)


@require_POST
@requires(Permission.MANAGE_AUDITS)
def add_case(request: HttpRequest, pk: int) -> HttpResponse:
    prog = queries.get_programme_for(request.user, pk)
    form = AddCaseForm(request.POST)
    if form.is_valid():
        try:
            case = actions.add_case(
                actor=request.user,
                programme_id=pk,
                person_id=form.cleaned_data["person"],
                expected_version=_version(request),
            )
        except EditConflict as error:
            return _conflict(request, error, "quality:audit_programme", pk)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, f"{case.person.full_name} added to the programme")
            return redirect("quality:audit_programme", pk=pk)
    page = Paginator(queries.cases_of(prog, request.user), queries.PAGE_SIZE).get_page(1)
    criteria_list = [(queries.Criteria.from_json(c).describe(), c.get("added", 0)) for c in prog.criteria]
    return render(
        request,
        "quality/audits/programme.html",
        {"programme": prog, "page": page, "criteria": criteria_list, "add_form": form},
    )


@requires(Permission.MANAGE_AUDITS)
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    case = queries.get_case_for(request.user, pk)
    partners = list(queries.agency_practitioners()) if case.programme.multi_agency else []
    initial = {
        "auditor": str(case.auditor_id or ""),
        "moderator": str(case.moderator_id or ""),
        "agency_practitioners": [str(p.practitioner_id) for p in case.parts.all()],
    }
    form = AssignForm(
        request.POST or None, initial=initial, auditors=list(queries.auditors()), partners=partners
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.assign_case(
                actor=request.user,
                case_id=pk,
                expected_version=_version(request),
                auditor_id=int(data["auditor"]),
                moderator_id=int(data["moderator"]),
                agency_practitioner_ids=tuple(int(v) for v in data["agency_practitioners"]),
            )
        except EditConflict as error:
            return _conflict(request, error, "quality:audit_assign", pk)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, f"Auditor and moderator assigned for {case.person.full_name}")
            return redirect("quality:audit_programme", pk=case.programme_id)
    record_access(user=request.user, action="view_audit", record=case, subjects=[case.person])
    return render(request, "quality/audits/assign.html", {"case": case, "form": form})


def _case_context(
    request: HttpRequest, case: AuditCase, finding_form: FindingForm | None = None
) -> dict[str, Any]:
    answers = list(AuditAnswer.objects.filter(case=case, part__isnull=True).select_related("question"))
    named = request.user.pk in {case.auditor_id, case.moderator_id}
    return {
        "case": case,
        "answers": answers,
        "side_by_side": queries.parts_side_by_side(case),
        "findings": queries.findings_of(case),
        "is_auditor": case.auditor_id == request.user.pk,
        "is_moderator": case.moderator_id == request.user.pk,
        "manages": has_permission(request.user, Permission.MANAGE_AUDITS),
        "finding_form": finding_form or (FindingForm() if named else None),
        "worker_and_manager": queries.worker_and_manager(case),
    }


def case(request: HttpRequest, pk: int) -> HttpResponse:
    """One audited case: the child's details the auditor needs, the grades (and the
    moderator's), every agency's part side by side, findings and actions. Logged."""
    audit = queries.get_case_for(request.user, pk)
    record_access(user=request.user, action="view_audit", record=audit, subjects=[audit.person])
    return render(request, "quality/audits/case.html", _case_context(request, audit))


def audit_form(request: HttpRequest, pk: int) -> HttpResponse:
    audit = queries.get_case_for(request.user, pk)
    if audit.auditor_id != request.user.pk:
        raise PermissionDenied
    if audit.status not in {AuditStatus.NOT_STARTED, AuditStatus.DRAFT}:
        return redirect("quality:audit_case", pk=pk)
    questions = queries.default_questions()
    initial = AuditForm.initial_from(queries.answers_by_question(audit), audit.overall_grade, audit.summary)
    form = AuditForm(request.POST or None, initial=initial, questions=questions)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        submit = request.POST.get("submit") == "submit"
        try:
            actions.save_audit(
                actor=request.user,
                case_id=pk,
                expected_version=_version(request),
                answers={
                    q.pk: actions.Answer(data[f"grade_{q.pk}"], data[f"comment_{q.pk}"]) for q in questions
                },
                overall_grade=data["overall_grade"],
                summary=data["summary"],
                submit=submit,
            )
        except EditConflict as error:
            messages.error(request, str(error))
            audit.refresh_from_db()
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "Audit submitted for moderation" if submit else "Draft saved")
            return redirect("quality:audit_case" if submit else "quality:audit_form", pk=pk)
    record_access(user=request.user, action="view_audit", record=audit, subjects=[audit.person])
    return render(request, "quality/audits/audit_form.html", {"case": audit, "form": form, "part": None})


def moderate(request: HttpRequest, pk: int) -> HttpResponse:
    audit = queries.get_case_for(request.user, pk)
    if audit.moderator_id != request.user.pk:
        raise PermissionDenied
    if audit.status != AuditStatus.SUBMITTED:
        return redirect("quality:audit_case", pk=pk)
    answers = list(AuditAnswer.objects.filter(case=audit, part__isnull=True).select_related("question"))
    form = ModerationForm(
        request.POST or None, initial={"overall_grade": audit.overall_grade}, answers=answers
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.moderate_audit(
                actor=request.user,
                case_id=pk,
                expected_version=_version(request),
                decisions={
                    a.question_id: actions.Moderation(
                        data[f"grade_{a.question_id}"], data[f"reason_{a.question_id}"]
                    )
                    for a in answers
                },
                overall=actions.Moderation(data["overall_grade"], data["overall_reason"]),
            )
        except EditConflict as error:
            return _conflict(request, error, "quality:audit_case", pk)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "Moderation recorded")
            return redirect("quality:audit_case", pk=pk)
    record_access(user=request.user, action="view_audit", record=audit, subjects=[audit.person])
    return render(request, "quality/audits/moderate.html", {"case": audit, "form": form})


def part_form(request: HttpRequest, pk: int) -> HttpResponse:
    """An agency's practitioner answers for their agency's part of the case."""
    part = queries.get_part_for(request.user, pk)
    if part.practitioner_id != request.user.pk:
        return redirect("quality:audit_case", pk=part.case_id)
    questions = queries.default_questions()
    initial = AuditForm.initial_from(
        queries.answers_by_question(part.case, part), part.overall_grade, part.summary
    )
    form = AuditForm(request.POST or None, initial=initial, questions=questions)
    if request.method == "POST" and part.status != PartStatus.SUBMITTED and form.is_valid():
        data = form.cleaned_data
        submit = request.POST.get("submit") == "submit"
        try:
            actions.save_agency_part(
                actor=request.user,
                part_id=pk,
                expected_version=_version(request),
                answers={
                    q.pk: actions.Answer(data[f"grade_{q.pk}"], data[f"comment_{q.pk}"]) for q in questions
                },
                overall_grade=data["overall_grade"],
                summary=data["summary"],
                submit=submit,
            )
        except EditConflict as error:
            messages.error(request, str(error))
            part.refresh_from_db()
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "Your agency's part is submitted" if submit else "Draft saved")
            return redirect("quality:audits") if submit else redirect("quality:audit_part", pk=pk)
    record_access(
        user=request.user, action="view_agency_audit_part", record=part, subjects=[part.case.person]
    )
    return render(request, "quality/audits/audit_form.html", {"case": part.case, "form": form, "part": part})


@require_POST
def add_finding(request: HttpRequest, pk: int) -> HttpResponse:
    audit = queries.get_case_for(request.user, pk)
    form = FindingForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.record_finding(
                actor=request.user,
                case_id=pk,
                theme_id=data["theme"].pk,
                text=data["text"],
                action=data["action"],
                due_on=data["due_on"],
                for_worker=bool(data["for_worker"]),
                for_manager=bool(data["for_manager"]),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "Finding recorded")
            return redirect("quality:audit_case", pk=pk)
    elif request.user.pk not in {audit.auditor_id, audit.moderator_id}:
        raise PermissionDenied
    record_access(user=request.user, action="view_audit", record=audit, subjects=[audit.person])
    return render(request, "quality/audits/case.html", _case_context(request, audit, finding_form=form))


def action_done(request: HttpRequest, pk: int) -> HttpResponse:
    """The owner of an audit action marks it done."""
    action = (
        AuditAction.objects.select_related("finding__theme", "finding__case__programme").filter(pk=pk).first()
    )
    if action is None or (
        action.owner_id != request.user.pk and not has_permission(request.user, Permission.MANAGE_AUDITS)
    ):
        raise Http404("No such action")
    form = ActionDoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.complete_action(
                actor=request.user,
                action_id=pk,
                expected_version=_version(request),
                note=form.cleaned_data["note"],
            )
        except EditConflict as error:
            messages.error(request, str(error))
            return redirect("quality:audit_action", pk=pk)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "Action marked as done")
            return redirect("quality:audits")
    return render(request, "quality/audits/action.html", {"action": action, "form": form})


def _report_programmes(request: HttpRequest) -> tuple[list[AuditProgramme], AuditProgramme | None]:
    every = list(AuditProgramme.objects.order_by("-period_start", "-pk")[:200])
    raw = str(request.GET.get("programme", ""))
    chosen = next((p for p in every if _NUMBER.fullmatch(raw) and p.pk == int(raw)), None)
    return every, chosen


@requires(Permission.VIEW_AUDIT_THEMES)
def themes(request: HttpRequest) -> HttpResponse:
    """Grades by question and overall, before and after moderation, and findings by theme,
    for one programme or across them all. No child is named."""
    every, chosen = _report_programmes(request)
    report = queries.themes_report([chosen.pk] if chosen else None)
    record_access(
        user=request.user, action="view_audit_themes", detail={"programme": chosen.pk if chosen else None}
    )
    return render(
        request,
        "quality/audits/themes.html",
        {"report": report, "programmes": every, "chosen": chosen, "grades": queries.GRADES},
    )


@requires(Permission.VIEW_AUDIT_THEMES)
def themes_csv(request: HttpRequest) -> HttpResponse:
    _, chosen = _report_programmes(request)
    report = queries.themes_report([chosen.pk] if chosen else None)
    record_access(
        user=request.user, action="export_audit_themes", detail={"programme": chosen.pk if chosen else None}
    )
    return csv_response("audit-themes.csv", queries.THEMES_HEADER, queries.themes_csv_rows(report))


urlpatterns = [
    path("audits/", landing, name="audits"),
    path("audits/programmes/new", programme_new, name="audit_programme_new"),
    path("audits/programmes/<int:pk>", programme, name="audit_programme"),
    path("audits/programmes/<int:pk>/criteria", criteria, name="audit_criteria"),
    path("audits/programmes/<int:pk>/add", add_case, name="audit_add_case"),
    path("audits/themes", themes, name="audit_themes"),
    path("audits/themes.csv", themes_csv, name="audit_themes_csv"),
    path("audits/<int:pk>", case, name="audit_case"),
    path("audits/<int:pk>/assign", assign, name="audit_assign"),
    path("audits/<int:pk>/form", audit_form, name="audit_form"),
    path("audits/<int:pk>/moderate", moderate, name="audit_moderate"),
    path("audits/<int:pk>/findings", add_finding, name="audit_add_finding"),
    path("audits/parts/<int:pk>", part_form, name="audit_part"),
    path("audits/actions/<int:pk>", action_done, name="audit_action"),
]
