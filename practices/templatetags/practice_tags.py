import functools
import json
from html import escape

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.safestring import mark_safe
from django.utils.text import slugify

register = template.Library()


@register.simple_tag(takes_context=True)
def absolute(context, path):
    """``path`` as a full URL on this site: printed pages show where their links lead."""
    return context["request"].build_absolute_uri(path)


FACET_VALUE = (
    '<li class="facet-value{empty}">'
    '<input type="checkbox" form="search-form" name="{name}" value="{value}" id="{id}"{checked}>'
    '<label for="{id}">{label} <span class="count">{count}'
    '<span class="visually-hidden"> {practices}</span></span></label>{children}</li>'
)
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
def _escaped(name, value, label):
    """A value's name, value, checkbox id and label, escaped: the same few hundred values
    are shown on every page, and slugify() and escaping are most of a value's cost."""
    return {
        "name": escape(name),
        "value": escape(value),
        "id": escape(f"f-{name}-{slugify(value)}"),
        "label": escape(label),
    }


def _facet_value(name, value):
    escaped = _escaped(name, value.value, value.label)
    children = ""
    if value.children:
        children = NESTED_VALUES.format(
            open=" open" if any(child.selected for child in value.children) else "",
            label=escaped["label"],
            values=facet_values("country", value.children),
        )
    return FACET_VALUE.format(
        **escaped,
        empty="" if value.count else " empty",
        checked=" checked" if value.selected else "",
        count=int(value.count),
        practices="practice" if value.count == 1 else "practices",
        children=children,
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
