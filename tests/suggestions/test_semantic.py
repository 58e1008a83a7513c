"""The semantic re-ranker's parts that need no model: off by default and without torch, the
weights' check, the re-ranking arithmetic on stored vectors, the embedding job and command
(with a stand-in for the model). The real model: test_semantic_model.py (CI's semantic step)."""

import hashlib
import io
import math
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from jobs.models import Job, JobState
from jobs.services import job_start
from suggestions import embeddings, semantic
from suggestions.models import IndexedDocument, Passage, PassageEmbedding
from suggestions.tasks import index_documents
from tests.factories import make_document, make_user

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
FAKE_WEIGHTS = b"not the all-MiniLM-L6-v2 weights"
FAKE_SHA256 = hashlib.sha256(FAKE_WEIGHTS).hexdigest()


@pytest.fixture(autouse=True)
def no_loaded_model():
    semantic._loaded.clear()
    yield
    semantic._loaded.clear()


@pytest.fixture
def model_dir(tmp_path):
    """A model directory whose weights are not the pinned ones."""
    path = tmp_path / "model"
    path.mkdir()
    (path / "model.safetensors").write_bytes(FAKE_WEIGHTS)
    (path / "config.json").write_text("{}")
    return path


class FakeModel:
    """Stands in for the sentence-transformer: a text's vector counts its words "kirov",
    "shot" and anything else, normalised."""

    def __init__(self):
        self.batches: list[int] = []

    def encode(self, texts, *, batch_size, normalize_embeddings, convert_to_numpy, **_):
        import numpy as np

        assert normalize_embeddings and convert_to_numpy
        self.batches.append(len(texts))
        rows = []
        for text in texts:
            words = text.lower().split()
            kirov, shot = words.count("kirov"), words.count("shot")
            rows.append([kirov, shot, len(words) - kirov - shot] + [0] * (semantic.DIMENSIONS - 3))
        vectors = np.array(rows, dtype=np.float64)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


@pytest.fixture
def fake_model(settings, model_dir, monkeypatch):
    """The semantic model switched on, "installed", with model_dir's weights pinned."""
    settings.CROSSCHECK_SEMANTIC_MODEL = str(model_dir)
    model = FakeModel()
    monkeypatch.setattr(semantic, "MODEL_SHA256", FAKE_SHA256)
    monkeypatch.setattr(semantic, "installed", lambda: True)
    monkeypatch.setattr(semantic, "_load_sentence_transformer", lambda path: model)
    return model


# --- off by default, no torch -----------------------------------------------------------


