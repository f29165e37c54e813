"""The inbox: every notification Jigsaw sends a user (alerts about their children, the
outcome of a concern they raised, invitations to meetings), whatever their role."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from jigsaw.casework.actions.worklists import mark_notification_read
from jigsaw.partners.models import Notification
from jigsaw.partners.queries.inbox import inbox as inbox_of
from jigsaw.partners.queries.inbox import unread_count

PAGE_SIZE = 50


def inbox(request: HttpRequest) -> HttpResponse:
    page = Paginator(inbox_of(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    unread = unread_count(request.user)
    return render(request, "partners/inbox/inbox.html", {"page": page, "unread": unread})


@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    mark_notification_read(actor=request.user, notification_id=pk)
    messages.success(request, "Marked as read")
    return redirect("partners:inbox")


@require_POST
@transaction.atomic
def mark_all_read(request: HttpRequest) -> HttpResponse:
    marked = Notification.objects.filter(recipient_id=request.user.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    messages.success(request, f"{marked} marked as read")
    return redirect("partners:inbox")


urlpatterns = [
    path("inbox", inbox, name="inbox"),
    path("inbox/<int:pk>/read", mark_read, name="mark_read"),
    path("inbox/read-all", mark_all_read, name="mark_all_read"),
]
