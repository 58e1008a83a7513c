"""``manage.py backup`` and ``manage.py restore``: a round trip brings back every row as
it was, on the database the suite runs on (SQLite, or PostgreSQL when DATABASE_URL is
set); a file of the wrong kind is refused before anything changes; restoring asks first.

The tests are transactional: what they write is committed, so pg_dump sees it."""

import sqlite3
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from claims.models import Claim, ClaimLink, Evidence, Review, Topic
from claims.services import claim_delete, claim_update, evidence_update, link_delete
from corpus.models import Document, Source
from crosscheck.management import backups
from crosscheck.management.backups import (
    ERROR_DAMAGED,
    ERROR_EMPTY,
    ERROR_EXISTS,
    ERROR_NO_FILE,
    ERROR_NOT_CROSSCHECK,
    ERROR_PLAIN_SQL,
    ERROR_UNKNOWN_KIND,
    ERROR_WRONG_KIND,
)
from crosscheck.management.commands.restore import ERROR_DECLINED, ERROR_NOT_CONFIRMED
from tests.factories import (
    make_claim,
    make_document,
    make_evidence,
    make_link,
    make_review,
    make_source,
    make_user,
)

pytestmark = pytest.mark.django_db(transaction=True)

ON_POSTGRESQL = connection.vendor == "postgresql"
ENGINE = "PostgreSQL" if ON_POSTGRESQL else "SQLite"
OTHER = "SQLite" if ON_POSTGRESQL else "PostgreSQL"
MODELS = [
    User, Group, User.groups.through, Source, Document, Topic, Claim, Claim.topics.through,
    ClaimLink, Evidence, Review, Source.history.model, Document.history.model,
    Claim.history.model, ClaimLink.history.model, Evidence.history.model, Review.history.model,
]  # fmt: skip


def snapshot() -> dict[str, list[dict]]:
    """Every row of every model the app keeps, field by field."""
    return {model._meta.label: list(model.objects.order_by("pk").values()) for model in MODELS}


def fill() -> dict:
    annotator = make_user("annotator", username="ann")
    source = make_source(name="Daily Planet", date="1938-05")
    document = make_document("Metropolis had 12 bridges in 1938. Ünïcödé ✓", source=source)
    other = make_document("Metropolis had 9 bridges.")
    claim = make_claim(document, quote="12 bridges", topics=["Bridges"], user=annotator)
    other_claim = make_claim(other, quote="9 bridges", user=annotator)
    link = make_link(claim, other_claim, user=annotator)
    make_evidence(claim, user=annotator)
    evidence = make_evidence(link=link, kind="url", user=annotator)
    make_evidence(claim, kind="passage", document=other, start=15, end=24, quote="9 bridges")
    make_review(link, "needs_evidence")
    return {"annotator": annotator, "claim": claim, "link": link, "evidence": evidence}


def change_everything(data: dict) -> None:
    editor = make_user("editor")
    claim = Claim.objects.get(pk=data["claim"].pk)
    claim_update(claim=claim, statement="Changed", topics=[], version=claim.version, user=editor)
    evidence = Evidence.objects.get(pk=data["evidence"].pk)
    evidence_update(evidence=evidence, bearing="refutes", version=evidence.version, user=editor)
    link = ClaimLink.objects.get(pk=data["link"].pk)
    link_delete(link=link, version=link.version, user=editor, confirm=True)
    claim = Claim.objects.get(pk=data["claim"].pk)
    claim_delete(claim=claim, version=claim.version, user=editor, confirm=True)
    make_claim()
    Source.objects.create(name="Added later", slug="added-later")


def test_a_round_trip_brings_back_every_row_field_by_field(tmp_path, capsys):
    data = fill()
    before = snapshot()
    backup_file = tmp_path / "crosscheck.backup"
    call_command("backup", str(backup_file))
    assert f"Backed up the {ENGINE} database" in capsys.readouterr().out

    change_everything(data)
    assert snapshot() != before

    call_command("restore", str(backup_file), "--yes")
    assert f"Restored the {ENGINE} database" in capsys.readouterr().out
    after = snapshot()
    for label, rows in before.items():
        assert after[label] == rows, label

    # The restored database takes new work (its id sequences came back too).
    claim = make_claim(Document.objects.first(), user=User.objects.get(username="ann"))
    assert claim.pk > max(row["id"] for row in before["claims.Claim"])


def test_backup_does_not_replace_a_file_unless_told(tmp_path):
    target = tmp_path / "taken.backup"
    target.write_bytes(b"an earlier backup")
    with pytest.raises(CommandError) as caught:
        call_command("backup", str(target))
    assert str(caught.value) == ERROR_EXISTS.format(path=target)
    assert target.read_bytes() == b"an earlier backup"

    call_command("backup", str(target), "--overwrite")
    assert target.read_bytes() != b"an earlier backup"
    assert not list(tmp_path.glob("*.partial"))


def fake_other_kind(path: Path) -> None:
    """A file of the other database's kind than the one under test."""
    if ON_POSTGRESQL:
        database = sqlite3.connect(path)
        database.execute("CREATE TABLE corpus_source (id integer)")
        database.close()
    else:
        path.write_bytes(b"PGDMP\x01\x0e\x00" + bytes(200))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, ERROR_NO_FILE),
        (b"", ERROR_EMPTY),
        (b"claim_id,source\r\n1,2\r\n", ERROR_UNKNOWN_KIND),
        (b"--\n-- PostgreSQL database dump\n--\n", ERROR_PLAIN_SQL),
    ],
)
def test_restore_refuses_what_is_not_a_backup(tmp_path, content, message):
    make_source(name="Stays")
    path = tmp_path / "not-a-backup"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(CommandError) as caught:
        call_command("restore", str(path), "--yes")
    assert str(caught.value) == message.format(path=path)
    assert Source.objects.filter(name="Stays").exists()


