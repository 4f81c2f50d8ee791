from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def absolute(context, path):
    """``path`` as a full URL on this site: printed pages show where their links lead."""
    return context["request"].build_absolute_uri(path)
