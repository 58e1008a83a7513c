import pytest
from django.core.cache import cache
from django.test import Client

from tests.factories import make_user


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: rolled-back tests reuse ids, so a figure
    cached by one (the dashboard's, keyed by its reviews' ids) could match another's."""
    cache.clear()


@pytest.fixture
def annotator(db):
    return make_user("annotator")


@pytest.fixture
def reviewer(db):
    return make_user("reviewer")


@pytest.fixture
def editor(db):
    return make_user("editor")


@pytest.fixture
def no_role_user(db):
    return make_user(None)


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def annotator_client(annotator):
    return _client_for(annotator)


@pytest.fixture
def reviewer_client(reviewer):
    return _client_for(reviewer)


@pytest.fixture
def editor_client(editor):
    return _client_for(editor)


@pytest.fixture
def no_role_client(no_role_user):
    return _client_for(no_role_user)
