"""Choropleth maps of published practices per country, drawn by the server as inline SVG.

The geometry is ``practices/data/world_map.json`` (``manage.py build_world_map`` makes it
from the ``world-atlas`` npm package; nothing is fetched at run time). Each country with
practices is a link to its search (``/practices/?country=MEX``) whose name and count are
its accessible name; colour steps are CSS classes (``c0``…``c5``). The same information
is in a table beside the map (``Choropleth.rows``), which also lists the countries too
small to draw at this scale. A region's map is the same shapes in the region's view box.
"""

import functools
import json
from dataclasses import dataclass
from html import escape
from pathlib import Path

from django.urls import reverse
from django.utils.safestring import mark_safe

GEOMETRY = Path(__file__).resolve().parent / "data" / "world_map.json"
# Colour steps: (lowest count, highest count or None, CSS class); no practice is "c0".
STEPS = [(1, 1, "c1"), (2, 3, "c2"), (4, 7, "c3"), (8, 15, "c4"), (16, None, "c5")]


@functools.cache
def geometry():
    return json.loads(GEOMETRY.read_text(encoding="utf-8"))


def step(count):
    for low, high, css in STEPS:
        if count >= low and (high is None or count <= high):
            return css
    return "c0"


def practices_label(count):
    if not count:
        return "no published practice"
    return f"{count} practice{'s' if count != 1 else ''}"


@dataclass
class MapCountry:
    iso3: str
    name: str
    region: str
    count: int
    drawn: bool  # whether the map shows its shape

    @property
    def css(self):
        return step(self.count)

    @property
    def label(self):
        return f"{self.name}: {practices_label(self.count)}"

    @property
    def search_url(self):
        return f"{reverse('practices:list')}?country={self.iso3}"


def _overlaps(box, view):
    x0, y0, x1, y1 = box
    vx, vy, vw, vh = view
    return x1 >= vx and x0 <= vx + vw and y1 >= vy and y0 <= vy + vh


class Choropleth:
    """The map of ``counts`` ({iso3: published practices}) over ``countries`` ((iso3, name,
    region) of every country), of the world or of one region (its name, as in REGIONS)."""

    def __init__(self, countries, counts, region=None):
        shapes = geometry()
        self.region = region
        region_key = region.lower() if region else None
        self.view_box = shapes["regions"][region_key] if region_key else shapes["view_box"]
        self.countries = []
        for iso3, name, country_region in sorted(countries, key=lambda row: row[1].casefold()):
            if region and country_region != region:
                continue
            shape = shapes["countries"].get(iso3)
            drawn = shape is not None and _overlaps(shape["box"], self.view_box)
            self.countries.append(MapCountry(iso3, name, country_region, counts.get(iso3, 0), drawn))
        self.mapped = {country.iso3 for country in self.countries}

    @property
    def rows(self):
        """The countries with practices, by name: the table of the map."""
        return [country for country in self.countries if country.count]

    @property
    def not_drawn(self):
        """Countries with practices too small for the map's scale (Malta, Cabo Verde…)."""
        return [country for country in self.rows if not country.drawn]

    @property
    def total(self):
        return sum(country.count for country in self.countries)

    @property
    def legend(self):
        shown = [("c0", "none")]
        for low, high, css in STEPS:
            shown.append((css, str(low) if low == high else f"{low}–{high}" if high else f"{low} or more"))
        return shown

    def svg(self):
        shapes = geometry()
        view = self.view_box
        parts = [
            f'<svg class="world-map" viewBox="{" ".join(str(n) for n in view)}" '
            'role="group" aria-label="Map: published practices per country; countries with '
            'practices are links to their search" preserveAspectRatio="xMidYMid meet">',
            f'<path class="sphere" aria-hidden="true" d="{shapes["sphere"]}"/>',
            '<g class="context" aria-hidden="true">',
        ]
        for other in shapes["others"]:
            if _overlaps(other["box"], view):
                parts.append(f'<path d="{other["d"]}"><title>{escape(other["name"])}</title></path>')
        for iso3, shape in shapes["countries"].items():
            if iso3 not in self.mapped and _overlaps(shape["box"], view):
                parts.append(f'<path d="{shape["d"]}"/>')
        parts.append('</g><g class="countries">')
        linked = []
        for country in self.countries:
            if not country.drawn:
                continue
            d = shapes["countries"][country.iso3]["d"]
            label = escape(country.label)
            if country.count:
                linked.append(
                    f'<a href="{escape(country.search_url)}" aria-label="{label}">'
                    f'<title>{label}</title><path class="{country.css}" d="{d}"/></a>'
                )
            else:
                parts.append(f'<path class="c0" aria-hidden="true" d="{d}"><title>{label}</title></path>')
        parts += linked
        parts.append("</g></svg>")
        return mark_safe("".join(parts))
