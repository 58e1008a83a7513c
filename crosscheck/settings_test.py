"""Settings for the test suite: the production settings with a throwaway key, plain HTTP
for the live server the browser tests drive, and a fast password hasher. A developer's
`.env` is never read, so the suite behaves the same on a fresh clone and in CI."""

import os

# Set, not defaulted, and inherited by the settings the tests load in child processes.
os.environ["CROSSCHECK_ENV_FILE"] = ""
os.environ.setdefault("SECRET_KEY", "test-suite-only-key-0f3b8d6e2c4a9157e8b0d2f4a6c8e0b2")
os.environ.setdefault("HTTPS", "0")

from crosscheck.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve static files straight from the apps, without a collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Sign-in throttling is off for the suite: Client.login() authenticates without a request,
# which django-axes refuses, and failed sign-ins in one test must not lock out the next.
# tests/test_login_throttle.py turns it on.
AXES_ENABLED = False
