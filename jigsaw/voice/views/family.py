"""The family's own feedback page, opened from the single-use link they were given. It needs
no sign-in, shows only the child's first name and what the feedback is about, accepts one
response and then says the link is spent. A link that is used, expired, withdrawn or wrong
gets a clear page, and an address that keeps trying wrong links is slowed down."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path

from jigsaw.access.log import record_access
from jigsaw.core.forms import apply_validation_error
from jigsaw.voice.actions import feedback as actions
from jigsaw.voice.forms.feedback import FamilyAnswersForm
from jigsaw.voice.models.feedback import FeedbackLink, GivenBy

# An address that opens this many links that do not work within the window is turned
# away until the window has passed (a guess at a 256-bit token cannot succeed, but nobody
# should be able to hammer the page). Counted in the shared cache.
WRONG_LINK_LIMIT = 20
WRONG_LINK_WINDOW_SECONDS = 15 * 60


def _wrong_link_key(request: HttpRequest) -> str:
    return f"voice:wrong-link:{request.META.get('REMOTE_ADDR', '')}"


def _too_many_wrong_links(request: HttpRequest) -> bool:
    return int(cache.get(_wrong_link_key(request), 0)) >= WRONG_LINK_LIMIT


def _count_wrong_link(request: HttpRequest) -> None:
    key = _wrong_link_key(request)
    if not cache.add(key, 1, WRONG_LINK_WINDOW_SECONDS):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, WRONG_LINK_WINDOW_SECONDS)


def _private(response: HttpResponse) -> HttpResponse:
    """The address holds the link's secret: keep it out of caches and other sites' logs.
    ("same-origin", not "no-referrer": with no referrer at all the browser sends the form
    with a null origin, which the CSRF check rightly refuses.)"""
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    return response


def _about(link: FeedbackLink) -> str:
    """What the page says the feedback is about: the child's first name and the meeting or
    the end of our work, nothing more."""
    first_name = (link.person.given_names.split() or ["your child"])[0]
    child = link.given_by == GivenBy.CHILD
    if link.conference is not None:
        date = link.conference.date
        who = "you" if child else first_name
        return f"the child protection conference about {who} on {date.day} {date:%B %Y}"
    return "the time children's services worked with " + ("you and your family" if child else "your family")


def _unusable(request: HttpRequest, reason: str, status: int) -> HttpResponse:
    return _private(render(request, "voice/family/unusable.html", {"reason": reason}, status=status))


@login_not_required
def family_feedback(request: HttpRequest, token: str) -> HttpResponse:
    if _too_many_wrong_links(request):
        return _unusable(
            request, "Too many links that do not work were tried from here. Try again in 15 minutes.", 429
        )
    try:
        link = actions.usable_link(token)
    except actions.LinkNotUsable as refused:
        _count_wrong_link(request)
        return _unusable(request, str(refused), 410)
    form = FamilyAnswersForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.give_feedback_by_link(token=token, answers=form.answers())
        except actions.LinkNotUsable as refused:
            return _unusable(request, str(refused), 410)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            return redirect("voice:family_thanks")
    if request.method == "GET":
        record_access(user=None, action="open_feedback_link", record=link)
    context = {"form": form, "about": _about(link), "for_child": link.given_by == GivenBy.CHILD}
    return _private(render(request, "voice/family/form.html", context))


@login_not_required
def family_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "voice/family/thanks.html")


urlpatterns: list[URLPattern] = [
    path("your-views/thank-you", family_thanks, name="family_thanks"),
    path("your-views/<str:token>", family_feedback, name="family_feedback"),
]
