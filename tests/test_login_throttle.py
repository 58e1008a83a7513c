"""Sign-in throttling (django-axes): after 5 failures for one account, or from one address,
that account or address is locked out for 15 minutes, in the app and in the admin alike,
with a page that says how long to wait."""

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client, RequestFactory, override_settings
from django.utils import timezone

from crosscheck.middleware import client_ip
from tests.factories import PASSWORD, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("throttling")]

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
LOCKED = "Sign-in paused"


@pytest.fixture
def throttling():
    """The suite runs without django-axes (crosscheck/settings_test.py); these tests with it,
    at the production defaults."""
    with override_settings(
        AXES_ENABLED=True, AXES_FAILURE_LIMIT=5, AXES_COOLOFF_TIME=timedelta(minutes=15)
    ):
        yield


def sign_in(username: str, password: str, address: str = "10.0.0.1", url: str = LOGIN, **extra):
    client = Client(REMOTE_ADDR=address, **extra)
    response = client.post(url, {"username": username, "password": password})
    response.signed_in = "_auth_user_id" in client.session
    return response


def fail(username: str, times: int, address: str = "10.0.0.1", url: str = LOGIN):
    return [sign_in(username, "wrong-password", address, url) for _ in range(times)]


def assert_locked_out(response) -> None:
    assert response.status_code == 429
    assert not response.signed_in
    body = response.content.decode()
    assert LOCKED in body
    assert "Too many failed sign-in attempts (5)" in body
    assert "signing in is paused for 15 minutes" in body
    assert "Wait 15 minutes, then try again" in body


def test_the_production_defaults_are_five_failures_and_fifteen_minutes():
    result = _settings_with()
    assert result.stdout.split() == ["5", "0:15:00", "['username',", "'ip_address']", "0"]


def test_the_limits_come_from_the_environment():
    result = _settings_with(
        CROSSCHECK_SIGNIN_FAILURE_LIMIT="3",
        CROSSCHECK_SIGNIN_COOLOFF_MINUTES="60",
        CROSSCHECK_PROXY_COUNT="1",
    )
    assert result.stdout.split()[:2] == ["3", "1:00:00"]
    assert result.stdout.split()[-1] == "1"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("CROSSCHECK_SIGNIN_FAILURE_LIMIT", "0", "must be at least 1"),
        ("CROSSCHECK_SIGNIN_FAILURE_LIMIT", "five", "is not a whole number"),
        ("CROSSCHECK_SIGNIN_COOLOFF_MINUTES", "0", "must be at least 1"),
        ("CROSSCHECK_PROXY_COUNT", "-1", "must be at least 0"),
    ],
)
def test_nonsense_limits_are_refused_at_start_up(name, value, message):
    result = _settings_with(**{name: value})
    assert result.returncode != 0
    assert f"{name}={value!r} {message}" in result.stderr


def _settings_with(**env) -> subprocess.CompletedProcess:
    names = {"DEBUG", "DJANGO_SETTINGS_MODULE", "CROSSCHECK_SIGNIN_FAILURE_LIMIT",
             "CROSSCHECK_SIGNIN_COOLOFF_MINUTES", "CROSSCHECK_PROXY_COUNT"}  # fmt: skip
    clean = {key: value for key, value in os.environ.items() if key not in names}
    code = (
        "import crosscheck.settings as s; print(s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME, "
        "s.AXES_LOCKOUT_PARAMETERS, s.CROSSCHECK_PROXY_COUNT)"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        env=clean | {"DEBUG": "1"} | env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_correct_password_signs_in_with_throttling_on():
    user = make_user("annotator")
    response = sign_in(user.username, PASSWORD)
    assert response.status_code == 302
    assert response.signed_in


def test_four_failures_only_say_the_password_is_wrong():
    user = make_user("annotator")
    for response in fail(user.username, 4):
        assert response.status_code == 200
        assert "Please enter a correct username and password" in response.content.decode()
    assert sign_in(user.username, PASSWORD).signed_in


def test_the_fifth_failure_locks_the_account_out_with_a_page_that_says_how_long():
    user = make_user("annotator")
    *_, fifth = fail(user.username, 5)
    assert_locked_out(fifth)
    assert fifth["Content-Type"].startswith("text/html")
    assert 'href="/accounts/login/"' in fifth.content.decode()


def test_a_locked_out_account_is_refused_even_with_the_right_password():
    user = make_user("annotator")
    fail(user.username, 5)
    assert_locked_out(sign_in(user.username, PASSWORD))


def test_an_account_is_locked_out_from_every_address():
    user = make_user("annotator")
    for number in range(5):
        fail(user.username, 1, address=f"10.0.1.{number}")
    assert_locked_out(sign_in(user.username, PASSWORD, address="10.0.2.1"))
    # The address itself is not locked: another account signs in from it.
    assert sign_in(make_user("reviewer").username, PASSWORD, address="10.0.2.1").signed_in


def test_an_address_is_locked_out_for_every_account():
    for number in range(5):
        fail(f"guess{number}", 1, address="10.0.3.1")
    user = make_user("editor")
    assert_locked_out(sign_in(user.username, PASSWORD, address="10.0.3.1"))
    # The account itself is not locked: it signs in from elsewhere.
    assert sign_in(user.username, PASSWORD, address="10.0.3.2").signed_in


def test_the_lockout_ends_after_the_cool_off():
    user = make_user("annotator")
    fail(user.username, 5)
    assert_locked_out(sign_in(user.username, PASSWORD))
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert sign_in(user.username, PASSWORD).signed_in


def test_the_lockout_lasts_through_the_cool_off():
    user = make_user("annotator")
    fail(user.username, 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=14))
    assert_locked_out(sign_in(user.username, PASSWORD))


