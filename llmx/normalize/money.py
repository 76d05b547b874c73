"""Money as the text states it: amount and ISO 4217 currency, never converted.

"1,7-Milliarden-Dollar", "$1.7bn", "300 Millionen Dollar", "zwei Milliarden Euro":
the model copies the words, this module reads them. Reading is deterministic
while small models routinely drop a "billion" when asked for the number, and
no exchange rate is ever applied.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

import pycountry

@dataclass(frozen=True)
class Money:
    """An amount in its original currency; converting needs rates we do not have."""

    value: float
    currency: str  # ISO 4217


_CURRENCIES: tuple[tuple[str, str], ...] = (  # (regex, ISO 4217); specific before generic
    (r"kanadischen? dollar|canadian dollars?", "CAD"), (r"australischen? dollar|australian dollars?", "AUD"),
    (r"hong ?kong dollars?", "HKD"), (r"schweizer franken|swiss francs?|franken", "CHF"),
    (r"us\$|\$|dollars?", "USD"), (r"€|euros?", "EUR"), (r"£|pfund|pounds?(?: sterling)?|sterling", "GBP"),
    (r"₽|rubel|roubles?|rubles?", "RUB"), (r"yuan|renminbi", "CNY"), (r"¥|yen", "JPY"),
    (r"₹|rupien|rupees?", "INR"), (r"₺|lira", "TRY"), (r"₪|sc?hekel|shekels?", "ILS"), (r"rials?", "IRR"),
    (r"riyals?", "SAR"), (r"dirhams?", "AED"), (r"hryvnias?|griwna", "UAH"),
)
_CURRENCY_RE = re.compile("|".join(  # not inside a word, but "$1.7bn" / "€2" are fine
    rf"(?P<c{i}>(?<![^\W\d_])(?:{p})(?![^\W\d_]))" for i, (p, _) in enumerate(_CURRENCIES)), re.IGNORECASE)
_ISO_CODE_RE = re.compile(r"\b[A-Z]{3}\b")

_SCALES = {**dict.fromkeys(("tausend", "thousand", "tsd", "k"), 1e3),
           **dict.fromkeys(("million", "millions", "millionen", "mio", "mn", "mln", "m"), 1e6),
           **dict.fromkeys(("milliarde", "milliarden", "mrd", "billion", "billions", "bn", "b"), 1e9),
           **dict.fromkeys(("billionen", "trillion", "trillions", "tn"), 1e12)}
_GERMAN_NUMBERS = {**dict.fromkeys(("ein", "eine", "einen", "einem", "einer", "eins"), 1), "zwei": 2, "drei": 3,
                   "vier": 4, "fünf": 5, "sechs": 6, "sieben": 7, "acht": 8, "neun": 9, "zehn": 10, "elf": 11,
                   "zwölf": 12}
_NUMBER_WORDS = {**_GERMAN_NUMBERS, "a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
                 "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}
_AMOUNT_RE = re.compile(
    r"(?<![\w.,])(?:(?P<digits>\d[\d.,'\u00a0\u202f]*)|(?P<word>%s)\b)(?:\s*(?P<scale>%s)(?!\w)\.?)?"
    % ("|".join(_NUMBER_WORDS), "|".join(sorted(_SCALES, key=len, reverse=True))), re.IGNORECASE)
# Words only German amounts use; they make "1,700" a decimal and "Billion" 10^12.
_GERMAN_RE = re.compile(r"\b(?:milliarden?|millionen|mrd|mio|tsd|tausend|billionen|franken|rubel|pfund|rund"
                        r"|etwa|knapp|über|von|%s)\b" % "|".join(_GERMAN_NUMBERS), re.IGNORECASE)


def _parse_number(s: str, *, german: bool, scaled: bool) -> Decimal | None:
    """Digits with locale-dependent separators -> Decimal ("1.234,5", "1,700,000", "500.000").

    A lone separator before exactly three digits is ambiguous: "1,700" is a thousands
    comma unless the text is German; "500.000" is a thousands dot unless an English
    text puts a scale word after it ("1.500 billion").
    """
    s = re.sub(r"['\u00a0\u202f]", "", s).rstrip(".,")
    if "." in s and "," in s:
        dec, thou = (".", ",") if s.rfind(".") > s.rfind(",") else (",", ".")
        if s.count(dec) > 1:
            return None
        s = s.replace(thou, "").replace(dec, ".")
    elif "." in s or "," in s:
        sep = "." if "." in s else ","
        head, *groups = s.split(sep)
        if len(groups) > 1:  # "1,700,000,000" / "1.700.000": only thousands groups allowed
            if any(len(g) != 3 for g in groups):
                return None
            s = head + "".join(groups)
        else:
            thousands = len(groups[0]) == 3 and (german or not scaled if sep == "." else not german)
            s = head + ("" if thousands else ".") + groups[0]
    return Decimal(s) if re.fullmatch(r"\d+(\.\d+)?", s) else None


def _spaced(text: str) -> str:
    """Hyphens as spaces ("1,7-Milliarden-Dollar"); same length, so offsets still hold."""
    return text.replace("-", " ").replace("\u2011", " ")


def _currencies(text: str) -> list[tuple[int, int, str]]:
    """(start, end, ISO 4217) of every currency mention: codes, symbols and names."""
    found = [(m.start(), m.end(), m[0]) for m in _ISO_CODE_RE.finditer(text) if pycountry.currencies.get(alpha_3=m[0])]
    return found + [(m.start(), m.end(), _CURRENCIES[int(m.lastgroup[1:])][1]) for m in _CURRENCY_RE.finditer(text)]


def gap(m: re.Match, cur: tuple[int, int, str]) -> int:
    """Characters between an amount and a currency mention."""
    return max(cur[0] - m.end(), m.start() - cur[1], 0)


def parse_money(text: str | None) -> Money | None:
    """Amount and ISO 4217 currency from news wording; None without a number or a currency.

    With several numbers the amount is the one with a scale word ("Milliarden"), then with
    digits, then the one nearest a currency; the currency is the mention nearest to it.
    """
    if text is None:
        return None
    text = _spaced(str(text))
    currencies = _currencies(text)
    if not currencies:
        return None
    best, best_key = None, None
    for m in _AMOUNT_RE.finditer(text):
        key = (bool(m["scale"]), bool(m["digits"]), -min(gap(m, c) for c in currencies))
        if best_key is None or key > best_key:
            best, best_key = m, key
    if best is None:
        return None
    german = _GERMAN_RE.search(text) is not None
    scale_word = (best["scale"] or "").lower()
    scale = 1e12 if scale_word == "billion" and german else _SCALES.get(scale_word, 1)
    if best["digits"]:
        number = _parse_number(best["digits"], german=german, scaled=bool(scale_word))
    else:
        number = Decimal(_NUMBER_WORDS[best["word"].lower()])
    if number is None:
        return None
    currency = min(currencies, key=lambda c: gap(best, c))[2]
    return Money(float(number * Decimal(scale)), currency)


def usd_fields(m: Money | None) -> dict:
    """Record fields for an amount: USD goes to value_usd, anything else keeps its currency."""
    if m is None:
        return {}
    return {"value_usd": m.value} if m.currency == "USD" else {"value": m.value, "currency": m.currency}


NEXT_TO = 5
"""Most characters between a number and its currency ("2 billion US dollars")."""


def amounts_in(text: str) -> list[tuple[str, Money]]:
    """Every amount stated with a currency in ``text``, with its words as written ("1,7-Milliarden-Dollar")."""
    spaced = _spaced(text)
    numbers = list(_AMOUNT_RE.finditer(spaced))
    found = []
    for cur in _currencies(spaced):
        written = spaced[cur[0]:cur[1]]
        word = written.isalpha() and len(written) > 3  # "Dollar", "euros" follow their number; "$", "USD" may lead
        near = [m for m in numbers if gap(m, cur) <= NEXT_TO and (m.end() <= cur[0] or not word)]
        if not near:
            continue
        best = min(near, key=lambda m: gap(m, cur))
        words = text[min(best.start(), cur[0]):max(best.end(), cur[1])].strip()
        money = parse_money(words)
        if money is not None:
            found.append((words, money))
    return found


def stated_amount(amount: str | None, evidence: str) -> str | None:
    """``amount`` as the evidence states it: the same value in the evidence's words and currency, else None.

    The model is asked to copy the amount; a small one rewrites it ("1,7-Milliarden Euro"
    for "1,7-Milliarden-Dollar") or takes it from elsewhere. A value the evidence does
    not state is not reported, and neither is one with no currency ("22", copied from
    "22 Ausfuhrbewilligungen"): a count is no value, and as a fact it keeps two reports of
    one deal from merging.
    """
    mine = parse_money(amount)
    if mine is None:
        return None
    stated = amounts_in(evidence)
    same = [words for words, money in stated if money == mine]
    if same:
        return amount if amount in same else same[0]
    same_value = [words for words, money in stated if money.value == mine.value]
    return same_value[0] if same_value else None

