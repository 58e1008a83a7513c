"""The admin's history pages only show: an old version opens read-only, and sending its
form back changes nothing (going back would skip the services' checks), for every model
that keeps a history."""

import pytest
from django.contrib import admin
from django.db import models
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import registered_models

from claims.models import Claim, ClaimLink, Evidence, Review
from claims.services import claim_update, evidence_update, link_update
from corpus.models import Document, Source
from crosscheck.history_admin import ReadOnlyHistoryAdmin
from discussion.models import Comment
from discussion.services import comment_edit
from tests.factories import (
    make_claim,
    make_comment,
    make_document,
    make_evidence,
    make_link,
    make_review,
    make_source,
)

pytestmark = pytest.mark.django_db

HISTORY_ADMINS = {
    model: model_admin
    for model, model_admin in admin.site._registry.items()
    if isinstance(model_admin, SimpleHistoryAdmin)
}


def _source():
    source = make_source(name="First name")
    source.name = "Second name"
    source.save()
    return source, "First name"


def _document():
    document = make_document(title="First title")
    document.title = "Second title"
    document.save()
    return document, "First title"


def _claim():
    claim = make_claim(statement="First words")
    user = claim.created_by
    claim_update(claim=claim, statement="Second words", topics=[], version=1, user=user)
    return claim, "First words"


def _link():
    link = make_link(rationale="First reason")
    user = link.created_by
    link_update(link=link, relation="qualifies", rationale="Second reason", version=1, user=user)
    return link, "First reason"


def _evidence():
    evidence = make_evidence(bearing="supports")
    evidence_update(evidence=evidence, bearing="refutes", version=1, user=evidence.created_by)
    return evidence, "supports"


def _review():
    # The same reviewer's second verdict replaces the first: sending the first back as it
    # was would make two current verdicts.
    first = make_review(make_link(), "confirmed", note="First note")
    make_review(first.link, "rejected", user=first.reviewer, note="Second note")
    return first, "First note"


def _comment():
    comment = make_comment(text="First comment")
    comment_edit(comment=comment, text="Second comment", version=1, user=comment.created_by)
    return comment, "First comment"


# One object of each model with a history, changed once since it was made, and a value
# only its first version shows.
CHANGED = {
    Source: _source,
    Document: _document,
    Claim: _claim,
    ClaimLink: _link,
    Evidence: _evidence,
    Review: _review,
    Comment: _comment,
}


def stored(obj) -> dict:
    """Every stored column of ``obj``, read again from the database."""
    fresh = type(obj)._default_manager.get(pk=obj.pk)
    concrete = [field.name for field in fresh._meta.concrete_fields]
    return model_to_dict(fresh, fields=concrete) | {
        field.name: sorted(item.pk for item in getattr(fresh, field.name).all())
        for field in fresh._meta.many_to_many
    }


def form_data(form) -> dict:
    """A change form's initial values as the browser would send them back."""
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None:
            continue
        if isinstance(value, list | tuple | models.QuerySet):
            data[name] = [getattr(item, "pk", item) for item in value]
        elif isinstance(value, models.Model):
            data[name] = value.pk
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif hasattr(value, "hour"):
            data[f"{name}_0"], data[f"{name}_1"] = value.date().isoformat(), value.time()
        else:
            data[name] = value
    return data


def history_form_url(obj, record) -> str:
    opts = type(obj)._meta
    name = f"admin:{opts.app_label}_{opts.model_name}_simple_history"
    return reverse(name, args=[obj.pk, record.history_id])


def test_every_model_with_a_history_has_a_read_only_history_admin():
    with_history = {
        model
        for model in registered_models.values()
        if hasattr(model, "history") and not model._meta.auto_created
    }
    assert with_history <= set(HISTORY_ADMINS)
    for model, model_admin in HISTORY_ADMINS.items():
        assert isinstance(model_admin, ReadOnlyHistoryAdmin), model
        assert model in CHANGED, f"Teach {__name__} to change a {model.__name__}."


def first_version(model, editor) -> tuple:
    """The changed object, the value its first version shows, that version's address and
    an editor's client that answers a server error with its status."""
    obj, old_value = CHANGED[model]()
    first = obj.history.earliest("history_date", "history_id")
    client = Client(raise_request_exception=False)
    client.force_login(editor)
    return obj, old_value, history_form_url(obj, first), client


@pytest.mark.parametrize("model", list(HISTORY_ADMINS), ids=lambda model: model.__name__)
def test_an_old_version_opens_read_only(editor, model):
    _, old_value, url, client = first_version(model, editor)
    page = client.get(url)
    assert page.status_code == 200
    assert old_value in page.content.decode()
    assert page.context["revert_disabled"]
    fields = page.context["adminform"].form.fields.values()
    assert all(field.disabled for field in fields)


@pytest.mark.parametrize("model", list(HISTORY_ADMINS), ids=lambda model: model.__name__)
def test_sending_an_old_version_back_changes_nothing(editor, model):
    obj, _, url, client = first_version(model, editor)
    before, records = stored(obj), obj.history.count()
    form = client.get(url).context["adminform"].form
    for extra in ({}, {"_change_history": "1"}):
        response = client.post(url, form_data(form) | extra)
        assert response.status_code in (403, 405), extra
    assert stored(obj) == before
    assert obj.history.count() == records
