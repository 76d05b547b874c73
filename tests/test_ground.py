import random
import string
from pathlib import Path

import pytest

from llmx.pipeline.ground import ground
from llmx.pipeline.ground import Span, align_quote, repeats
from llmx.pipeline.prepare import clean, sentences
from llmx.schemas.arms_deal import ArmsDeal

DE = (
    "Diese Woche wurden Russland und Iran von Ken McCallum, dem Chef des britischen "
    "Inlandsgeheimdienstes MI5, beschuldigt, auf britischem Boden einen „erstaunlichen“ "
    "Anstieg von Attentats-, Sabotage- und anderen Verbrechen begangen zu haben."
)


def check(span: Span | None, source: str, start: int, end: int, kind: str) -> Span:
    assert span is not None
    assert (span.start, span.end, span.match) == (start, end, kind)
    assert span.text == source[start:end]
    return span


def test_exact_offsets():
    s = align_quote("Ken McCallum", DE)
    check(s, DE, DE.index("Ken"), DE.index("Ken") + 12, "exact")
    assert s.score == 100.0
    assert s.to_dict() == {"text": "Ken McCallum", "start": 41, "end": 53, "match": "exact"}


def test_added_german_quote_marks_and_trailing_period():
    s = align_quote("„Russland und Iran von Ken McCallum.“ ", DE)
    check(s, DE, 19, 53, "exact")
    assert s.text == "Russland und Iran von Ken McCallum"


def test_ellipsis_wrapped_quote():
    s = align_quote("...anderen Verbrechen begangen…", DE)
    start = DE.index("anderen")
    check(s, DE, start, start + len("anderen Verbrechen begangen"), "exact")


def test_curly_vs_straight_quotes():
    q = 'einen "erstaunlichen" Anstieg'
    s = align_quote(q, DE)
    start = DE.index("einen „")
    check(s, DE, start, start + len(q), "normalized")
    assert s.text == "einen „erstaunlichen“ Anstieg"


def test_whitespace_and_newline_differences():
    src = "Der Chef des\n  britischen\tInlandsgeheimdienstes MI5 sagte."
    s = align_quote("des britischen Inlandsgeheimdienstes", src)
    check(s, src, 9, 47, "normalized")
    assert s.text == "des\n  britischen\tInlandsgeheimdienstes"


def test_case_difference_is_normalized():
    s = align_quote("ken mccallum", DE)
    check(s, DE, 41, 53, "normalized")


def test_hyphenation_across_line_break():
    src = "Ein Anstieg von Attentats-\nversuchen wurde gemeldet."
    s = align_quote("Attentatsversuchen wurde", src)
    check(s, src, 16, 42, "normalized")
    assert s.text == "Attentats-\nversuchen wurde"


def test_real_hyphen_is_kept_without_line_break():
    s = align_quote("Attentats-, Sabotage- und anderen", DE)
    assert s is not None and s.match == "exact"
    # Hyphens followed by a plain space are not hyphenation; don't join them.
    assert align_quote("Attentats, Sabotageund", DE, min_score=100) is None


def test_soft_hyphen_removed():
    src = "Die Inlands\u00adgeheim\u00addienste warnen."
    s = align_quote("Inlandsgeheimdienste", src)
    check(s, src, 4, 26, "normalized")


def test_eszett_casefold_maps_back_to_source_offsets():
    src = "Die STRASSE ist gesperrt. Auf der Großen Straße stand ein Auto."
    s = align_quote("GROSSEN STRASSE", src)
    check(s, src, 34, 47, "normalized")
    assert s.text == "Großen Straße"
    # Match ending right after "ß" must include the whole char.
    s = align_quote("großen stras", src)
    check(s, src, 34, 46, "normalized")
    assert s.text == "Großen Straß"
    s = align_quote("STRASSE STAND", src)
    check(s, src, 41, 53, "normalized")
    assert s.text == "Straße stand"


def test_dashes_normalized():
    src = "Die Jahre 2019–2021 waren schwierig."
    s = align_quote("2019-2021 waren", src)
    check(s, src, 10, 25, "normalized")


def test_fuzzy_one_word_typo():
    q = "beschuldigt, auf britischem Bodden einen erstaunlichen Anstieg"
    s = align_quote(q, DE)
    start = DE.index("beschuldigt")
    end = DE.index(" von Attentats")
    check(s, DE, start, end, "fuzzy")
    assert 88.0 <= s.score < 100.0
    d = s.to_dict()
    assert d["match"] == "fuzzy" and "score" in d


def test_fuzzy_snaps_to_word_boundaries():
    # Typo at the start; the span must not cut "Chef" in half.
    s = align_quote("Chfe des britischen Inlandsgeheimdienstes", DE)
    assert s is not None and s.match == "fuzzy"
    assert s.text == "Chef des britischen Inlandsgeheimdienstes"


def test_absent_quote_returns_none():
    assert align_quote("Frankreich verhängt neue Sanktionen gegen China", DE) is None


def test_fuzzy_respects_min_score():
    q = "beschuldigt, auf britischem Bodden einen erstaunlichen Anstieg"
    assert align_quote(q, DE, min_score=99.5) is None


