"""Build the world map's geometry: ``practices/data/world_map.json``, committed.

The map on the home page and on each region page is drawn by the server as inline SVG
(``practices.maps``) from this file, so serving it needs nothing from npm or the network.
Source: Natural Earth's 1:110m countries as TopoJSON, from the ``world-atlas`` npm
package (``npm ci`` installs it into ``node_modules/``, pinned in ``package.json``).

What the build does:
1. decodes the TopoJSON (quantized, delta-encoded arcs shared between neighbours);
2. projects every point with the Equal Earth projection (equal-area, as a choropleth of
   counts should be), on a canvas ``WIDTH`` units wide;
3. simplifies each shared arc (Douglas–Peucker, ``TOLERANCE`` units) and rounds to whole
   units, so neighbours still meet exactly and the page stays light;
4. keys each country by our ISO alpha-3 code through its ISO 3166 numeric code, which is
   its UN M49 code in ``practices/data/countries.csv``. Shapes that are not UN member or
   observer states (Greenland, Western Sahara, Taiwan…) are kept, unlinked, for context;
   Antarctica is left out;
5. writes SVG path data (relative moves, whole numbers) per shape, each shape's bounding
   box, and each region's view box (``REGION_BOUNDS``, in degrees).

Run ``python manage.py build_world_map`` after changing any of that; ``--check`` fails if
the committed file is not what the build writes.
"""

import csv
import json
import math
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

SOURCE = Path(settings.BASE_DIR) / "node_modules" / "world-atlas" / "countries-110m.json"
OUTPUT = Path(settings.BASE_DIR) / "practices" / "data" / "world_map.json"
COUNTRIES = Path(settings.BASE_DIR) / "practices" / "data" / "countries.csv"

WIDTH = 4000  # canvas units across the whole world; coordinates are whole units
TOLERANCE = 0.9  # Douglas–Peucker tolerance, in canvas units
LEFT_OUT = {"010"}  # Antarctica: no practice is there, and it takes a sixth of the map
# What each region's map shows: (west, south, east, north) in degrees. Drawn by hand rather
# than from the countries' extents: Russia (Europe) reaches across the antimeridian, and so
# do Fiji (Oceania) and the United States (Alaska's islands).
REGION_BOUNDS = {
    "africa": (-26, -36, 58, 38),
    "americas": (-170, -57, -30, 84),
    "asia": (25, -12, 150, 56),
    "europe": (-25, 34, 60, 72),
    "oceania": (110, -48, 180, 2),
}

# Equal Earth (Šavrič, Patterson and Jenny, 2018).
A1, A2, A3, A4 = 1.340264, -0.081106, 0.000893, 0.003796
M = math.sqrt(3) / 2
X_MAX = math.pi / (M * A1)  # x at 180°E on the equator
SCALE = WIDTH / (2 * X_MAX)


def equal_earth(lon, lat):
    """Canvas (x, y) of a point in degrees, y downwards, (0, 0) at 0°E 0°N."""
    theta = math.asin(M * math.sin(math.radians(lat)))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = math.radians(lon) * math.cos(theta) / (M * (A1 + 3 * A2 * t2 + t6 * (7 * A3 + 9 * A4 * t2)))
    y = theta * (A1 + A2 * t2 + t6 * (A3 + A4 * t2))
    return x * SCALE, -y * SCALE


def decode_arcs(topology):
    """Each arc as a list of (lon, lat), undoing the quantization and delta encoding."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def simplify(points, tolerance):
    """Douglas–Peucker on points whose first two values are x and y: the points that keep
    the line within ``tolerance``; its ends are kept."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first][:2], points[last][:2]
        dx, dy = x2 - x1, y2 - y1
        length = math.hypot(dx, dy)
        farthest, distance = None, tolerance
        for i in range(first + 1, last):
            px, py = points[i][:2]
            if length:
                d = abs(dy * (px - x1) - dx * (py - y1)) / length
            else:
                d = math.hypot(px - x1, py - y1)
            if d > distance:
                farthest, distance = i, d
        if farthest is not None:
            keep[farthest] = True
            stack += [(first, farthest), (farthest, last)]
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def project_arcs(arcs):
    """Each arc simplified in projection, as (lon, lat, x, y) points, x and y rounded to
    whole canvas units (consecutive points that round alike are kept once)."""
    projected = []
    for arc in arcs:
        points = [(*equal_earth(lon, lat), lon, lat) for lon, lat in arc]
        kept = []
        for x, y, lon, lat in simplify(points, TOLERANCE):
            point = (lon, lat, round(x), round(y))
            if not kept or kept[-1][2:] != point[2:]:
                kept.append(point)
        projected.append(kept)
    return projected


