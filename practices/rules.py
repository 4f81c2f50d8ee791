"""What a practice needs before it is sent to review or published: the one list of rules.

Drafts are free: a draft saves with whatever it has. These rules apply when a practice
leaves draft (sent to review) and when it is published, by any path: the admin's form
(each message beside its field or inline), its list actions, the review queue, a
contributor's resubmission and the seed loader. ``Practice.publication_problems()`` checks
one practice in Python, ``PracticeQuerySet.breaking_publication_rules()`` the same rules
in SQL. Pure: no database, no models.
"""

# A practice of these scopes happens somewhere: it is published with its countries.
NEEDS_COUNTRY = frozenset({"local", "national", "bilateral"})

MESSAGES = {
    "summary": "Write a summary: a published practice says in one to three sentences what it is.",
    "citations": "Add at least one citation: a published practice must cite its source.",
    "objectives": (
        "Add at least one GCM objective: every published practice is classified under the Global Compact."
    ),
    "countries": "Add at least one country: a {scope} practice names the countries where it happens.",
}


def problems(*, summary, scope, citations, objectives, countries):
    """{rule: message} for each rule the practice breaks, in the order of the form.

    ``citations``, ``objectives`` and ``countries`` are counts (or anything truthy)."""
    found = {}
    if not (summary or "").strip():
        found["summary"] = MESSAGES["summary"]
    if not citations:
        found["citations"] = MESSAGES["citations"]
    if scope in NEEDS_COUNTRY and not countries:
        found["countries"] = MESSAGES["countries"].format(scope=scope)
    if not objectives:
        found["objectives"] = MESSAGES["objectives"]
    return found