def test_a_success_does_not_wipe_an_addresses_failures():
    """Signing in to one's own account between guesses must not reset the count."""
    own = make_user("annotator")
    fail("victim", 4, address="10.0.4.1")
    assert sign_in(own.username, PASSWORD, address="10.0.4.1").signed_in
    assert_locked_out(fail("victim", 1, address="10.0.4.1")[0])


def test_the_admin_sign_in_goes_through_the_same_throttle():
    editor = make_user("editor")
    *_, fifth = fail(editor.username, 5, url=ADMIN_LOGIN)
    assert_locked_out(fifth)
    assert_locked_out(sign_in(editor.username, PASSWORD, url=ADMIN_LOGIN))
    assert_locked_out(sign_in(editor.username, PASSWORD, url=LOGIN))


def test_failures_in_the_app_and_the_admin_add_up():
    editor = make_user("editor")
    fail(editor.username, 3, url=LOGIN)
    fail(editor.username, 1, url=ADMIN_LOGIN)
    assert_locked_out(fail(editor.username, 1, url=ADMIN_LOGIN)[0])


@override_settings(AXES_COOLOFF_TIME=timedelta(minutes=1), AXES_FAILURE_LIMIT=2)
def test_the_page_names_the_configured_wait():
    user = make_user("annotator")
    *_, second = fail(user.username, 2)
    assert second.status_code == 429
    body = second.content.decode()
    assert "Too many failed sign-in attempts (2)" in body
    assert "paused for 1 minute." in body


# Behind reverse proxies the address is the one the outermost proxy saw.


def _request(remote: str, forwarded: str | None = None):
    headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
    return RequestFactory().post(LOGIN, REMOTE_ADDR=remote, headers=headers)


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "expected"),
    [
        (0, "10.9.9.9", "6.6.6.6", "10.9.9.9"),  # no proxy: the header is the client's
        (1, "10.9.9.9", "6.6.6.6", "6.6.6.6"),
        (1, "10.9.9.9", "1.2.3.4, 6.6.6.6", "6.6.6.6"),  # a forged left part is ignored
        (2, "10.9.9.9", "1.2.3.4, 6.6.6.6, 10.8.8.8", "6.6.6.6"),
        (1, "10.9.9.9", None, "10.9.9.9"),
        (2, "10.9.9.9", "6.6.6.6", "10.9.9.9"),  # fewer entries than proxies
        (1, "10.9.9.9", " , ", "10.9.9.9"),
    ],
)
def test_the_client_address_behind_proxies(settings, proxies, remote, forwarded, expected):
    settings.CROSSCHECK_PROXY_COUNT = proxies
    assert client_ip(_request(remote, forwarded)) == expected


@override_settings(CROSSCHECK_PROXY_COUNT=1)
def test_behind_a_proxy_one_clients_failures_do_not_lock_out_another():
    for number in range(5):
        Client(REMOTE_ADDR="10.9.9.9", HTTP_X_FORWARDED_FOR="6.6.6.6").post(
            LOGIN, {"username": f"guess{number}", "password": "wrong"}
        )
    user = make_user("annotator")
    other = sign_in(user.username, PASSWORD, address="10.9.9.9", HTTP_X_FORWARDED_FOR="7.7.7.7")
    assert other.signed_in
    same = sign_in(user.username, PASSWORD, address="10.9.9.9", HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert_locked_out(same)


def test_the_wrong_passwords_are_not_stored():
    user = make_user("annotator")
    sign_in(user.username, "my-old-password-1999")
    attempt = AccessAttempt.objects.get()
    assert attempt.username == user.username
    assert "my-old-password-1999" not in attempt.post_data