def ring_points(ring, arcs):
    """A ring's points from its arc indexes (~i is arc i reversed), shared ends once."""
    points = []
    for index in ring:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def cut_at_antimeridian(ring):
    """A ring as canvas points, cut where it crosses the antimeridian (Russia's Chukotka,
    Fiji): the Natural Earth rings run along ±180° there, and joining 180°E to 180°W would
    draw a line across the world. Each piece is closed along its edge of the map."""
    crossings = [i for i in range(len(ring) - 1) if abs(ring[i + 1][0] - ring[i][0]) > 180]
    if not crossings:
        return [[point[2:] for point in ring]]
    pieces, start = [], 0
    for i in crossings:
        pieces.append(ring[start : i + 1])
        start = i + 1
    pieces[0] = ring[start:] + pieces[0][1:]  # the ring's end and start are one piece
    closed = []
    for piece in pieces:
        (lon_end, lat_end), lat_start = piece[-1][:2], piece[0][1]
        edge = 180 if lon_end > 0 else -180
        steps = max(1, int(abs(lat_start - lat_end) // 2))
        along = [equal_earth(edge, lat_end + (lat_start - lat_end) * k / steps) for k in range(1, steps)]
        closed.append([point[2:] for point in piece] + [(round(x), round(y)) for x, y in along])
    return closed


def path_data(polygons):
    """SVG path data of polygons (lists of rings of points): relative moves, whole numbers.
    Rings that rounding has reduced to less than a triangle are left out."""
    parts = []
    x = y = 0
    for rings in polygons:
        for ring in rings:
            points = ring[:-1] if len(ring) > 1 and ring[0] == ring[-1] else ring
            if len(set(points)) < 3:
                continue
            (px, py), rest = points[0], points[1:]
            moves = [f"m{px - x} {py - y}"]
            for qx, qy in rest:
                moves.append(f"{qx - px} {qy - py}")
                px, py = qx, qy
            parts.append(moves[0] + "l" + " ".join(moves[1:]) + "z")
            x, y = points[0]
    # SVG lets a number's minus sign stand for the separator before it.
    return "".join(parts).replace(" -", "-")


def bounding_box(polygons):
    points = [point for rings in polygons for ring in rings for point in ring]
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return [min(xs), min(ys), max(xs), max(ys)]


def view_box(west, south, east, north):
    """The canvas box holding a lon/lat rectangle (its edges sampled: meridians curve)."""
    edge = [(west + (east - west) * i / 20, lat) for i in range(21) for lat in (south, north)]
    edge += [(lon, south + (north - south) * i / 20) for i in range(21) for lon in (west, east)]
    points = [equal_earth(lon, lat) for lon, lat in edge]
    x0, y0 = math.floor(min(p[0] for p in points)), math.floor(min(p[1] for p in points))
    x1, y1 = math.ceil(max(p[0] for p in points)), math.ceil(max(p[1] for p in points))
    return [x0, y0, x1 - x0, y1 - y0]


def sphere(south=-90, north=90):
    """The outline of the projected globe between two latitudes (its edges are curves)."""
    lats = [south + (north - south) * i / 36 for i in range(37)]
    east = [equal_earth(180, lat) for lat in lats]
    west = [equal_earth(-180, lat) for lat in reversed(lats)]
    return [[[(round(x), round(y)) for x, y in east + west]]]


def build(topology, iso3_by_numeric):
    arcs = project_arcs(decode_arcs(topology))
    countries, others = {}, []
    for geometry in topology["objects"]["countries"]["geometries"]:
        numeric = geometry.get("id")
        if numeric in LEFT_OUT or geometry["type"] not in ("Polygon", "MultiPolygon"):
            continue
        polygons = [geometry["arcs"]] if geometry["type"] == "Polygon" else geometry["arcs"]
        shapes = [
            [piece for ring in polygon for piece in cut_at_antimeridian(ring_points(ring, arcs))]
            for polygon in polygons
        ]
        shape = {"d": path_data(shapes), "box": bounding_box(shapes)}
        if not shape["d"]:
            continue
        iso3 = iso3_by_numeric.get(int(numeric)) if numeric else None
        if iso3:
            countries[iso3] = shape
        else:
            others.append({"name": geometry["properties"]["name"], **shape})
    boxes = [shape["box"] for shape in [*countries.values(), *others]]
    x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
    x1, y1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
    return {
        "source": "world-atlas 2.0.2, countries-110m.json (Natural Earth 1:110m, public domain)",
        "projection": "Equal Earth",
        "built_by": "python manage.py build_world_map",
        "view_box": [x0 - 2, y0 - 2, x1 - x0 + 4, y1 - y0 + 4],
        "sphere": path_data(sphere()),
        "regions": {region: view_box(*bounds) for region, bounds in REGION_BOUNDS.items()},
        "countries": dict(sorted(countries.items())),
        "others": sorted(others, key=lambda shape: shape["name"]),
    }


def serialise(data):
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), indent=0) + "\n"


class Command(BaseCommand):
    help = "Build practices/data/world_map.json (the map's SVG geometry) from the world-atlas npm package."

    def add_arguments(self, parser):
        parser.add_argument("--source", type=Path, default=SOURCE, help="countries-110m.json")
        parser.add_argument("--output", type=Path, default=OUTPUT)
        parser.add_argument("--check", action="store_true", help="Fail if the output is not current.")

    def handle(self, *args, source, output, check, **options):
        if not source.exists():
            raise CommandError(f"{source} is missing: run `npm ci` (package.json pins world-atlas).")
        topology = json.loads(source.read_text(encoding="utf-8"))
        with COUNTRIES.open(encoding="utf-8") as rows:
            iso3_by_numeric = {int(row["m49_code"]): row["iso3"] for row in csv.DictReader(rows)}
        text = serialise(build(topology, iso3_by_numeric))
        if check:
            if not output.exists() or output.read_text(encoding="utf-8") != text:
                raise CommandError(f"{output} is not current: run `python manage.py build_world_map`.")
            self.stdout.write(f"{output} is current.")
            return
        output.write_text(text, encoding="utf-8")
        data = json.loads(text)
        self.stdout.write(
            f"Wrote {output}: {len(data['countries'])} countries, {len(data['others'])} other shapes, "
            f"{len(text.encode()) // 1024} kB."
        )