def test_it_is_off_by_default_and_imports_no_torch():
    script = (
        "import sys, django; django.setup()\n"
        "from django.conf import settings\n"
        "from suggestions import embeddings, semantic, services\n"
        "print(repr(settings.CROSSCHECK_SEMANTIC_MODEL), semantic.enabled(),"
        " semantic.available(), semantic.rerank([1], [(2, 1.0)]),"
        " 'torch' in sys.modules, 'sentence_transformers' in sys.modules)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "CROSSCHECK_SEMANTIC_MODEL"}
    env["DJANGO_SETTINGS_MODULE"] = "crosscheck.settings_test"
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.split() == ["''", "False", "False", "None", "False", "False"]


def test_an_empty_setting_is_off(settings):
    settings.CROSSCHECK_SEMANTIC_MODEL = ""
    assert not semantic.enabled()
    assert not semantic.available()
    with pytest.raises(semantic.SemanticModelError) as refused:
        semantic.load_model()
    assert refused.value.message == semantic.ERROR_NOT_CONFIGURED


def test_it_is_unavailable_without_the_packages(settings, monkeypatch):
    settings.CROSSCHECK_SEMANTIC_MODEL = "/somewhere"
    monkeypatch.setattr(semantic.importlib.util, "find_spec", lambda name: None)
    assert semantic.enabled()
    assert not semantic.installed()
    assert not semantic.available()


# --- the weights' check -----------------------------------------------------------------


def test_it_refuses_weights_with_another_digest(model_dir):
    with pytest.raises(semantic.SemanticModelError) as refused:
        semantic.verify_model_directory(model_dir)
    assert refused.value.message == semantic.ERROR_WRONG_WEIGHTS.format(
        path=model_dir, found=FAKE_SHA256, expected=semantic.MODEL_SHA256
    )


def test_it_accepts_weights_with_the_pinned_digest(model_dir, monkeypatch):
    monkeypatch.setattr(semantic, "MODEL_SHA256", FAKE_SHA256)
    assert semantic.verify_model_directory(model_dir) == model_dir


def test_it_refuses_a_missing_directory_or_missing_weights(tmp_path):
    with pytest.raises(semantic.SemanticModelError) as refused:
        semantic.verify_model_directory(tmp_path / "nowhere")
    assert refused.value.message == semantic.ERROR_NO_DIRECTORY.format(path=tmp_path / "nowhere")
    with pytest.raises(semantic.SemanticModelError) as refused:
        semantic.verify_model_directory(tmp_path)
    assert refused.value.message == semantic.ERROR_NO_WEIGHTS.format(path=tmp_path)


def test_it_refuses_pickled_weights_beside_the_right_ones(model_dir, monkeypatch):
    monkeypatch.setattr(semantic, "MODEL_SHA256", FAKE_SHA256)
    (model_dir / "1_Pooling").mkdir()
    (model_dir / "1_Pooling" / "pytorch_model.bin").write_bytes(b"pickle")
    with pytest.raises(semantic.SemanticModelError) as refused:
        semantic.verify_model_directory(model_dir)
    assert refused.value.message == semantic.ERROR_PICKLED_WEIGHTS.format(
        path=model_dir, names="pytorch_model.bin"
    )


def test_loading_refuses_tampered_weights_before_importing_anything(
    settings, model_dir, monkeypatch
):
    settings.CROSSCHECK_SEMANTIC_MODEL = str(model_dir)
    monkeypatch.setattr(semantic, "installed", lambda: True)
    loads = []
    monkeypatch.setattr(semantic, "_load_sentence_transformer", loads.append)
    with pytest.raises(semantic.SemanticModelError) as refused:
        semantic.load_model()
    assert refused.value.message.startswith("Refusing to load the semantic model")
    assert loads == []


def test_loading_without_the_packages_says_how_to_install_them(settings, model_dir, monkeypatch):
    settings.CROSSCHECK_SEMANTIC_MODEL = str(model_dir)
    monkeypatch.setattr(semantic, "installed", lambda: False)
    with pytest.raises(semantic.SemanticModelError) as refused:
        semantic.load_model()
    assert refused.value.message == semantic.ERROR_NOT_INSTALLED


def test_the_model_is_loaded_once_per_process(fake_model):
    assert semantic.load_model() is semantic.load_model() is fake_model


# --- the arithmetic ---------------------------------------------------------------------


def test_a_vector_survives_storage_as_float32():
    data = semantic.to_bytes([0.5, -0.25, 1.0])
    assert len(data) == 12
    assert list(semantic.from_bytes(data)) == [0.5, -0.25, 1.0]


@pytest.mark.parametrize(
    ("vectors", "expected"),
    [
        ([], None),
        ([[1.0, 0.0]], [1.0, 0.0]),
        ([[1.0, 0.0], [0.0, 1.0]], [math.sqrt(0.5), math.sqrt(0.5)]),
        ([[1.0, 0.0], [-1.0, 0.0]], None),  # they cancel out: no direction
    ],
)
def test_the_query_direction_is_the_normalised_mean(vectors, expected):
    found = semantic.mean_direction(vectors)
    if expected is None:
        assert found is None
    else:
        assert found == pytest.approx(expected)


VECTORS = {1: [1.0, 0.0], 2: [0.0, 1.0], 3: [math.sqrt(0.5), math.sqrt(0.5)]}


@pytest.mark.parametrize(
    ("weight", "candidates", "expected"),
    [
        # Lexical order only.
        (0.0, [(1, 0.2), (2, 0.9), (3, 0.5)], [(2, 1.0), (3, 3 / 7), (1, 0.0)]),
        # Cosine to (1, 0) only: 1.0, 0.0, 0.707 scaled to 1, 0, 0.707.
        (1.0, [(1, 0.2), (2, 0.9), (3, 0.5)], [(1, 1.0), (3, math.sqrt(0.5)), (2, 0.0)]),
        # Half each: 1 → 0.5, 2 → 0.5, 3 → (0.707 + 0.429) / 2; a tie keeps the given order.
        (
            0.5,
            [(2, 0.9), (1, 0.2), (3, 0.5)],
            [(3, (math.sqrt(0.5) + 3 / 7) / 2), (2, 0.5), (1, 0.5)],
        ),
        # Without a vector: the lowest cosine of the others (here 0.0 of passage 2).
        (1.0, [(4, 0.9), (2, 0.1), (1, 0.5)], [(1, 1.0), (4, 0.0), (2, 0.0)]),
        # All lexical scores equal: they count the same for each.
        (0.5, [(2, 0.3), (1, 0.3)], [(1, 1.0), (2, 0.5)]),
        (0.5, [], []),
    ],
)
def test_fusing_weighs_the_scaled_cosine_against_the_scaled_lexical_score(
    weight, candidates, expected
):
    fused = semantic.fuse([1.0, 0.0], candidates, VECTORS, weight=weight)
    assert [pid for pid, _ in fused] == [pid for pid, _ in expected]
    assert [score for _, score in fused] == pytest.approx([score for _, score in expected])


# --- re-ranking on stored vectors -------------------------------------------------------


def _passage(document, start, end, vector=None, model=semantic.MODEL_ID):
    passage = Passage.objects.create(document=document, start=start, end=end, length=3)
    if vector is not None:
        PassageEmbedding.objects.create(
            passage=passage, model=model, vector=semantic.to_bytes(vector)
        )
    return passage


@pytest.fixture
def stored(db):
    """A query document with two embedded passages and another with three candidates."""
    here = make_document("Kirov was shot. Thirteen were tried. " * 4, title="Here")
    there = make_document("Nikolaev shot Kirov. Fourteen stood trial. " * 4, title="There")
    q1 = _passage(here, 0, 20, [1.0, 0.0, 0.0])
    q2 = _passage(here, 20, 40, [0.0, 1.0, 0.0])
    near = _passage(there, 0, 20, [math.sqrt(0.5), math.sqrt(0.5), 0.0])
    far = _passage(there, 20, 40, [0.0, 0.0, 1.0])
    unknown = _passage(there, 40, 60)
    return {"query": [q1.pk, q2.pk], "near": near.pk, "far": far.pk, "unknown": unknown.pk}


def test_rerank_is_none_when_off(settings, stored):
    settings.CROSSCHECK_SEMANTIC_MODEL = ""
    assert semantic.rerank(stored["query"], [(stored["far"], 1.0)]) is None


def test_rerank_orders_by_the_query_passages_mean_vector(
    settings, stored, django_assert_num_queries, monkeypatch
):
    settings.CROSSCHECK_SEMANTIC_MODEL = "/anywhere"  # the stored vectors need no model
    monkeypatch.setattr(semantic, "SEMANTIC_WEIGHT", 0.5)
    candidates = [(stored["far"], 1.0), (stored["unknown"], 0.8), (stored["near"], 0.6)]
    with django_assert_num_queries(2):
        reranked = semantic.rerank(stored["query"], candidates)
    # near: cosine 1.0 (scaled 1), lexical 0 → 0.5; far: cosine 0 → 0, lexical 1 → 0.5;
    # unknown: the lowest cosine (0), lexical 0.5 → 0.25. A tie keeps the lexical order.
    assert reranked == [
        (stored["far"], pytest.approx(0.5)),
        (stored["near"], pytest.approx(0.5)),
        (stored["unknown"], pytest.approx(0.25)),
    ]
    # With the first query passage alone and the cosine weighing 0.8: near 0.8, far 0.2,
    # unknown 0.1.
    monkeypatch.setattr(semantic, "SEMANTIC_WEIGHT", 0.8)
    assert semantic.rerank(stored["query"][:1], candidates) == [
        (stored["near"], pytest.approx(0.8)),
        (stored["far"], pytest.approx(0.2)),
        (stored["unknown"], pytest.approx(0.1)),
    ]


def test_rerank_is_none_without_stored_vectors_of_the_query(settings, stored):
    settings.CROSSCHECK_SEMANTIC_MODEL = "/anywhere"
    assert semantic.rerank([stored["unknown"]], [(stored["near"], 1.0)]) is None
    assert semantic.rerank([], [(stored["near"], 1.0)]) is None
    assert semantic.rerank(stored["query"], [(stored["unknown"], 1.0)]) is None


def test_rerank_ignores_vectors_of_another_model(settings, stored):
    settings.CROSSCHECK_SEMANTIC_MODEL = "/anywhere"
    PassageEmbedding.objects.filter(passage_id__in=stored["query"]).update(model="other")
    assert semantic.rerank(stored["query"], [(stored["near"], 1.0)]) is None


def test_rerank_reorders_only_the_top_and_keeps_the_rest_in_order(settings, stored, monkeypatch):
    settings.CROSSCHECK_SEMANTIC_MODEL = "/anywhere"
    monkeypatch.setattr(semantic, "RERANK_DEPTH", 2)
    monkeypatch.setattr(semantic, "SEMANTIC_WEIGHT", 0.5)
    candidates = [(stored["far"], 1.0), (stored["near"], 0.9), (stored["unknown"], 0.8)]
    # Query (1, 0, 0): near has cosine 0.707 (scaled 1), far 0; lexical 1.0 → 1, 0.9 → 0.
    # Fused 0.5 each: the tie keeps the lexical order; the third follows with 0.
    assert semantic.rerank(stored["query"][:1], candidates) == [
        (stored["far"], pytest.approx(0.5)),
        (stored["near"], pytest.approx(0.5)),
        (stored["unknown"], 0.0),
    ]


# --- the embedding job and command ------------------------------------------------------

TEXT = "Kirov was shot in Smolny. " * 3 + "Thirteen were tried and shot. " * 3


@pytest.fixture
def indexed(db):
    """A document cut into 150 passages by hand (the engine's indexer is tested elsewhere)."""
    document = make_document(TEXT * 25, title="Indexed")
    step = len(TEXT) // 6
    Passage.objects.bulk_create(
        Passage(document=document, start=i * step, end=(i + 1) * step, length=5) for i in range(150)
    )
    IndexedDocument.objects.create(document=document, passages=150)
    return document


def test_embedding_stores_a_normalised_vector_per_passage_in_batches(fake_model, indexed):
    assert embeddings.embed_document(indexed) == 150
    assert fake_model.batches == [64, 64, 22]
    stored = PassageEmbedding.objects.filter(passage__document=indexed)
    assert stored.count() == 150
    assert set(stored.values_list("model", flat=True)) == {semantic.MODEL_ID}
    first = stored.get(passage__start=0)
    vector = semantic.from_bytes(first.vector)
    assert len(vector) == semantic.DIMENSIONS
    assert math.fsum(x * x for x in vector) == pytest.approx(1.0, abs=1e-6)
    # "Kirov was shot in Smolny. Kirov was shot in Smolny. Kirov was" : 3 kirov, 2 shot, 8 others.
    text = indexed.text[first.passage.start : first.passage.end]
    words = text.lower().split()
    assert vector[0] / vector[1] == pytest.approx(words.count("kirov") / words.count("shot"))


def test_embedding_again_embeds_only_what_is_missing(fake_model, indexed):
    embeddings.embed_document(indexed)
    PassageEmbedding.objects.filter(passage__start__lt=indexed.text.find("Thirteen")).delete()
    missing = Passage.objects.filter(document=indexed, embedding__isnull=True).count()
    fake_model.batches.clear()
    assert embeddings.embed_document(indexed) == missing
    assert sum(fake_model.batches) == missing
    assert embeddings.embed_document(indexed) == 0


def test_the_job_embeds_a_document_and_reports_progress(
    settings, fake_model, indexed, tmp_path, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    settings.CROSSCHECK_JOB_FILES_DIR = tmp_path / "job-files"
    with django_capture_on_commit_callbacks(execute=True):
        embeddings.embed_after_index(indexed, user=make_user("annotator"))
    job = Job.objects.get()
    assert job.state == JobState.DONE, job.error
    assert job.kind.endswith("embed_passages")
    assert job.summary == "150 passages embedded."
    assert (job.progress_done, job.progress_total) == (150, 150)
    assert PassageEmbedding.objects.filter(passage__document=indexed).count() == 150


def test_an_index_job_run_again_after_its_commit_still_starts_the_embedding(
    settings, fake_model, indexed, tmp_path, django_capture_on_commit_callbacks
):
    """A worker that died between a document's commit and its embedding job: the job run
    afresh finds the document indexed, and starts the embedding all the same."""
    settings.TASKS = IMMEDIATE
    settings.CROSSCHECK_JOB_FILES_DIR = tmp_path / "job-files"
    with django_capture_on_commit_callbacks(execute=True):
        job_start(task=index_documents, user=make_user("annotator"), label="Index",
                  document_ids=[indexed.pk])  # fmt: skip
    assert {job.kind.rsplit(".", 1)[-1]: job.state for job in Job.objects.all()} == {
        "index_documents": JobState.DONE,
        "embed_passages": JobState.DONE,
    }
    assert PassageEmbedding.objects.filter(passage__document=indexed).count() == 150


def test_no_job_is_started_when_every_passage_has_its_vector(fake_model, indexed):
    embeddings.embed_document(indexed)
    embeddings.embed_after_index(indexed, user=make_user("annotator"))
    assert not Job.objects.exists()


def test_no_job_is_started_when_the_model_is_off(settings, indexed):
    settings.CROSSCHECK_SEMANTIC_MODEL = ""
    embeddings.embed_after_index(indexed, user=make_user("annotator"))
    assert not Job.objects.exists()


def test_the_job_fails_with_the_refusal_when_the_weights_are_wrong(
    settings, model_dir, indexed, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    settings.CROSSCHECK_JOB_FILES_DIR = tmp_path / "job-files"
    settings.CROSSCHECK_SEMANTIC_MODEL = str(model_dir)
    monkeypatch.setattr(semantic, "installed", lambda: True)
    with django_capture_on_commit_callbacks(execute=True):
        embeddings.embed_after_index(indexed, user=make_user("annotator"))
    job = Job.objects.get()
    assert job.state == JobState.FAILED
    assert job.error == semantic.ERROR_WRONG_WEIGHTS.format(
        path=model_dir.resolve(), found=FAKE_SHA256, expected=semantic.MODEL_SHA256
    )
    assert not PassageEmbedding.objects.exists()


def test_the_command_embeds_every_indexed_document_missing_vectors(fake_model, indexed):
    other = make_document("Another text about Kirov. " * 10, title="Other")
    Passage.objects.create(document=other, start=0, end=26, length=4)  # not indexed: left
    assert list(embeddings.documents_to_embed()) == [indexed]
    out = io.StringIO()
    call_command("embed_passages", stdout=out)
    assert "150 passages embedded: Indexed" in out.getvalue()
    assert list(embeddings.documents_to_embed()) == []
    assert not PassageEmbedding.objects.filter(passage__document=other).exists()
    call_command("embed_passages", "--document", str(other.pk), stdout=out)
    assert PassageEmbedding.objects.filter(passage__document=other).count() == 1


def test_the_command_states_a_refusal(settings, model_dir, indexed, monkeypatch):
    settings.CROSSCHECK_SEMANTIC_MODEL = str(model_dir)
    monkeypatch.setattr(semantic, "installed", lambda: True)
    with pytest.raises(CommandError, match="Refusing to load the semantic model"):
        call_command("embed_passages", stdout=io.StringIO())


def test_a_worker_without_the_extra_says_so_and_starts_nothing(
    settings, indexed, caplog, monkeypatch
):
    settings.CROSSCHECK_SEMANTIC_MODEL = "/somewhere"
    monkeypatch.setattr(semantic, "installed", lambda: False)
    with caplog.at_level("WARNING", logger="suggestions.embeddings"):
        embeddings.embed_after_index(indexed, user=make_user("annotator"))
    assert not Job.objects.exists()
    assert semantic.ERROR_NOT_INSTALLED in caplog.text
