from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.generic import RedirectView

from jigsaw.access import signin
from jigsaw.core import views as core_views
from jigsaw.partners import api as partners_api

handler403 = "jigsaw.core.views.error_403"
handler404 = "jigsaw.core.views.error_404"
handler500 = "jigsaw.core.views.error_500"

urlpatterns = [
    path("", core_views.home, name="home"),
    path("health", core_views.health, name="health"),
    path(
        "sign-in",
        auth_views.LoginView.as_view(template_name="core/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("sign-out", auth_views.LogoutView.as_view(), name="logout"),
    path("sign-in/second-factor", signin.second_factor, name="second_factor"),
    path("sign-in/set-up-second-factor", signin.second_factor_setup, name="second_factor_setup"),
    path("session/status", signin.session_status, name="session_status"),
    path("session/keep-alive", signin.session_keep_alive, name="session_keep_alive"),
    path("people/", include("jigsaw.people.urls")),
    path("access/", include("jigsaw.access.urls")),
    path("casework/", include("jigsaw.casework.urls")),
    path("matching/", include("jigsaw.matching.urls")),
    path("partners/", include("jigsaw.partners.urls")),
    path("escalations/", include("jigsaw.escalation.urls")),
    path("oversight/", include("jigsaw.quality.urls")),
    path("performance/", include("jigsaw.performance.urls")),
    path("workforce/", include("jigsaw.workforce.urls")),
    path("partnership/", include("jigsaw.partnership.urls")),
    path("voice/", include("jigsaw.voice.urls")),
    path("support/", include("jigsaw.support.urls")),
    path("vulnerable-families/", include("jigsaw.vulnerable_families.urls")),
    # The API agencies' systems send events to (a token each, no sign-in).
    path("api/", partners_api.urls()),
    # One sign-in page for the whole service, the admin site included.
    path(
        "admin/login/",
        login_not_required(RedirectView.as_view(pattern_name="login", query_string=True)),
    ),
    path("admin/", admin.site.urls),
]
