"""The garbage-collector policy of a serving process.

Python's full collections walk every container object the process holds. After the first
request almost all of them live as long as the process: modules, URL patterns, compiled
templates, model metadata, the facet index. Walking them is a pause of ~20 ms at 10,000
practices, which lands on whichever request happens to trigger it. Freezing what is alive
after the first request keeps those objects out of every later collection (see
``gc.freeze()``); objects created afterwards are collected as usual.

benchmark_search measures the search page under the same policy.
"""

import gc

from django.core.signals import request_finished


def _freeze_once(**kwargs):
    request_finished.disconnect(_freeze_once)
    gc.collect()  # what is garbage now is not frozen with the rest
    gc.freeze()


def freeze_after_first_request():
    """Freeze long-lived objects once the process has served its first request."""
    request_finished.connect(_freeze_once)
