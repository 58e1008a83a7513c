"""Security headers, cookie flags and deployment checks, under the test settings and under
production settings (DEBUG=0, HTTPS=1) loaded in a fresh interpreter."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

SETTINGS_VARIABLES = {
    "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "HTTPS", "DJANGO_SETTINGS_MODULE",
    "SECURE_HSTS_SECONDS", "CROSSCHECK_SIGNIN_FAILURE_LIMIT", "CROSSCHECK_SIGNIN_COOLOFF_MINUTES",
    "CROSSCHECK_PROXY_COUNT", "DJANGO_ALLOW_ASYNC_UNSAFE",  # the browser tests set the last
}  # fmt: skip
PRODUCTION = {
    "DEBUG": "0",
    "HTTPS": "1",
    "SECRET_KEY": "production-like-key-for-the-tests-4d9c1e7a0b3f5a82c6e4",
    "ALLOWED_HOSTS": "crosscheck.example.org",
    "DJANGO_SETTINGS_MODULE": "crosscheck.settings",
}

EXPECTED_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}


def run_python(code: str, **env) -> subprocess.CompletedProcess:
    clean = {key: value for key, value in os.environ.items() if key not in SETTINGS_VARIABLES}
    return subprocess.run(
        [sys.executable, "-c", code],
        env=clean | env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def parse_csp(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def test_the_pages_carry_the_content_security_policy(client):
    response = client.get(reverse("login"))
    policy = parse_csp(response["Content-Security-Policy"])
    for name, sources in EXPECTED_CSP.items():
        assert policy[name] == sources, name
    for name, sources in policy.items():
        assert "'unsafe-inline'" not in sources, name
        assert "'unsafe-eval'" not in sources, name
        assert "*" not in sources and "data:" not in sources, name


def test_only_exact_hashes_loosen_the_inline_attribute_rules(client):
    policy = parse_csp(client.get(reverse("login"))["Content-Security-Policy"])
    for name in ["script-src-attr", "style-src-attr"]:
        assert policy[name][0] == "'unsafe-hashes'"
        assert all(source.startswith("'sha256-") for source in policy[name][1:])
    assert len(policy["script-src-attr"]) == 2  # one admin handler: import-export's select-all


def test_the_pages_carry_the_other_security_headers(client):
    response = client.get(reverse("login"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_the_json_endpoints_carry_them_too(editor_client):
    response = editor_client.get(reverse("claims:api-claim-search"), {"q": "x"})
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert "Content-Security-Policy" in response


def test_the_admin_carries_them_too(editor_client):
    response = editor_client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert parse_csp(response["Content-Security-Policy"])["default-src"] == ["'self'"]
    assert response["X-Frame-Options"] == "DENY"


def test_the_session_and_csrf_cookies_are_http_only_and_same_site(editor):
    client = Client()
    page = client.get(reverse("login"))
    csrf = page.cookies[settings.CSRF_COOKIE_NAME]
    assert csrf["httponly"] is True
    assert csrf["samesite"] == "Lax"
    response = client.post(reverse("login"), {"username": editor.username, "password": PASSWORD})
    assert response.status_code == 302
    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["httponly"] is True
    assert session["samesite"] == "Lax"


PRODUCTION_REQUESTS = """
import json
import django
django.setup()
from django.conf import settings
from django.test import Client

client = Client(HTTP_HOST="crosscheck.example.org")
plain = client.get("/accounts/login/")
secure = client.get("/accounts/login/", secure=True)
csrf = secure.cookies[settings.CSRF_COOKIE_NAME]
print(json.dumps({
    "plain": [plain.status_code, plain.get("Location")],
    "status": secure.status_code,
    "headers": {name: value for name, value in secure.items()},
    "csrf_cookie": {"secure": csrf["secure"], "httponly": csrf["httponly"],
                    "samesite": csrf["samesite"]},
    "session": [settings.SESSION_COOKIE_SECURE, settings.SESSION_COOKIE_HTTPONLY,
                settings.SESSION_COOKIE_SAMESITE],
}))
"""


@pytest.fixture(scope="module")
def production():
    result = run_python(PRODUCTION_REQUESTS, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_redirects_plain_http_to_https(production):
    assert production["plain"] == [301, "https://crosscheck.example.org/accounts/login/"]


def test_production_sends_hsts_and_the_security_headers(production):
    headers = production["headers"]
    assert production["status"] == 200
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = parse_csp(headers["Content-Security-Policy"])
    for name, sources in EXPECTED_CSP.items():
        assert policy[name] == sources, name
    assert len(headers["X-Request-ID"]) == 32


def test_production_cookies_are_secure(production):
    assert production["csrf_cookie"] == {"secure": True, "httponly": True, "samesite": "Lax"}
    assert production["session"] == [True, True, "Lax"]


def test_the_deployment_checks_pass_under_production_settings():
    result = run_python(
        "import sys; from django.core.management import execute_from_command_line; "
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])",
        **PRODUCTION,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_plain_http_mode_turns_the_https_settings_off():
    result = run_python(
        "import crosscheck.settings as s; "
        "print(getattr(s, 'SECURE_HSTS_SECONDS', 0), getattr(s, 'SESSION_COOKIE_SECURE', False))",
        **(PRODUCTION | {"HTTPS": "0"}),
    )
    assert result.stdout.split() == ["0", "False"]


# Password rules: the validators refuse a weak password wherever one is set.

WEAK_PASSWORDS = ["password", "12345678", "short", "crosscheck-annotator"]


@pytest.fixture
def admin_client(db):
    user = get_user_model().objects.create_superuser("root", password=PASSWORD)
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("weak", WEAK_PASSWORDS)
def test_the_admin_refuses_a_weak_password_when_setting_one(admin_client, annotator, weak):
    annotator.username = "crosscheck-annotator"
    annotator.save()
    url = reverse("admin:auth_user_password_change", args=[annotator.pk])
    response = admin_client.post(url, {"password1": weak, "password2": weak})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "password2" in errors or "password1" in errors, errors
    annotator.refresh_from_db()
    assert annotator.check_password(PASSWORD)


@pytest.mark.parametrize("weak", WEAK_PASSWORDS)
def test_the_admin_refuses_a_weak_password_for_a_new_user(admin_client, weak):
    response = admin_client.post(
        reverse("admin:auth_user_add"),
        {"username": "crosscheck-annotator", "password1": weak, "password2": weak,
         "usable_password": "true"},
    )  # fmt: skip
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert not get_user_model().objects.filter(username="crosscheck-annotator").exists()


def test_the_admin_accepts_a_strong_password(admin_client, annotator):
    url = reverse("admin:auth_user_password_change", args=[annotator.pk])
    strong = "violet-harbour-lantern-83"
    response = admin_client.post(url, {"password1": strong, "password2": strong})
    assert response.status_code == 302
    annotator.refresh_from_db()
    assert annotator.check_password(strong)


def test_the_validators_are_on():
    names = [item["NAME"].rsplit(".", 1)[1] for item in settings.AUTH_PASSWORD_VALIDATORS]
    assert names == [
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    ]
