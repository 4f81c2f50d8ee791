"""Which words are everyday English: pure Python, no database.

A word no practice has means different things. An everyday word ("alone", "cooking") is
no typo, so it is not corrected into a neighbour ("along"), and a query made mostly of
such words asks about something the knowledge base does not hold. A string of letters
("zyxwv", "workrs") or a rare name ("Rohingya") says neither.

The word list is pyspellchecker's English frequency dictionary (shipped in its wheel,
read once per process, ~1 s): words seen at least COMMON times in its corpus. It also
corrects a typo into an English word when no word of the knowledge base is close.
"""

import functools
import logging

log = logging.getLogger(__name__)

COMMON = 100  # "terminology" 453, "briefings" 510; typos and rare names are near 0


@functools.cache
def _spellchecker():
    try:
        from spellchecker import SpellChecker

        return SpellChecker(language="en", distance=1)
    except Exception:  # no word list: every unknown word is treated as a possible typo
        log.warning("The English word list did not load; typo correction cannot tell words.", exc_info=True)
        return None


@functools.cache
def _common_words():
    checker = _spellchecker()
    if checker is None:
        return frozenset()
    return frozenset(word for word, count in checker.word_frequency.dictionary.items() if count >= COMMON)


def is_common_word(word):
    return word.lower() in _common_words()


def is_word(word):
    """Whether ``word`` is in the English word list at all, however rare ("readmitted"):
    no typo, whatever the knowledge base holds."""
    checker = _spellchecker()
    return checker is not None and word.lower() in checker.word_frequency.dictionary


def correction(word):
    """The most frequent English word one edit from ``word`` ("smuglers": "smugglers"), the
    word itself if it is one, or None."""
    checker = _spellchecker()
    return checker.correction(word.lower()) if checker is not None else None
