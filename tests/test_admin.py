"""The editors' admin: every model is there, imported text and anchors stay as they are,
edits and deletes go through the services, and lists cost the same for any number of
rows."""

from types import SimpleNamespace

import pytest
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import claims.admin as claims_admin
from claims.exports import DATASETS, csv_chunks
from claims.models import Claim, ClaimLink, Evidence, Review, Topic, search_key
from claims.services import claim_update
from corpus.models import Document, Source
from crosscheck.admin import CrosscheckAdminSite
from tests.factories import (
    make_claim,
    make_document,
    make_evidence,
    make_link,
    make_review,
    make_source,
    make_user,
)

pytestmark = pytest.mark.django_db

MODELS = [
    ("corpus", "source"),
    ("corpus", "document"),
    ("claims", "topic"),
    ("claims", "claim"),
    ("claims", "claimlink"),
    ("claims", "evidence"),
    ("claims", "review"),
    ("auth", "user"),
    ("auth", "group"),
]
PROTECTED = "would require deleting the following protected related objects"


def changelist(app: str, model: str) -> str:
    return reverse(f"admin:{app}_{model}_changelist")


def change(obj) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def delete(obj) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[obj.pk])


def form_data(response) -> dict:
    """What the change form on ``response`` would send unchanged, inline management forms
    included."""
    form = response.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is not None:
            data[name] = value
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
    return data


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def data(db):
    annotator = make_user("annotator")
    source = make_source(name="Daily Planet", author="Lois Lane", date="1938")
    document = make_document(
        "Metropolis had 12 bridges in 1938.\n\nThe mayor said so.", source=source, title="Bridges"
    )
    other = make_document("Metropolis had 9 bridges in 1938.", title="Bridges again")
    claim = make_claim(
        document,
        quote="12 bridges",
        statement="Metropolis had twelve bridges.",
        topics=["Infrastructure"],
        user=annotator,
    )
    other_claim = make_claim(
        other, quote="9 bridges", statement="Metropolis had nine bridges.", user=annotator
    )
    link = make_link(claim, other_claim, user=annotator)
    claim_evidence = make_evidence(claim, user=annotator)
    link_evidence = make_evidence(link=link, kind="url", user=annotator)
    review = make_review(link, "confirmed")
    return SimpleNamespace(
        annotator=annotator,
        source=source,
        document=document,
        other=other,
        claim=claim,
        other_claim=other_claim,
        topic=Topic.objects.get(name="Infrastructure"),
        link=link,
        claim_evidence=claim_evidence,
        link_evidence=link_evidence,
        review=review,
    )


def object_of(data, model: str):
    return {
        "source": data.source,
        "document": data.document,
        "topic": data.topic,
        "claim": data.claim,
        "claimlink": data.link,
        "evidence": data.link_evidence,
        "review": data.review,
        "user": data.annotator,
        "group": Group.objects.get(name="editor"),
    }[model]


# --- Registration and access -------------------------------------------------------------


def test_every_model_is_registered_on_the_crosscheck_site():
    assert isinstance(admin.site, CrosscheckAdminSite)
    for model in (Source, Document, Topic, Claim, ClaimLink, Evidence, Review):
        assert admin.site.is_registered(model), model
    assert admin.site.is_registered(get_user_model())
    assert admin.site.is_registered(Group)


@pytest.mark.parametrize(("app", "model"), MODELS)
def test_every_changelist_and_change_page_opens_for_an_editor(editor_client, data, app, model):
    response = editor_client.get(changelist(app, model))
    assert response.status_code == 200
    assert response.context["cl"].result_count >= 1
    assert editor_client.get(change(object_of(data, model))).status_code == 200


