"""Pages of the partner feeds: a partner agency's deliveries, the CSV upload (with its
column layout and a template file to download) and what became of each delivery; the
administrators' page that issues (shows once) and revokes agency systems' API tokens."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from jigsaw.access.policy import Permission
from jigsaw.access.views import requires
from jigsaw.core.forms import apply_validation_error
from jigsaw.partners.actions import feeds as actions
from jigsaw.partners.forms.feeds import EventUploadForm, IssueTokenForm
from jigsaw.partners.ingest import LAYOUTS, MAX_BATCH, SLUG_OF, SLUGS, matched_counts, template_csv, types_of
from jigsaw.partners.models import ApiClient, EventKind, PartnerEvent
from jigsaw.partners.queries import feeds as queries

DELIVERIES_SHOWN = 50
EVENTS_SHOWN = 200


def _kind_for(request: HttpRequest, slug: str) -> str:
    """The kind of event a page is about, if the user's agency sends it; else 404."""
    kind = SLUGS.get(slug)
    if kind is None or kind not in queries.upload_kinds(request.user):
        raise Http404("No such feed")
    return kind


@requires(Permission.UPLOAD_EVENTS)
def feeds(request: HttpRequest) -> HttpResponse:
    """The agency's deliveries, newest first, and the feeds it may upload."""
    kinds = queries.upload_kinds(request.user)
    return render(
        request,
        "partners/feeds/deliveries.html",
        {
            "agency": queries.uploader_agency(request.user),
            "kinds": [(SLUG_OF[k], EventKind(k).label) for k in kinds],
            "deliveries": queries.deliveries_for(request.user)[:DELIVERIES_SHOWN],
        },
    )


@requires(Permission.UPLOAD_EVENTS)
def upload(request: HttpRequest, slug: str) -> HttpResponse:
    """Upload a CSV file of one kind of event; the result page says what happened."""
    kind = _kind_for(request, slug)
    form = EventUploadForm(request.POST, request.FILES) if request.method == "POST" else EventUploadForm()
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            delivery = actions.upload_events(
                actor=request.user, kind=kind, filename=upload.name or "", data=upload.read()
            )
        except actions.DeliveryConflict as conflict:
            form.add_error("file", str(conflict))
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            return redirect("partners:delivery", delivery.record.pk)
    return render(
        request,
        "partners/feeds/upload.html",
        {
            "form": form,
            "kind": kind,
            "slug": slug,
            "label": EventKind(kind).label,
            "columns": LAYOUTS[kind],
            "types": types_of(kind),
            "several_people": kind == EventKind.POLICE_INCIDENT,
        },
    )


@requires(Permission.UPLOAD_EVENTS)
def template(request: HttpRequest, slug: str) -> HttpResponse:
    """A CSV file with the kind's columns and an example line, to fill in."""
    kind = _kind_for(request, slug)
    response = HttpResponse(template_csv(kind), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="jigsaw-{slug}-template.csv"'
    return response


@requires(Permission.UPLOAD_EVENTS)
def delivery(request: HttpRequest, pk: int) -> HttpResponse:
    """What happened to a delivery: every bad line and why, or what was received."""
    record = queries.get_delivery_for(request.user, pk)
    events = list(PartnerEvent.objects.filter(delivery=record).order_by("occurred_at", "pk")[:EVENTS_SHOWN])
    counts = matched_counts([e.pk for e in events])
    rows = [(e, *counts.get(e.pk, (0, 0))) for e in events]
    return render(
        request,
        "partners/feeds/delivery.html",
        {
            "delivery": record,
            "rows": rows,
            "more": record.new_events > len(rows),
            "slug": SLUG_OF.get(record.kind, ""),
        },
    )


@never_cache
@requires(Permission.MANAGE_FEEDS)
def api_tokens(request: HttpRequest) -> HttpResponse:
    """Agency systems' tokens: issue one (shown once, on this response only), see when
    each was last used, revoke."""
    form = IssueTokenForm(request.POST) if request.method == "POST" else IssueTokenForm()
    issued: tuple[ApiClient, str] | None = None
    if request.method == "POST" and form.is_valid():
        try:
            issued = actions.issue_api_token(
                actor=request.user,
                agency=form.cleaned_data["agency"],
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            form = IssueTokenForm()
    return render(
        request,
        "partners/feeds/api_tokens.html",
        {
            "form": form,
            "clients": queries.api_clients(request.user),
            "issued": issued,
            "max_batch": MAX_BATCH,
        },
    )


@require_POST
@requires(Permission.MANAGE_FEEDS)
def revoke_token(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke a token: the system is refused from now on."""
    client = queries.get_api_client_for(request.user, pk)
    actions.revoke_api_token(actor=request.user, client=client)
    return redirect("partners:api_tokens")


urlpatterns: list[URLPattern] = [
    path("feeds/", feeds, name="feeds"),
    path("feeds/upload/<slug:slug>", upload, name="upload_events"),
    path("feeds/template/<slug:slug>.csv", template, name="feed_template"),
    path("feeds/deliveries/<int:pk>", delivery, name="delivery"),
    path("feeds/api-tokens", api_tokens, name="api_tokens"),
    path("feeds/api-tokens/<int:pk>/revoke", revoke_token, name="revoke_api_token"),
]
