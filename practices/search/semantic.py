"""Meaning, not only words: semantic retrieval with a small static embedding model.

The model is WordLlama's ``l2_supercat`` (256 dimensions), whose weights and tokenizer ship
inside the ``wordllama`` wheel: it is loaded from the installed package with downloads
disabled, so nothing is fetched at run time. A static model embeds a query in well under a
millisecond on a CPU, with no GPU and no server. If it cannot load, ``embed()`` returns None,
search carries on lexically and the log says why (once per process).

Each practice's vector is written by the index owner (``practices.search.indexing``) into
``PracticeEmbedding``; each process holds the published practices' vectors as one NumPy
matrix (``SemanticIndex``), rebuilt when the search index token changes, as the facet
bitsets are. Debian 12 does not package pgvector for PostgreSQL 15, and a matrix product
over 100,000 × 256 float32 values takes a few milliseconds, so both databases are served the
same way.
"""

import logging
import threading
from pathlib import Path

import numpy as np

from practices.models import PracticeEmbedding, PracticeStatus
from practices.search.per_process import PerProcess

log = logging.getLogger(__name__)

MODEL_NAME = "wordllama-l2_supercat-256"
DIMENSIONS = 256

_model = None
_model_failed = False
_model_lock = threading.Lock()


def _load_model():
    global _model, _model_failed
    if _model is not None or _model_failed:
        return _model
    with _model_lock:
        if _model is None and not _model_failed:
            try:
                import wordllama
                from wordllama import WordLlama

                # The wheel holds the weights under weights/ and the tokenizer under
                # tokenizers/, the layout WordLlama expects of a cache directory.
                package = Path(wordllama.__file__).parent
                _model = WordLlama.load(
                    config="l2_supercat", dim=DIMENSIONS, cache_dir=package, disable_download=True
                )
            except Exception:  # any failure means lexical search only, never a broken page
                _model_failed = True
                log.warning("Semantic search is off: the embedding model did not load.", exc_info=True)
    return _model


def available():
    return _load_model() is not None


def embed(texts):
    """Unit-length float32 vectors of ``texts`` (an array of shape (len, 256)), or None
    without the model."""
    model = _load_model()
    if model is None:
        return None
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    vectors = np.asarray(model.embed(list(texts), norm=True), dtype=np.float32)
    return vectors


def to_bytes(vector):
    """A vector as stored: float16, 512 bytes."""
    return np.asarray(vector, dtype=np.float16).tobytes()


def from_bytes(data):
    return np.frombuffer(bytes(data), dtype=np.float16)


# A query reads as a GCM objective in other words if its meaning is at least NAMED_CLOSE
# to the objective's title and NAMED_MARGIN closer than to any other title. Calibrated on
# the five query sets: paraphrased objectives reach 0.57-0.71, 0.16-0.29 ahead of the next;
# other queries stay below 0.55, or within 0.15 of a second objective.
NAMED_CLOSE = 0.55
NAMED_MARGIN = 0.15


class NamedByMeaning:
    """Vocabulary values a query may name by meaning alone, by the vectors of their texts
    (the GCM objectives by their titles): "accurate, up-to-date information for migrants
    from before departure until they come home" is objective 3."""

    def __init__(self, values, texts):
        self.values = list(values)
        self.matrix = embed(texts) if len(self.values) > 1 else None

    def closest(self, vector):
        """The value whose text ``vector`` is clearly closest to, or None."""
        if self.matrix is None or vector is None:
            return None
        scores = self.matrix @ vector
        second, best = np.argsort(scores)[-2:]
        if scores[best] >= NAMED_CLOSE and scores[best] - scores[second] >= NAMED_MARGIN:
            return self.values[best]
        return None


class SemanticIndex(PerProcess):
    """The published practices' vectors as one matrix, with their ids; kept per process
    (``SemanticIndex.current(token)``)."""

    def __init__(self, ids, matrix):
        self.ids = ids  # np.int64 array, row i is practice ids[i]
        self.matrix = matrix  # float32 (n, 256), rows of unit length

    @classmethod
    def build(cls):
        rows = PracticeEmbedding.objects.filter(
            practice__status=PracticeStatus.PUBLISHED, model=MODEL_NAME
        ).values_list("practice_id", "vector")
        ids, vectors = [], []
        for pk, vector in rows.iterator(chunk_size=10_000):
            ids.append(pk)
            vectors.append(vector)
        matrix = np.frombuffer(b"".join(bytes(v) for v in vectors), dtype=np.float16)
        return cls(np.asarray(ids, dtype=np.int64), matrix.reshape(len(ids), DIMENSIONS).astype(np.float32))

    @property
    def nbytes(self):
        return self.matrix.nbytes + self.ids.nbytes

    def similarities(self, vector):
        """Cosine similarity of every practice to ``vector`` (same order as ``ids``)."""
        if vector is None or not len(self.ids):
            return np.zeros(len(self.ids), dtype=np.float32)
        return self.matrix @ vector

    def best(self, scores, members, count, floor):
        """The ids of the ``count`` practices most similar (``scores``), best first, among
        ``members`` (a bitset's bytes: bit n set for practice n) and at least ``floor``."""
        if not len(self.ids):
            return []
        bits = np.unpackbits(np.frombuffer(members, dtype=np.uint8), bitorder="little")
        inside = self.ids < len(bits)
        wanted = np.zeros(len(self.ids), dtype=bool)
        wanted[inside] = bits[self.ids[inside]].astype(bool)
        wanted &= scores >= floor
        candidates = np.flatnonzero(wanted)
        if len(candidates) > count:
            candidates = candidates[np.argpartition(-scores[candidates], count - 1)[:count]]
        candidates = candidates[np.argsort(-scores[candidates], kind="stable")]
        return self.ids[candidates].tolist()
