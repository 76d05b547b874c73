"""Written dates ("11. Oktober 2024", "am Sonntag") → ISO 8601, as precise as the text allows."""

from __future__ import annotations

import datetime as dt
import re

from llmx.normalize.text import fold_key, unaccent

_MONTH_NAMES = (
    ("january", "januar", "janner", "jan"), ("february", "februar", "feb"),
    ("march", "marz", "maerz", "mar", "mrz"), ("april", "apr"), ("may", "mai"),
    ("june", "juni", "jun"), ("july", "juli", "jul"), ("august", "aug"),
    ("september", "sept", "sep"), ("october", "oktober", "oct", "okt"), ("november", "nov"),
    ("december", "dezember", "dec", "dez"),
)
_MONTHS = {name: i for i, names in enumerate(_MONTH_NAMES, 1) for name in names}
_WEEKDAYS = {name: i for i, names in enumerate((
    ("monday", "montag"), ("tuesday", "dienstag"), ("wednesday", "mittwoch"),
    ("thursday", "donnerstag"), ("friday", "freitag"), ("saturday", "samstag", "sonnabend"),
    ("sunday", "sonntag"))) for name in names}
_DAYS_BACK = {"heute": 0, "today": 0, "gestern": 1, "yesterday": 1, "vortag": 1, "vorgestern": 2}
_FILLERS = {"am", "on", "last", "vergangenen", "letzten", "the"}
_DAY_PARTS = ("morgen", "vormittag", "mittag", "nachmittag", "abend", "nacht",
              "morning", "afternoon", "evening", "night")
_ISO_RE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_DATE_RES = (  # (pattern on the folded text, group order as year/month/day)
    (re.compile(r"(\d{4})-(\d{2})-(\d{2})[t ]\d{2}:\d{2}.*"), "ymd"),  # ISO timestamps
    (re.compile(r"(\d{1,2})\.\s*(\d{1,2})\.\s*(\d{4})"), "dmy"),  # 11.10.2024
    (re.compile(r"(\d{1,2})(?:\.|st|nd|rd|th)?\s+([a-z]+)\.?\s+(\d{4})"), "dmy"),  # 11. Oktober 2024
    (re.compile(r"([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})"), "mdy"),  # October 11, 2024
    (re.compile(r"([a-z]+)\.?\s+(\d{4})"), "my"),  # Oktober 2024
)


def _iso(year: int, month: int | None = None, day: int | None = None) -> str | None:
    """ISO string at the given precision, or None if the calendar says no (2024-02-30)."""
    try:
        dt.date(year, 1 if month is None else month, 1 if day is None else day)
    except ValueError:
        return None
    return "-".join([f"{year:04d}"] + [f"{p:02d}" for p in (month, day) if p is not None])


def is_iso_date(value: str) -> bool:
    """True for YYYY, YYYY-MM or YYYY-MM-DD naming a real month/day."""
    m = _ISO_RE.fullmatch(value) if isinstance(value, str) else None
    return m is not None and _iso(*(int(g) if g else None for g in m.groups())) is not None


def _resolve_relative(tokens: list[str], published: dt.date) -> str | None:
    """'gestern', 'am Sonntag', 'Sunday evening', 'Sonntagabend' -> date relative to publication."""
    while tokens and tokens[0] in _FILLERS:
        tokens = tokens[1:]
    if len(tokens) == 2 and tokens[1] in _DAY_PARTS:
        tokens = tokens[:1]
    word = re.sub(rf"(?<=.)(?:{'|'.join(_DAY_PARTS)})$", "", tokens[0]) if len(tokens) == 1 else ""
    if word in _DAYS_BACK:
        return (published - dt.timedelta(days=_DAYS_BACK[word])).isoformat()
    if word in _WEEKDAYS:
        return (published - dt.timedelta(days=(published.weekday() - _WEEKDAYS[word]) % 7)).isoformat()
    return None


def normalize_date(value: str | None, *, published: dt.date | None = None) -> str | None:
    """ISO 8601 date as precise as the text ("Oktober 2024" -> "2024-10").

    Relative words resolve only against ``published`` (weekday -> latest such day on or
    before it); "this week" is a span, not a date, and gives None.
    """
    if not isinstance(value, str):
        return None
    text = value.strip()
    if is_iso_date(text):
        return text
    folded = " ".join(re.sub(r"^(?:am|on|the|vom)\s+", "", unaccent(text.casefold())).split())
    for regex, order in _DATE_RES:
        if m := regex.fullmatch(folded):
            parts = dict(zip(order, m.groups()))
            month = parts["m"] if parts["m"].isdigit() else _MONTHS.get(parts["m"])
            if month is None:
                return None
            return _iso(int(parts["y"]), int(month), int(parts["d"]) if "d" in parts else None)
    if published is None:
        return None
    if isinstance(published, dt.datetime):  # datetime arithmetic would leak a time of day
        published = published.date()
    return _resolve_relative(fold_key(text).split(), published)


