import re
from urllib.parse import unquote

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

# A path on this site: one leading slash not followed by another slash or a backslash (which
# browsers read as the start of another host), and no backslash, white space or control
# character anywhere.
_LOCAL_PATH = re.compile(r"/(?![/\\])[^\\\x00-\x20\x7f]*")
_LOCAL_START = re.compile(r"/(?![/\\])")


def is_local_path(url: str) -> bool:
    """Whether ``url`` is a path on this site, also once more percent-decoded (a proxy or a
    browser may turn ``/%2F%2Fevil.example`` into ``///evil.example``)."""
    return bool(_LOCAL_PATH.fullmatch(url)) and bool(_LOCAL_START.match(unquote(url)))


class LocalNextMixin(auth_views.RedirectURLMixin):
    """Follow ``next`` only to a path on this site; anything else lands on the default page.
    Django's own check (same host and scheme) runs first."""

    def get_redirect_url(self) -> str:
        url = super().get_redirect_url()
        return url if is_local_path(url) else ""


class SignInView(LocalNextMixin, auth_views.LoginView):
    pass


class SignOutView(LocalNextMixin, auth_views.LogoutView):
    pass


urlpatterns = [
    path("", RedirectView.as_view(pattern_name="corpus:documents"), name="home"),
    path("accounts/login/", SignInView.as_view(), name="login"),
    path("accounts/logout/", SignOutView.as_view(), name="logout"),
    path("corpus/", include("corpus.urls")),
    path("", include("claims.urls")),
    path("", include("discussion.urls")),
    path("", include("jobs.urls")),
    path("", include("suggestions.urls")),
    path("", include("comparison.urls")),
    path("", include("interchange.urls")),
    # The JSON API's description (OpenAPI) and its docs page: crosscheck.api.
    path("", include("crosscheck.api")),
    path("admin/", admin.site.urls),
]

# JSON under /api/, friendly pages elsewhere; the 500 answer shows the request id.
handler400 = "crosscheck.middleware.bad_request"
handler403 = "crosscheck.middleware.permission_denied"
handler404 = "crosscheck.middleware.page_not_found"
handler500 = "crosscheck.middleware.server_error"