def test_restore_refuses_a_backup_of_the_other_database(tmp_path):
    make_source(name="Stays")
    path = tmp_path / "other.backup"
    fake_other_kind(path)
    with pytest.raises(CommandError) as caught:
        call_command("restore", str(path), "--yes")
    assert str(caught.value) == ERROR_WRONG_KIND.format(path=path, kind=OTHER, engine=ENGINE)
    assert Source.objects.filter(name="Stays").exists()


@pytest.mark.skipif(ON_POSTGRESQL, reason="a SQLite file")
def test_restore_refuses_a_sqlite_database_that_is_not_crosschecks(tmp_path):
    path = tmp_path / "other-app.sqlite3"
    database = sqlite3.connect(path)
    database.execute("CREATE TABLE django_migrations (id integer)")
    database.close()
    with pytest.raises(CommandError) as caught:
        call_command("restore", str(path), "--yes")
    assert str(caught.value) == ERROR_NOT_CROSSCHECK.format(
        path=path, kind="SQLite", table="corpus_source"
    )


@pytest.mark.skipif(ON_POSTGRESQL, reason="a SQLite file")
def test_restore_refuses_a_damaged_sqlite_file(tmp_path):
    path = tmp_path / "damaged.backup"
    call_command("backup", str(path))
    path.write_bytes(path.read_bytes()[:100] + bytes(4000))
    with pytest.raises(CommandError) as caught:
        call_command("restore", str(path), "--yes")
    assert str(caught.value).startswith(str(path) + " looks like a SQLite backup but cannot")


@pytest.mark.skipif(not ON_POSTGRESQL, reason="pg_restore reads the archive")
def test_restore_refuses_a_damaged_dump(tmp_path):
    make_source(name="Stays")
    path = tmp_path / "damaged.backup"
    path.write_bytes(b"PGDMP" + bytes(100))
    with pytest.raises(CommandError) as caught:
        call_command("restore", str(path), "--yes")
    prefix = ERROR_DAMAGED.format(path=path, kind="PostgreSQL", detail="@").split("@")[0]
    assert str(caught.value).startswith(prefix)
    assert Source.objects.filter(name="Stays").exists()


def test_restore_asks_before_replacing_anything(tmp_path, monkeypatch, capsys):
    make_source(name="Before")
    path = tmp_path / "crosscheck.backup"
    call_command("backup", str(path))
    make_source(name="After")

    with pytest.raises(CommandError) as caught:
        call_command("restore", str(path), "--no-input")
    assert "Add --yes to confirm" in str(caught.value)
    assert str(caught.value) == ERROR_NOT_CONFIRMED.format(database=backups.describe())

    questions = []
    monkeypatch.setattr("builtins.input", lambda question: questions.append(question) or "no")
    with pytest.raises(CommandError) as caught:
        call_command("restore", str(path))
    assert str(caught.value) == ERROR_DECLINED
    assert "what was added or changed since that backup is lost" in questions[0]
    assert Source.objects.filter(name="After").exists()

    monkeypatch.setattr("builtins.input", lambda question: "yes")
    call_command("restore", str(path))
    assert list(Source.objects.values_list("name", flat=True)) == ["Before"]


def test_the_postgresql_password_is_passed_in_the_environment_only(monkeypatch, tmp_path):
    settings = {
        "ENGINE": "django.db.backends.postgresql", "NAME": "crosscheck", "USER": "app",
        "PASSWORD": "s3cret-pass", "HOST": "db.example", "PORT": 5433,
        "OPTIONS": {"sslmode": "require"},
    }  # fmt: skip
    monkeypatch.setattr(backups, "_pg_settings", lambda alias: settings)
    monkeypatch.setattr(backups.shutil, "which", lambda tool: f"/usr/bin/{tool}")
    calls = []

    class Done:
        returncode, stdout, stderr = 0, "", ""

    monkeypatch.setattr(
        backups.subprocess, "run", lambda args, **kwargs: calls.append((args, kwargs)) or Done()
    )
    backups._pg_dump(tmp_path / "out", "default")
    args, kwargs = calls[0]
    assert args[0] == "/usr/bin/pg_dump" and "--format=custom" in args
    assert not any("s3cret-pass" in arg for arg in args)
    env = kwargs["env"]
    assert env["PGPASSWORD"] == "s3cret-pass"
    assert (env["PGHOST"], env["PGPORT"], env["PGUSER"]) == ("db.example", "5433", "app")
    assert (env["PGDATABASE"], env["PGSSLMODE"]) == ("crosscheck", "require")
    assert "shell" not in kwargs


def test_a_missing_or_failing_tool_is_a_clear_refusal(monkeypatch, tmp_path):
    monkeypatch.setattr(backups.shutil, "which", lambda tool: None)
    with pytest.raises(backups.BackupError) as caught:
        backups._run("pg_dump", [], "default")
    assert str(caught.value) == backups.ERROR_TOOL_MISSING.format(tool="pg_dump")
