"""What each process builds from the database for search and keeps until the data changes.

The facet index, the matrix of meaning vectors and the thesaurus and name matchers are
each built on first use and rebuilt when the ``SearchIndexVersion`` token, read once per
search by the caller, is no longer the one they were built at: every write they depend on
changes it (``practices.search.indexing``), so every process sees a curator's edit.
"""

import threading


class PerProcess:
    """A mixin: ``Subclass.current(token, *args)`` is the kept instance, rebuilt first with
    ``Subclass.build(*args)`` if the token has changed since. Without a token (a flushed
    database) the instance is built for the caller and never trusted again."""

    _current = None
    token = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls._current = None
        cls._lock = threading.Lock()  # one build at a time per kind of index

    @classmethod
    def current(cls, token, *args):
        kept = cls._current
        if token is None or kept is None or kept.token != token:
            with cls._lock:
                kept = cls._current
                if token is None or kept is None or kept.token != token:
                    kept = cls.build(*args)
                    kept.token = token
                    if token is not None:
                        cls._current = kept
        return kept

    @classmethod
    def build(cls, *args):
        raise NotImplementedError