def search_and_filters(data) -> list[tuple[str, str, dict, int]]:
    year = timezone.now().year
    return [
        ("corpus", "source", {"q": "planet"}, 1),
        ("corpus", "source", {"kind__exact": "news"}, 2),
        ("corpus", "source", {"created_at__year": year}, 2),
        ("corpus", "document", {"q": "again"}, 1),
        ("corpus", "document", {"language__exact": "en", "source__id__exact": data.source.pk}, 1),
        ("corpus", "document", {"imported_at__year": year}, 2),
        ("claims", "topic", {"q": "infra"}, 1),
        ("claims", "claim", {"q": "twelve"}, 1),
        ("claims", "claim", {"q": str(data.other_claim.public_id)}, 1),
        ("claims", "claim", {"document__source__id__exact": data.source.pk}, 1),
        ("claims", "claim", {"topics__id__exact": data.topic.pk}, 1),
        ("claims", "claim", {"document__id__exact": data.other.pk}, 1),
        ("claims", "claim", {"created_at__year": year, "q": "bridges"}, 2),
        ("claims", "claimlink", {"q": "nine"}, 1),
        ("claims", "claimlink", {"relation__exact": "contradicts"}, 1),
        ("claims", "claimlink", {"review_state__exact": "pending"}, 0),
        ("claims", "evidence", {"q": "example.com"}, 1),
        ("claims", "evidence", {"kind__exact": "citation"}, 1),
        ("claims", "evidence", {"attached_to": "link"}, 1),
        ("claims", "review", {"verdict__exact": "confirmed", "is_current__exact": "1"}, 1),
        ("claims", "review", {"q": data.review.reviewer.username}, 1),
    ]


def test_search_and_filters_work_on_every_changelist(editor_client, data):
    for app, model, params, expected in search_and_filters(data):
        response = editor_client.get(changelist(app, model), params)
        assert response.status_code == 200, (model, params)  # a bad filter redirects (?e=1)
        assert response.context["cl"].result_count == expected, (model, params)


@pytest.mark.parametrize("role", ["annotator", "reviewer"])
def test_staff_without_the_editor_role_are_refused(client, data, role):
    client.force_login(make_user(role, is_staff=True))
    for app, model in MODELS:
        for url in (changelist(app, model), change(object_of(data, model))):
            assert client.get(url).status_code == 403, url
    client.logout()
    response = client.get(changelist("claims", "claim"))  # signed out: sign in first
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("model", ["document", "claim", "claimlink", "evidence", "review"])
def test_nothing_the_services_write_can_be_added_in_the_admin(editor_client, model):
    app = "corpus" if model == "document" else "claims"
    assert editor_client.get(reverse(f"admin:{app}_{model}_add")).status_code == 403
    assert editor_client.post(reverse(f"admin:{app}_{model}_add"), {}).status_code == 403


def test_editors_add_sources_and_topics(editor_client):
    response = editor_client.post(
        reverse("admin:corpus_source_add"),
        {"name": "The Gazette", "slug": "the-gazette", "kind": "news", "date": "1921-05"},
    )
    assert response.status_code == 302
    assert Source.objects.get(slug="the-gazette").name == "The Gazette"
    response = editor_client.post(reverse("admin:claims_topic_add"), {"name": "  Elections  "})
    assert response.status_code == 302
    assert Topic.objects.get(key="elections").name == "Elections"


def test_a_topic_differing_only_in_case_is_refused(editor_client, data):
    response = editor_client.post(reverse("admin:claims_topic_add"), {"name": "INFRASTRUCTURE"})
    assert response.status_code == 200
    assert "There is already a topic “Infrastructure”" in response.content.decode()
    assert Topic.objects.count() == 1


def test_topics_are_chosen_by_autocomplete(editor_client, data):
    response = editor_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "claims", "model_name": "claim", "field_name": "topics", "term": "infra"},
    )
    assert response.status_code == 200
    assert [result["text"] for result in response.json()["results"]] == ["Infrastructure"]


# --- Lists: columns and query counts -----------------------------------------------------


