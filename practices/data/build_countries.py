"""Regenerate countries.csv: the 193 UN member states and the 2 observer states.

Source: the data table shipped with the country_converter package (coco), which
carries ISO 3166-1 codes, the UN M49 numeric code, the M49 (intermediate) region
and the year of UN membership. M49's three levels are derived from coco's region:
  region > sub-region > intermediate region (only Africa south of the Sahara and
  Latin America and the Caribbean have intermediate regions).
Run: python practices/data/build_countries.py  (needs `pip install country_converter`)
"""

import csv
import re
from pathlib import Path

import country_converter

OBSERVERS = {"VAT", "PSE"}
CONTINENT_TO_REGION = {
    "Africa": "Africa",
    "America": "Americas",
    "Asia": "Asia",
    "Europe": "Europe",
    "Oceania": "Oceania",
}
INTERMEDIATE_TO_SUB_REGION = {
    "Eastern Africa": "Sub-Saharan Africa",
    "Middle Africa": "Sub-Saharan Africa",
    "Southern Africa": "Sub-Saharan Africa",
    "Western Africa": "Sub-Saharan Africa",
    "Caribbean": "Latin America and the Caribbean",
    "Central America": "Latin America and the Caribbean",
    "South America": "Latin America and the Caribbean",
}
# coco spells one M49 sub-region differently.
SUB_REGION_FIXES = {"South-Eastern Asia": "South-eastern Asia"}


def main():
    table = Path(country_converter.__file__).with_name("country_data.tsv")
    rows = []
    with table.open(encoding="utf-8") as handle:
        for row in csv.DictReader(
            handle,
            delimiter="\t",
        ):
            iso3 = row["ISO3"]
            if not (row["UNmember"] or iso3 in OBSERVERS) or row["obsolete"]:
                continue
            un_region = SUB_REGION_FIXES.get(row["UNregion"], row["UNregion"])
            if un_region in INTERMEDIATE_TO_SUB_REGION:
                sub_region, intermediate = INTERMEDIATE_TO_SUB_REGION[un_region], un_region
            else:
                sub_region, intermediate = un_region, ""
            rows.append(
                {
                    "iso3": iso3,
                    # coco writes a few ISO2 codes as regexes (^GR$|^EL$): the first is the ISO code.
                    "iso2": re.findall(r"[A-Z]{2}", row["ISO2"])[0],
                    "m49_code": int(float(row["UNcode"] or row["ISOnumeric"])),
                    "name": row["name_short"],
                    "region": CONTINENT_TO_REGION[row["continent"]],
                    "sub_region": sub_region,
                    "intermediate_region": intermediate,
                    "un_status": "observer" if iso3 in OBSERVERS else "member",
                }
            )
    rows.sort(key=lambda r: r["name"])
    out = Path(__file__).with_name("countries.csv")
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} countries written to {out}")


if __name__ == "__main__":
    main()
