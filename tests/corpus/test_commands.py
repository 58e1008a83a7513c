"""Management commands: seeds, document import and demo accounts."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from corpus.models import Document, Source
from tests.factories import PASSWORD, make_source

pytestmark = pytest.mark.django_db


def test_load_seeds_loads_the_five_seed_texts_once(capsys):
    call_command("load_seeds")
    assert Document.objects.count() == 5
    assert Source.objects.count() == 5
    blog = Document.objects.get(source__slug="myth-busting-blog")
    assert len(blog.text) > 380_000
    assert blog.source.kind == "blog"
    trotsky = Source.objects.get(slug="trotsky-kirov-1934")
    assert (trotsky.author, trotsky.date, trotsky.kind) == ("Leon Trotsky", "1934-12", "primary")

    call_command("load_seeds")
    assert Document.objects.count() == 5
    assert "already loaded: Category Archives: Myth-Busting" in capsys.readouterr().out


def test_import_documents_imports_files_and_reports_refusals(tmp_path, capsys):
    source = make_source(slug="pravda")
    good = tmp_path / "good.txt"
    good.write_text("Kirov was shot.", encoding="utf-8")
    page = tmp_path / "page.html"
    page.write_text("<title>Page</title><p>Zinoviev was tried.</p>", encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_bytes("Fran\xe7ais".encode("latin-1"))

    with pytest.raises(CommandError, match="1 of 3 files were refused"):
        call_command("import_documents", str(good), str(page), str(bad), "--source", "pravda")

    assert sorted(Document.objects.values_list("title", flat=True)) == ["Kirov was shot.", "Page"]
    assert all(document.source == source for document in Document.objects.all())
    assert "expects UTF-8" in capsys.readouterr().err


def test_import_documents_needs_an_existing_source(tmp_path):
    with pytest.raises(CommandError, match="No source has the slug “nowhere”"):
        call_command("import_documents", str(tmp_path / "x.txt"), "--source", "nowhere")


def test_import_documents_refuses_a_huge_file_before_reading_it(tmp_path, settings, capsys):
    settings.CROSSCHECK_MAX_UPLOAD_BYTES = 5
    make_source(slug="pravda")
    big = tmp_path / "big.txt"
    big.write_text("123456", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_documents", str(big), "--source", "pravda")
    assert "largest file Crosscheck accepts" in capsys.readouterr().err
    assert Document.objects.count() == 0


def test_demo_accounts_get_their_role_and_the_demo_password(monkeypatch, capsys):
    monkeypatch.setenv("DEMO_PASSWORD", PASSWORD)
    call_command("create_demo_accounts")
    call_command("create_demo_accounts")  # twice is harmless
    users = get_user_model().objects.order_by("username")
    assert [user.username for user in users] == ["annotator", "editor", "reviewer"]
    for user in users:
        assert list(user.groups.values_list("name", flat=True)) == [user.username]
        assert user.check_password(PASSWORD)
        assert user.is_staff == (user.username == "editor")
    assert f"annotator  / {PASSWORD}" in capsys.readouterr().out


def test_demo_accounts_get_a_random_printed_password_without_demo_password(monkeypatch, capsys):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    call_command("create_demo_accounts")
    printed = capsys.readouterr().out.split("editor     / ")[1].split()[0]
    assert len(printed) >= 12
    assert get_user_model().objects.get(username="editor").check_password(printed)