def test_empty_and_decoration_only_quotes():
    assert align_quote("", DE) is None
    assert align_quote("   \n", DE) is None
    assert align_quote("„…“", DE) is None


def test_first_occurrence_when_repeated():
    src = "Iran sagt nein. Dann sagt Iran nein."
    check(align_quote("Iran", src), src, 0, 4, "exact")
    check(align_quote("IRAN", src), src, 0, 4, "normalized")


def test_cyrillic():
    src = "Президент России Владимир Путин заявил «о новой угрозе» в среду."
    s = align_quote('владимир путин заявил "о новой угрозе"', src)
    start = src.index("Владимир")
    check(s, src, start, src.index(" в среду"), "normalized")
    s = align_quote("Владимир Путин заявил о новой угрозн", src)
    assert s is not None and s.match == "fuzzy"
    assert s.start == start


def test_arabic():
    src = "قال الرئيس إن الحكومة ستعلن عن خطة جديدة يوم الأحد."
    q = "الحكومة ستعلن عن خطة جديدة"
    start = src.index(q)
    check(align_quote(q, src), src, start, start + len(q), "exact")
    check(align_quote(" «الحكومة  ستعلن\nعن خطة جديدة» ", src), src, start, start + len(q), "normalized")


def test_chinese_no_spaces():
    src = "外交部发言人周三表示，中国将继续推动和平谈判，并呼吁各方保持克制。"
    q = "中国将继续推动和平谈判"
    start = src.index(q)
    check(align_quote(f"“{q}。”", src), src, start, start + len(q), "exact")
    # One wrong character: fuzzy, and the span must not swallow the whole sentence.
    s = align_quote("中国将继续推进和平谈判，并呼吁各方保持克制", src)
    assert s is not None and s.match == "fuzzy"
    assert s.start == start and s.text.startswith("中国") and s.text.endswith("克制")


def test_long_quote_is_fast():
    rng = random.Random(7)
    words = ["".join(rng.choices(string.ascii_lowercase + "äöüß", k=rng.randint(2, 10))) for _ in range(2500)]
    src = " ".join(words)[:10_000]
    q = list(src[4000:4600])
    for i in range(0, len(q), 97):
        q[i] = "x"
    q = "".join(q)
    s = align_quote(q, src)
    miss = align_quote(q[::-1], src)
    assert s is not None and s.match == "fuzzy" and abs(s.start - 4000) <= 10
    assert miss is None  # (speed: bench/, not a timed test)


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("Sergey Lavrov", "Kerry traf Lawrow in Wien.", True),
        ("Volodymyr Zelensky", "Selenskyj sagte am Montag", True),
        ("Dmitry Peskov", "Kremlsprecher Peskow erklärte", True),
        ("Alexander Stubb", "Kerry traf Lawrow in Wien.", False),
        ("Juha Martelius", "Ken McCallum, Chef des MI5, warnte", False),
        ("Alexander Stubb", "Alexander Van der Bellen sagte", False),  # the surname decides, not a shared first name
        ("Shigeru Ishiba", "Der Ishibashi-Konzern meldete", False),  # whole words, not the inside of a longer one
        ("Pope Francis", "Papst Franziskus reiste nach Kuba", True),
        ("Vladimir Putin", "Putins Sprecher sagte", True),
        ("Abdel Fattah el-Sisi", "Präsident al-Sisi empfing ihn", True),
    ],
)
def test_person_mentioned_across_transliterations(name, text, expected):
    from llmx.normalize.persons import mentioned

    assert mentioned(name, text) is expected


def test_latin_share():
    from llmx.normalize.text import latin_share

    assert latin_share("Putin traf Pezeshkian") == 1.0
    assert latin_share("Путин встретился") == 0.0


def test_a_repeated_paragraph_is_cited_with_its_first_telling():
    text = (Path(__file__).parent / "data" / "articles" / "seed-putin-pezeshkian.txt").read_text(encoding="utf-8")
    parts = sentences(clean(text))
    first, again = parts[0], parts[11]
    assert repeats(first, parts) == [again] and repeats(again, parts) == [first]
    assert repeats("Share.", parts + ["Share."]) == []
    assert all(repeats(s, parts) == [] for s in parts[1:11])
    deal = ArmsDeal(evidence=[first], supplier="IRN", recipient="RUS", status="signed")
    spans = ground(deal, text, parts).to_dict()["evidence"]
    assert [(s["start"], s["match"]) for s in spans] == [(0, "exact"), (text.index(again), "exact")]


def test_an_article_is_folded_once_for_all_its_non_exact_quotes():
    from llmx.pipeline.ground import _folded

    source = "Der Vertrag über „Patriot“-Systeme\nsoll im Herbst unterzeichnet werden. Danach folgt die Lieferung."
    misses = _folded.cache_info().misses
    assert align_quote('Vertrag über "Patriot"-Systeme soll im Herbst', source).match == "normalized"
    assert align_quote("Danach folgt die Liefrung", source).match == "fuzzy"
    assert _folded.cache_info().misses == misses + 1
