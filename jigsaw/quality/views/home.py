"""The Oversight page: the parts of oversight this user's role may use, each with a line
saying what it is for."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse

from jigsaw.access.policy import AnyUser, Permission, has_permission
from jigsaw.access.views import requires


@dataclass(frozen=True)
class Section:
    title: str
    purpose: str
    # Where the section starts for a user: the first page whose permission they hold (a
    # section with work named for its users, such as the audits assigned to you, is open to
    # everyone who sees Oversight).
    routes: tuple[tuple[str, Permission], ...]

    def url_for(self, user: AnyUser) -> str | None:
        for url_name, permission in self.routes:
            if has_permission(user, permission):
                return reverse(url_name)
        return None


SECTIONS = (
    Section(
        "Supervision",
        "Case supervision for each child, how up to date each worker and team is, and the actions agreed.",
        (
            ("quality:supervision", Permission.VIEW_SUPERVISION),
            # Analysts and the partnership see each team's figures, no child named.
            ("quality:supervision_teams", Permission.VIEW_PARTNERSHIP_FIGURES),
        ),
    ),
    Section(
        "Case file audits",
        "Audit programmes, the audits assigned to you, moderation and the themes they show.",
        (("quality:audits", Permission.VIEW_OVERSIGHT),),
    ),
    Section(
        "Section 11 self-assessment",
        "Each agency's assessment of itself against its safeguarding duties, and its action plan.",
        (
            ("quality:section11", Permission.MANAGE_SECTION11),
            ("quality:section11", Permission.ANSWER_SECTION11),
        ),
    ),
    Section(
        "Practice reviews",
        "Child safeguarding practice reviews, from the decision to hold one to publication.",
        (("quality:practice_reviews", Permission.VIEW_OVERSIGHT),),
    ),
    Section(
        "Recommendations and actions",
        "Every recommendation made to the partnership, its response, and the actions you own.",
        (("quality:recommendations", Permission.VIEW_OVERSIGHT),),
    ),
    Section(
        "Training",
        "Your safeguarding training and refreshers; courses, sessions and take-up.",
        (("quality:training", Permission.VIEW_OVERSIGHT),),
    ),
)


@requires(Permission.VIEW_OVERSIGHT)
def home(request: HttpRequest) -> HttpResponse:
    sections = [
        {"title": s.title, "purpose": s.purpose, "url": url}
        for s in SECTIONS
        if (url := s.url_for(request.user)) is not None
    ]
    return render(request, "quality/home.html", {"sections": sections})


urlpatterns = [path("", home, name="home")]