def test_list_columns_show_what_editors_need(editor_client, data):
    content = editor_client.get(changelist("claims", "claim")).content.decode()
    for text in ("12 bridges", "Bridges", "Daily Planet", "Metropolis had twelve bridges."):
        assert text in content
    assert data.annotator.username in content
    content = editor_client.get(changelist("claims", "claimlink")).content.decode()
    assert "12 bridges" in content and "9 bridges" in content and "confirmed" in content
    response = editor_client.get(changelist("corpus", "document"), {"q": "Bridges again"})
    assert response.context["cl"].result_list[0].size == len(data.other.text)
    response = editor_client.get(changelist("corpus", "source"), {"q": "planet"})
    assert response.context["cl"].result_list[0].document_count == 1
    assert "Lois Lane" in response.content.decode()


def test_a_long_quote_is_shortened_in_the_claim_list(editor_client):
    words = " ".join(f"word{number}" for number in range(60))
    document = make_document(f"{words}.")
    make_claim(document, quote=words)
    content = editor_client.get(changelist("claims", "claim")).content.decode()
    assert words not in content
    assert words[:79] + "…" in content


def test_markup_in_a_statement_is_shown_escaped(editor_client):
    document = make_document("The <b>mayor</b> spoke.\n\nA second paragraph.")
    claim = make_claim(
        document, quote="The <b>mayor</b> spoke.", statement='<script>alert("x")</script> & more'
    )
    make_link(claim)
    for model in ("claim", "claimlink"):
        content = editor_client.get(changelist("claims", model)).content.decode()
        assert "<script>alert(" not in content
        assert "<b>mayor</b>" not in content
        assert "The &lt;b&gt;mayor&lt;/b&gt; spoke." in content
    content = editor_client.get(changelist("claims", "claim")).content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more" in content


def make_rows(model: str, count: int) -> None:
    for number in range(count):
        if model == "document":
            make_document()
        elif model == "claim":
            make_claim(topics=["Economy", "Health"])
        elif model == "claimlink":
            make_link()
        elif model == "evidence":
            make_evidence(link=make_link()) if number % 2 else make_evidence()
        else:
            make_review(make_link(), "needs_evidence")


