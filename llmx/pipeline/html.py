"""A saved web page → the article's main text, title, URL and publication date.

Pages carry navigation, cookie banners, share buttons and comment threads around
the article; a small model would report a commenter's opinion as an event. The
extraction is trafilatura's (maintained, benchmarked on news pages); this module
only decodes the bytes correctly and shapes the result. Offsets of evidence refer
to the text returned here, which the result document stores.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from datetime import date

from charset_normalizer import from_bytes

from llmx.core.errors import InputError

HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", re.IGNORECASE)
WHATWG_ALIASES = {"iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252"}
"""Browsers decode pages labelled latin-1 or ascii as windows-1252 (WHATWG Encoding Standard), so do we."""
_NOISE = ("comment", "kommentar", "posting", "forum", "leserbrief", "cookie", "consent", "newsletter", "paywall")
PRUNE = [f"//*[contains(translate(@class, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), '{word}') or "
         f"contains(translate(@id, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), '{word}')]" for word in _NOISE]
"""Containers trafilatura's English-centred comment detection misses (German "Postings", "Leserkommentare")."""


@dataclass(frozen=True)
class Page:
    text: str
    title: str | None
    url: str | None
    published: date | None


def decode_html(data: bytes, name: str) -> str:
    """BOM, then the page's own <meta charset>, then UTF-8, then detection: as a browser would."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    declared = META_CHARSET.search(data[:4096])
    if declared:
        label = declared.group(1).decode("ascii", "ignore").lower()
        try:
            return data.decode(codecs.lookup(WHATWG_ALIASES.get(label, label)).name, errors="replace")
        except LookupError:
            pass  # an unknown label: fall through to detection
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        best = from_bytes(data).best()
        if best is None:
            raise InputError(f"{name}: not UTF-8 and no text encoding fits") from None
        return str(best)


def _published(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def page_text(data: bytes, name: str, url: str | None = None) -> Page:
    """The page's main text (paragraphs separated by blank lines), without comments, plus its metadata."""
    import trafilatura  # imported here: a 0.3 s import that only HTML inputs need

    html = decode_html(data, name)
    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False,
                                      include_tables=False, favor_precision=True, prune_xpath=PRUNE)
    text = (getattr(doc, "text", None) or "").strip() if doc is not None else ""
    if not text:
        raise InputError(f"{name}: no article text found in the HTML page")
    text = re.sub(r"\n+", "\n\n", text)  # one paragraph per block, so sentences never run across paragraphs
    return Page(text=text, title=doc.title or None, url=doc.url or url, published=_published(doc.date))
