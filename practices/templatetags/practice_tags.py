import functools
import json
from html import escape

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.text import slugify

register = template.Library()


@register.simple_tag(takes_context=True)
def absolute(context, path):
    """``path`` as a full URL on this site: printed pages show where their links lead."""
    return context["request"].build_absolute_uri(path)


NESTED_VALUES = (
    '<details class="countries"{open}><summary>Countries in {label}</summary>'
    '<ul class="facet-values">{values}</ul></details>'
)


@register.simple_tag
def facet_values(name, values):
    """The checkbox items of a facet's values (a region's countries nested in it).

    Built here rather than by an {% include %} per value, and escaped with the standard
    library's html.escape rather than format_html's lazy-aware escaping: a facet holds up
    to a few hundred values (every country), and this was the slowest part of the page.
    """
    return mark_safe("".join(_facet_value(name, value) for value in values))


@functools.lru_cache(maxsize=4096)
def _value_parts(name, value, label):
    """The HTML of a value around what varies with each search (emptiness, selection,
    count, nested countries), escaped: the same few hundred values are shown on every page,
    and slugify() and escaping are most of a value's cost."""
    name, value, label, id_ = (
        escape(name),
        escape(value),
        escape(label),
        escape(f"f-{name}-{slugify(value)}"),
    )
    return (
        '<li class="facet-value',
        f'"><input type="checkbox" form="search-form" name="{name}" value="{value}" id="{id_}"',
        f'><label for="{id_}">{label} <span class="count">',
        label,
    )


def _facet_value(name, value):
    start, field, text, label = _value_parts(name, value.value, value.label)
    children = ""
    if value.children:
        children = NESTED_VALUES.format(
            open=" open" if any(child.selected for child in value.children) else "",
            label=label,
            values=facet_values("country", value.children),
        )
    count = int(value.count)
    return (
        f"{start}{'' if count else ' empty'}{field}{' checked' if value.selected else ''}{text}"
        f'{count}<span class="visually-hidden"> {"practice" if count == 1 else "practices"}</span>'
        f"</span></label>{children}</li>"
    )


PICK_BUTTON = (
    '<form class="pick no-print" id="pick-{slug}" method="post" action="{action}">'
    "{csrf}"
    '<input type="hidden" name="practice" value="{slug}">'
    '<input type="hidden" name="action" value="{verb}">'
    '<input type="hidden" name="next" value="{next}#pick-{slug}">'
    "{picked}"
    '<button type="submit" class="button secondary">{label}'
    '<span class="visually-hidden"> “{title}”</span> {direction} brief</button></form>'
)
PICKED = '<span class="picked">✓ In your <a href="{brief}">brief</a></span>'


@register.simple_tag(takes_context=True)
def pick_button(context, practice):
    """The form that adds ``practice`` to the brief kept in the session, or removes it if
    picked; it works without JavaScript. Uses ``picked_slugs``, ``pick_url`` and
    ``pick_next`` of the picks context processor (a context without them: nothing picked,
    back to the brief's own page).

    A format string rather than an {% include %}: a search page shows up to 100 of them,
    and the include with its {% csrf_token %} cost 70 microseconds each."""
    picked = practice.slug in context.get("picked_slugs", ())
    token = str(context.get("csrf_token") or "")
    csrf = f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(token)}">'
    return mark_safe(
        PICK_BUTTON.format(
            slug=escape(practice.slug),
            action=escape(context.get("pick_url") or reverse("practices:pick")),
            csrf=csrf if token and token != "NOTPROVIDED" else "",
            next=escape(context.get("pick_next", "")),
            verb="remove" if picked else "add",
            picked=PICKED.format(brief=reverse("practices:brief")) if picked else "",
            label="Remove" if picked else "Add",
            title=escape(practice.title),
            direction="from" if picked else "to",
        )
    )


# What json_script escapes: the JSON cannot close its <script> element ("</script>") nor
# open a comment, whatever the text of a title or summary holds.
JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def json_ld(value):
    """``value`` as a schema.org JSON-LD block: data, never run, so the Content-Security-
    Policy's script-src does not apply to it (as for json_script)."""
    text = json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False).translate(JSON_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')