def queries_for(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return [query["sql"] for query in context.captured_queries]


@pytest.mark.parametrize(
    ("app", "model", "model_class"),
    [
        ("corpus", "document", Document),
        ("claims", "claim", Claim),
        ("claims", "claimlink", ClaimLink),
        ("claims", "evidence", Evidence),
        ("claims", "review", Review),
    ],
)
def test_the_changelist_query_count_does_not_grow_with_rows(editor_client, app, model, model_class):
    url = changelist(app, model)
    make_rows(model, 3)
    editor_client.get(url)  # warm the caches every request would find warm
    with_three = queries_for(editor_client, url)
    make_rows(model, 17)
    with_twenty = queries_for(editor_client, url)
    assert model_class.objects.count() >= 20
    assert len(with_twenty) == len(with_three)
    # Never the documents' text: only the database's count of its characters.
    for sql in with_twenty:
        assert '"corpus_document"."text"' not in sql.replace('LENGTH("corpus_document"."text")', "")


# --- Read-only fields and edits through the services ------------------------------------


def test_a_forged_post_changes_no_read_only_claim_field(editor_client, data):
    claim = data.claim
    before = Claim.objects.get(pk=claim.pk)
    post = form_data(editor_client.get(change(claim)))
    post |= {
        "statement": "Metropolis had a dozen bridges.",
        "document": data.other.pk,
        "start": 0,
        "end": 5,
        "quote": "forged",
        "prefix": "forged",
        "suffix": "forged",
        "public_id": "00000000-0000-0000-0000-000000000000",
        "version": 99,
        "created_by": make_user("editor").pk,
        "search_text": "forged",
    }
    response = editor_client.post(change(claim), post)
    assert response.status_code == 302
    after = Claim.objects.get(pk=claim.pk)
    for field in ("document_id", "start", "end", "quote", "prefix", "suffix", "public_id"):
        assert getattr(after, field) == getattr(before, field), field
    assert after.created_by_id == before.created_by_id
    assert after.statement == "Metropolis had a dozen bridges."
    assert after.version == before.version + 1
    assert after.search_text == search_key(after.statement, before.quote)


def test_a_forged_post_changes_no_imported_document_field(editor_client, data):
    document = data.document
    before = Document.objects.get(pk=document.pk)
    post = form_data(editor_client.get(change(document)))
    post |= {
        "title": "Bridges of Metropolis",
        "language": "fr",
        "text": "Forged text.",
        "checksum": "0" * 64,
        "source": data.other.source_id,
        "original_filename": "forged.txt",
        "original_format": "html",
        "imported_by": data.annotator.pk,
    }
    response = editor_client.post(change(document), post)
    assert response.status_code == 302
    after = Document.objects.get(pk=document.pk)
    assert (after.title, after.language) == ("Bridges of Metropolis", "fr")
    for field in ("text", "checksum", "source_id", "original_filename", "original_format"):
        assert getattr(after, field) == getattr(before, field), field
    assert after.imported_by_id is None


def test_a_link_is_edited_through_link_update_and_its_sides_stay(editor_client, data):
    link = data.link
    post = form_data(editor_client.get(change(link)))
    post |= {
        "relation": "qualifies",
        "rationale": "The later count leaves out the rail bridges.",
        "left": data.other_claim.pk,
        "right": data.claim.pk,
        "review_state": "rejected",
        "created_by": data.annotator.pk,
    }
    assert editor_client.post(change(link), post).status_code == 302
    after = ClaimLink.objects.get(pk=link.pk)
    assert (after.relation, after.rationale) == (
        "qualifies",
        "The later count leaves out the rail bridges.",
    )
    assert (after.left_id, after.right_id) == (link.left_id, link.right_id)
    assert after.review_state == "confirmed"
    assert after.version == link.version + 1
    assert list(Review.objects.values_list("verdict", "is_current")) == [("confirmed", True)]


def test_only_the_bearing_of_evidence_can_be_changed(editor_client, data):
    evidence = data.claim_evidence
    post = form_data(editor_client.get(change(evidence)))
    post |= {"bearing": "refutes", "kind": "url", "citation": "Forged.", "url": "https://x.test"}
    assert editor_client.post(change(evidence), post).status_code == 302
    after = Evidence.objects.get(pk=evidence.pk)
    assert after.bearing == "refutes"
    assert (after.kind, after.citation, after.url) == ("citation", evidence.citation, "")
    assert after.version == evidence.version + 1


def test_reviews_cannot_be_changed(editor_client, data):
    response = editor_client.post(change(data.review), {"verdict": "rejected", "note": "Forged."})
    assert response.status_code == 403
    assert Review.objects.get(pk=data.review.pk).verdict == "confirmed"


def test_editing_a_statement_and_topics_bumps_the_version(editor_client, data):
    claim = data.claim
    economy = Topic.objects.create(name="Economy")
    evidence_before = Evidence.objects.get(pk=data.claim_evidence.pk)
    post = form_data(editor_client.get(change(claim)))
    assert post["loaded_version"] == 1
    post |= {"statement": "Twelve BRIDGES stood in Metropolis.", "topics": [economy.pk]}
    response = editor_client.post(change(claim), post, follow=True)
    assert "was changed successfully" in " ".join(messages_of(response))
    claim.refresh_from_db()
    assert claim.version == 2
    assert claim.search_text == "twelve bridges stood in metropolis.\n12 bridges"
    assert [topic.name for topic in claim.topics.all()] == ["Economy"]
    evidence_after = Evidence.objects.get(pk=data.claim_evidence.pk)  # the inline wrote nothing
    assert (evidence_after.version, evidence_after.updated_at) == (
        evidence_before.version,
        evidence_before.updated_at,
    )


def test_a_stale_edit_is_refused_and_overwrites_nothing(editor_client, data):
    claim = data.claim
    post = form_data(editor_client.get(change(claim)))
    claim_update(
        claim=Claim.objects.get(pk=claim.pk),
        statement="Changed meanwhile by its annotator.",
        topics=["Infrastructure"],
        version=1,
        user=data.annotator,
    )
    post["statement"] = "The editor's late change."
    response = editor_client.post(change(claim), post)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Someone else changed this claim after you opened it" in content
    assert "The editor&#x27;s late change." in content  # the form keeps what was typed
    claim.refresh_from_db()
    assert (claim.statement, claim.version) == ("Changed meanwhile by its annotator.", 2)
    assert not LogEntry.objects.filter(object_id=str(claim.pk)).exists()


def test_a_refusal_about_one_field_is_shown_at_that_field(editor_client, data):
    claim = data.claim
    topics = [Topic.objects.create(name=f"Topic {number}").pk for number in range(11)]
    post = form_data(editor_client.get(change(claim))) | {"topics": topics}
    response = editor_client.post(change(claim), post)
    assert response.status_code == 200
    assert "A claim can have at most 10 topics." in str(response.context["adminform"].form.errors)
    claim.refresh_from_db()
    assert claim.version == 1
    assert list(claim.topics.values_list("name", flat=True)) == ["Infrastructure"]


# --- Inlines ---------------------------------------------------------------------------


def test_evidence_and_reviews_are_shown_read_only_with_links(editor_client, data):
    content = editor_client.get(change(data.claim)).content.decode()
    assert change(data.claim_evidence) in content
    assert change(data.link) in content  # the claim's links
    content = editor_client.get(change(data.link)).content.decode()
    assert change(data.link_evidence) in content
    assert data.review.reviewer.username in content
    assert 'name="evidence-0-bearing"' not in content
    assert 'name="reviews-0-verdict"' not in content


# --- Deleting --------------------------------------------------------------------------


def test_a_source_with_documents_is_protected(editor_client, data):
    response = editor_client.get(delete(data.source))
    assert response.status_code == 200
    assert PROTECTED in response.content.decode()
    assert "Bridges" in response.content.decode()
    response = editor_client.post(delete(data.source), {"post": "yes"})
    assert response.status_code == 200
    assert PROTECTED in response.content.decode()
    assert Source.objects.filter(pk=data.source.pk).exists()
    response = editor_client.post(
        changelist("corpus", "source"),
        {"action": "delete_selected", "_selected_action": [data.source.pk], "post": "yes"},
    )
    assert response.status_code == 200
    assert PROTECTED in response.content.decode()
    assert Source.objects.filter(pk=data.source.pk).exists()


def test_a_document_with_claims_is_protected(editor_client, data):
    response = editor_client.post(delete(data.document), {"post": "yes"})
    assert response.status_code == 200
    assert PROTECTED in response.content.decode()
    assert Document.objects.filter(pk=data.document.pk).exists()


def test_an_unused_source_and_document_can_be_deleted(editor_client):
    document = make_document()
    assert editor_client.post(delete(document), {"post": "yes"}).status_code == 302
    assert editor_client.post(delete(document.source), {"post": "yes"}).status_code == 302
    assert not Source.objects.filter(pk=document.source_id).exists()
    document = make_document()
    for app, model, pk in (
        ("corpus", "document", document.pk),
        ("corpus", "source", document.source_id),
    ):
        response = editor_client.post(
            changelist(app, model),
            {"action": "delete_selected", "_selected_action": [pk], "post": "yes"},
        )
        assert response.status_code == 302
    assert not Document.objects.exists() and not Source.objects.exists()


@pytest.fixture
def delete_calls(monkeypatch):
    """Records the keyword arguments of each claim_delete and link_delete call."""
    calls = []

    def spy(name, real):
        def recording(**kwargs):
            calls.append((name, kwargs))
            return real(**kwargs)

        monkeypatch.setattr(claims_admin, name, recording)

    spy("claim_delete", claims_admin.claim_delete)
    spy("link_delete", claims_admin.link_delete)
    return calls


def test_deleting_a_claim_lists_and_takes_its_links_and_evidence(editor_client, data, delete_calls):
    response = editor_client.get(delete(data.claim))
    assert response.status_code == 200
    content = response.content.decode()
    assert change(data.link) in content
    assert change(data.claim_evidence) in content and change(data.link_evidence) in content
    assert "permission to delete the following types" not in content

    response = editor_client.post(delete(data.claim), {"post": "yes"})
    assert response.status_code == 302
    [(name, call)] = delete_calls
    assert name == "claim_delete"
    assert (call["claim"].pk, call["version"], call["confirm"]) == (data.claim.pk, 1, True)
    assert not Claim.objects.filter(pk=data.claim.pk).exists()
    assert not ClaimLink.objects.exists()
    assert not Evidence.objects.exists()
    assert not Review.objects.exists()
    assert Claim.objects.filter(pk=data.other_claim.pk).exists()


def test_deleting_a_link_takes_its_evidence_and_reviews(editor_client, data, delete_calls):
    content = editor_client.get(delete(data.link)).content.decode()
    assert "permission to delete the following types" not in content
    assert editor_client.post(delete(data.link), {"post": "yes"}).status_code == 302
    assert [(name, kwargs["confirm"]) for name, kwargs in delete_calls] == [("link_delete", True)]
    assert not ClaimLink.objects.exists()
    assert not Review.objects.exists()
    assert list(Evidence.objects.all()) == [data.claim_evidence]
    assert Claim.objects.count() == 2


def test_claims_can_be_deleted_in_bulk_through_the_service(editor_client, data, delete_calls):
    response = editor_client.post(
        changelist("claims", "claim"),
        {
            "action": "delete_selected",
            "_selected_action": [data.claim.pk, data.other_claim.pk],
            "post": "yes",
        },
    )
    assert response.status_code == 302
    assert [name for name, _ in delete_calls] == ["claim_delete", "claim_delete"]
    assert not Claim.objects.exists() and not ClaimLink.objects.exists()


def test_evidence_is_deleted_through_the_service(editor_client, data):
    assert editor_client.post(delete(data.claim_evidence), {"post": "yes"}).status_code == 302
    assert list(Evidence.objects.all()) == [data.link_evidence]


def test_a_delete_the_service_refuses_is_a_message_not_an_error(editor_client, data, monkeypatch):
    def stale(**kwargs):
        raise claims_admin.ClaimError("Someone else changed this claim after you opened it.")

    monkeypatch.setattr(claims_admin, "claim_delete", stale)
    response = editor_client.post(delete(data.claim), {"post": "yes"}, follow=True)
    assert response.status_code == 200
    assert "Someone else changed this claim" in " ".join(messages_of(response))
    assert Claim.objects.filter(pk=data.claim.pk).exists()
    assert not LogEntry.objects.exists()


# --- Actions ---------------------------------------------------------------------------


def test_recompute_review_state(editor_client, data):
    unreviewed = make_link()
    ClaimLink.objects.update(review_state="disputed")
    response = editor_client.post(
        changelist("claims", "claimlink"),
        {"action": "recompute_review_state", "_selected_action": [data.link.pk, unreviewed.pk]},
        follow=True,
    )
    assert "Recomputed the review state of 2 links; 2 changed." in messages_of(response)
    assert ClaimLink.objects.get(pk=data.link.pk).review_state == "confirmed"
    assert ClaimLink.objects.get(pk=unreviewed.pk).review_state == "pending"


def test_remove_all_topics(editor_client, data):
    tagged = make_claim(topics=["Economy", "Health"])
    response = editor_client.post(
        changelist("claims", "claim"),
        {
            "action": "remove_all_topics",
            "_selected_action": [data.claim.pk, data.other_claim.pk, tagged.pk],
        },
        follow=True,
    )
    assert "Removed the topics of 2 claims." in messages_of(response)
    assert not Claim.topics.through.objects.exists()
    versions = dict(Claim.objects.values_list("pk", "version"))
    assert versions == {data.claim.pk: 2, data.other_claim.pk: 1, tagged.pk: 2}
    assert Topic.objects.count() == 3  # the topics stay, for other claims


def test_add_a_topic_to_the_selected_claims(editor_client, data):
    tagged = make_claim(topics=["kirov"])
    response = editor_client.post(
        changelist("claims", "claim"),
        {
            "action": "add_topic",
            "topic": "  Kirov  ",
            "_selected_action": [data.claim.pk, tagged.pk],
        },
        follow=True,
    )
    assert "Added “Kirov” to 1 claim." in messages_of(response)  # "kirov" already had it
    names = [t.name for t in Claim.objects.get(pk=data.claim.pk).topics.all()]
    assert "kirov" in names  # the existing topic, matched ignoring case
    assert Claim.objects.get(pk=data.claim.pk).version == 2
    assert Claim.objects.get(pk=tagged.pk).version == 1

    response = editor_client.post(
        changelist("claims", "claim"),
        {"action": "add_topic", "topic": " ", "_selected_action": [data.claim.pk]},
        follow=True,
    )
    assert "Type the topic to add" in " ".join(messages_of(response))


def test_a_refusal_during_an_action_undoes_the_whole_action(editor_client, data, monkeypatch):
    tagged = make_claim(topics=["Economy"])
    real_update = claims_admin.claim_update

    def refuse_the_second(**kwargs):
        if kwargs["claim"].pk == data.claim.pk:
            raise claims_admin.ClaimError("Someone else changed this claim after you opened it.")
        return real_update(**kwargs)

    monkeypatch.setattr(claims_admin, "claim_update", refuse_the_second)
    response = editor_client.post(
        changelist("claims", "claim"),
        {"action": "remove_all_topics", "_selected_action": [data.claim.pk, tagged.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "Someone else changed this claim" in " ".join(messages_of(response))
    assert Claim.topics.through.objects.count() == 2
    assert set(Claim.objects.values_list("version", flat=True)) == {1}


def test_markup_from_claims_and_evidence_is_escaped_on_change_pages(editor_client):
    document = make_document("Before <img src=x onerror=alert(1)> after.")
    claim = make_claim(
        document, quote="<img src=x onerror=alert(1)>", statement="<img src=y onerror=alert(2)>"
    )
    link = make_link(claim)
    evidence = make_evidence(link=link, kind="quote", quote="<img src=z onerror=alert(3)>")
    make_review(link, "needs_evidence", note="<img src=w onerror=alert(4)>")
    pages = [change(claim), change(link), change(evidence), change(document)]
    pages += [changelist("claims", model) for model in ("claim", "claimlink", "evidence", "review")]
    for url in pages:
        content = editor_client.get(url).content.decode()
        for letter in "xyzw":
            assert f"<img src={letter} " not in content, (url, letter)
    assert "&lt;img src=y onerror=alert(2)&gt;" in editor_client.get(change(link)).content.decode()


@pytest.mark.parametrize(
    ("changelist", "dataset", "build"),
    [
        ("admin:claims_claim_changelist", "claims", lambda: make_claim()),
        ("admin:claims_claimlink_changelist", "pairs", lambda: make_link()),
        ("admin:claims_evidence_changelist", "evidence", lambda: make_evidence()),
    ],
)
def test_the_admin_exports_the_selected_with_the_export_pages_columns(
    editor_client, changelist, dataset, build
):
    chosen, _other = build(), build()
    response = editor_client.post(
        reverse(changelist), {"action": "export_selected_csv", "_selected_action": [chosen.pk]}
    )
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    model = type(chosen)
    expected = "".join(csv_chunks(DATASETS[dataset], model.objects.filter(pk=chosen.pk)))
    assert body == expected
    assert body.count("\r\n") == 2  # the header and the one selected row
