"""The semantic re-ranker with the real all-MiniLM-L6-v2 (the `semantic` extra): run by CI's
semantic step in .venv-semantic with CROSSCHECK_SEMANTIC_MODEL set, deselected elsewhere
(pyproject addopts). A missing setting or package fails here; nothing is skipped."""

import shutil

import pytest
from django.conf import settings

from jobs.models import Job, JobState
from suggestions import embeddings, semantic, services
from suggestions.index import index_document
from suggestions.models import Passage, PassageEmbedding
from tests.factories import make_document, make_user

pytestmark = pytest.mark.semantic

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(scope="module")
def model_dir():
    assert settings.CROSSCHECK_SEMANTIC_MODEL, (
        "CROSSCHECK_SEMANTIC_MODEL must name the model directory (README 'Semantic re-ranking')"
    )
    assert semantic.installed(), "run these tests with .venv-semantic (make install-semantic)"
    return semantic.configured_directory()


@pytest.fixture
def fresh_load():
    semantic._loaded.clear()
    yield
    semantic._loaded.clear()


def test_the_pinned_weights_load_and_embed_normalised_float32_vectors(model_dir):
    import numpy as np

    assert semantic.file_sha256(model_dir / "model.safetensors") == semantic.MODEL_SHA256
    vectors = semantic.embed(
        [
            "Nikolaev shot Kirov in the Smolny corridor on 1 December 1934.",
            "Kirov was assassinated at the Smolny Institute by Leonid Nikolaev.",
            "The harvest of 1933 was poor in the Ukraine.",
        ]
    )
    assert vectors.shape == (3, semantic.DIMENSIONS)
    assert vectors.dtype == np.float32
    assert np.linalg.norm(vectors, axis=1) == pytest.approx([1.0, 1.0, 1.0], abs=1e-5)
    same, other = float(vectors[0] @ vectors[1]), float(vectors[0] @ vectors[2])
    assert same > 0.5 > other
    assert semantic.embed([]).shape == (0, semantic.DIMENSIONS)


def test_it_refuses_a_tampered_copy_of_the_weights(model_dir, tmp_path, settings, fresh_load):
    copy = tmp_path / "model"
    shutil.copytree(model_dir, copy)
    weights = bytearray((copy / "model.safetensors").read_bytes())
    weights[-1] ^= 0x01  # one bit of the last weight
    (copy / "model.safetensors").write_bytes(bytes(weights))
    settings.CROSSCHECK_SEMANTIC_MODEL = str(copy)
    with pytest.raises(semantic.SemanticModelError) as refused:
        semantic.load_model()
    assert refused.value.message.startswith(f"Refusing to load the semantic model in {copy}")
    assert semantic.MODEL_SHA256 in refused.value.message
    assert semantic._loaded == {}


KIROV = (
    "On 1 December 1934 Sergei Kirov was shot dead in the Smolny Institute in Leningrad. "
    "The assassin, Leonid Nikolaev, was arrested on the spot. "
    "Thirteen men were tried with him in secret and shot within the month. "
)
HARVEST = (
    "The harvest of 1933 was poor across the Ukraine and the Kuban. "
    "Grain collections were raised all the same, and villages starved. "
    "Foreign visitors were kept away from the worst districts. "
)
OTHER = (
    "Kirov's murderer Nikolaev and fourteen alleged accomplices faced a closed military court. "
    "All were executed at once after the verdict. "
    "Bread rationing ended in the cities early in 1935. "
)
# Shares the query's words, not its subject.
DISTRACTOR = (
    "The shipyards of Nikolaev built two cruisers in secret within the month. "
    "The men were tried in the sea by the spring. "
    "Thirteen new slipways were shot with concrete. "
)


def test_indexed_documents_get_embedded_by_the_job_and_reranked(
    db, settings, tmp_path, django_capture_on_commit_callbacks, monkeypatch
):
    settings.TASKS = IMMEDIATE
    settings.CROSSCHECK_JOB_FILES_DIR = tmp_path / "job-files"
    here = make_document(KIROV + HARVEST, title="Here")
    there = make_document(HARVEST + OTHER, title="There")
    ships = make_document(HARVEST + DISTRACTOR, title="Ships")
    user = make_user("annotator")
    with django_capture_on_commit_callbacks(execute=True):
        for document in (here, there, ships):
            index_document(document)
            embeddings.embed_after_index(document, user=user)
    assert [job.state for job in Job.objects.all()] == [JobState.DONE] * 3
    passages = Passage.objects.all()
    assert PassageEmbedding.objects.filter(passage__in=passages).count() == passages.count() > 0
    start = here.text.index("The assassin")
    end = here.text.index("month.") + len("month.")
    reranked = []
    rerank = semantic.rerank
    monkeypatch.setattr(
        semantic, "rerank", lambda *args: reranked.append(rerank(*args)) or reranked[-1]
    )
    found = services.suggest_for_span(here, start, end, limit=5, method="semantic")
    assert reranked and reranked[0] is not None, "re-ranked with the stored embeddings"
    assert {s.document for s in found} == {there, ships}
    # The stored vectors carry the meaning: the query's passages are nearer the trial of
    # Nikolaev's accomplices than the shipyards of Nikolaev that share its words.
    query = semantic.mean_direction(
        list(
            semantic.stored_vectors(
                Passage.objects.filter(document=here, start__lt=end, end__gt=start).values_list(
                    "pk", flat=True
                )
            ).values()
        )
    )

    def nearest(document, words):
        ids = Passage.objects.filter(document=document).values_list("pk", "start", "end")
        vectors = semantic.stored_vectors(pk for pk, _, _ in ids)
        return max(
            semantic.dot(query, vectors[pk]) for pk, s, e in ids if words in document.text[s:e]
        )

    assert nearest(there, "accomplices") > nearest(ships, "shipyards") + 0.05
