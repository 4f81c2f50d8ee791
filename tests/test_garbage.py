"""The serving process's garbage-collector policy (gfmd_kb.garbage)."""

import gc

from django.core.signals import request_finished

from gfmd_kb.garbage import _freeze_once, freeze_after_first_request


def test_long_lived_objects_are_frozen_after_the_first_request_only(db):
    # db: request_finished also closes old database connections.
    gc.unfreeze()  # whatever an earlier test froze (the benchmark's test applies this policy)
    freeze_after_first_request()
    try:
        request_finished.send(sender=None)
        assert gc.get_freeze_count() > 0  # the objects alive after the first request
        gc.unfreeze()
        request_finished.send(sender=None)
        assert gc.get_freeze_count() == 0  # later requests' objects are collected as usual
    finally:
        gc.unfreeze()
        request_finished.disconnect(_freeze_once)
