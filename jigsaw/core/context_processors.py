"""What every page needs: the service name and the navigation the user's role allows."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from jigsaw.access.policy import Permission, has_permission, role_of, takes_part_in_vulnerable_families
from jigsaw.partners.queries.inbox import unread_count

# (label, url name, permission that makes it appear)
NAVIGATION: list[tuple[str, str, Permission | None]] = [
    ("Home", "home", None),
    ("Find a person", "people:search", Permission.FIND_PEOPLE),
    ("Add a person", "people:create", Permission.CREATE_PERSON),
    ("My work", "casework:my_work", Permission.RECORD_CASEWORK),
    ("Team", "casework:team", Permission.ALLOCATE),
    ("Front door", "casework:front_door", Permission.VIEW_CONTACTS),
    ("Partners' concerns", "partners:concern_queue", Permission.DECIDE_CONTACT),
    ("Emerging concerns", "partners:emerging_concerns", Permission.DECIDE_CONTACT),
    # A partner practitioner's day: raise a concern, check a flag, meetings, their feeds.
    ("Your concerns", "partners:concerns", Permission.RAISE_CONCERN),
    ("Flag check", "partners:flag_check", Permission.CHECK_FLAG),
    ("Your meetings", "partners:meetings", Permission.RAISE_CONCERN),
    # Health visiting teams' and GP practices' own meetings (the agency rule is below).
    ("Vulnerable families", "vulnerable_families:home", Permission.VIEW_VULNERABLE_FAMILIES),
    ("Match reviews", "matching:reviews", Permission.REVIEW_MATCHES),
    ("Conferences", "casework:conferences", Permission.CHAIR_CONFERENCE),
    ("Professionals", "partners:directory", None),
    # Escalation: any practitioner escalates (the procedure is linked from the page).
    ("Escalations", "escalation:list", Permission.RAISE_ESCALATION),
    # Guidance the partnership issues: everyone reads what is sent to them.
    ("Guidance", "partnership:guidance", None),
    # Business support's and social work assistants' queue of admin delegated to them.
    ("Admin tasks", "support:queue", Permission.DO_SUPPORT_TASKS),
]

# The second bar: the pages of those who oversee the work rather than do it (managers,
# analysts, the partnership, the data protection officer, administrators). Kept apart so
# that a manager's day's work stays on one line.
OVERSIGHT_NAVIGATION: list[tuple[str, str, Permission | None]] = [
    ("Escalations report", "escalation:report", Permission.VIEW_ESCALATION_REPORT),
    # The missing children panel.
    ("Children missing", "casework:missing_panel", Permission.VIEW_MISSING_PANEL),
    # Oversight: supervision, audits, section 11, practice reviews, recommendations, training.
    ("Oversight", "quality:home", Permission.VIEW_OVERSIGHT),
    # Performance: indicators, dashboards, returns, forecasts and the board report.
    ("Performance", "performance:home", Permission.VIEW_PERFORMANCE),
    # Workforce: posts, who fills them, vacancies, absence, leavers and joiners.
    ("Workforce", "workforce:overview", Permission.VIEW_WORKFORCE),
    # The partnership's board: members, meetings, the action log and governance.
    ("Board", "partnership:board", Permission.VIEW_BOARD),
    ("Conference attendance", "partners:conference_attendance", Permission.VIEW_PARTNERSHIP_FIGURES),
    # What children and families tell us: feedback themes and advocates at conferences.
    ("Family feedback", "voice:themes_report", Permission.VIEW_FEEDBACK_THEMES),
    # How much admin is delegated off social workers.
    ("Delegated admin", "support:report", Permission.VIEW_SUPPORT_REPORT),
    ("Access reviews", "access:overview", Permission.REVIEW_ACCESS),
    ("Administration", "admin:index", Permission.ADMINISTER),
]


def _items(request: HttpRequest, entries: list[tuple[str, str, Permission | None]]) -> list[dict[str, Any]]:
    user = request.user
    items = []
    for label, url_name, permission in entries:
        if url_name == "vulnerable_families:home" and not takes_part_in_vulnerable_families(user):
            continue  # a partner of any other kind of agency
        if permission is None or has_permission(user, permission):
            items.append({"label": label, "url": reverse(url_name), "current": False})
    return items


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    items: list[dict[str, Any]] = []
    oversight: list[dict[str, Any]] = []
    if user.is_authenticated:
        items, oversight = _items(request, NAVIGATION), _items(request, OVERSIGHT_NAVIGATION)
        # The current item, on either bar, is the one whose address is the longest prefix
        # of this page's.
        matching = [
            i
            for i in items + oversight
            if request.path == i["url"] or (i["url"] != "/" and request.path.startswith(i["url"]))
        ]
        if matching:
            max(matching, key=lambda i: len(i["url"]))["current"] = True
    role = role_of(user)
    return {
        "service_name": "Jigsaw",
        "authority_name": settings.JIGSAW_AUTHORITY_NAME,
        "navigation_items": items,
        "oversight_navigation_items": oversight,
        "user_role": role.label if role else "",
        "idle_seconds": settings.JIGSAW_IDLE_MINUTES * 60,
        "inbox_unread": unread_count(user) if role is not None else None,
        "can_raise_escalation": has_permission(user, Permission.RAISE_ESCALATION),
    }
