"""Reading articles (text, HTML, bad input, metadata) and marking site boilerplate."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from kg_builder.errors import ConfigError
from kg_builder.extraction.furniture import boilerplate_scores, find_boilerplate
from kg_builder.extraction.text import (
    ArticleError,
    MetadataError,
    decode_bytes,
    html_to_text,
    read_corpus,
    read_document,
)

DATA = Path(__file__).parent / "data" / "extract"
CORPUS = Path("/work/shared/corpus")
GOLD = Path("/work/shared/gold")

ARTICLE = (
    "Men queue at the border\n\n"
    "Hundreds of men queued at the border crossing on Friday, officials said.\n\n"
    "One of them, Ivan, said he would travel on to Georgia.\n"
)


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def marked(text: str, headline: str | None = None) -> list[str]:
    return [text[s:e] for s, e in find_boilerplate(text, headline)]


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"", "empty file"),
        (b"  \n\t \r\n  ", "only whitespace"),
        (b"PK\x03\x04\x00\x00binary\x00zip", "NUL bytes"),
        (bytes(range(1, 9)) * 50 + b"some text", "control characters"),
    ],
)
def test_bad_files_raise_article_error(tmp_path, content, reason):
    path = write(tmp_path, "bad.txt", content)
    with pytest.raises(ArticleError) as info:
        read_document(path)
    assert reason in info.value.reason
    assert info.value.path == str(path)
    assert isinstance(info.value, ValueError)


def test_file_larger_than_max_bytes_is_skipped_not_truncated(tmp_path):
    path = write(tmp_path, "long.txt", ARTICLE * 20)
    with pytest.raises(ArticleError) as info:
        read_document(path, max_bytes=100)
    assert "larger than 100 bytes; raise --max-bytes to read it" in info.value.reason
    doc = read_document(path, max_bytes=10_000)
    assert doc.text == ARTICLE * 20


def test_cp1252_is_decoded_with_a_warning(tmp_path):
    text = "Andre\u00ef said: \u201cI won\u2019t go\u201d \u2014 at a caf\u00e9 in Z\u00fcrich.\n"
    doc = read_document(write(tmp_path, "legacy.txt", text.encode("cp1252")))
    assert doc.text == text
    assert doc.encoding == "cp1252"
    assert any("decoded as cp1252" in w for w in doc.warnings)


def test_cyrillic_legacy_encoding_is_detected():
    text = "\u0410\u043d\u0434\u0440\u0435\u0439 \u0441\u043a\u0430\u0437\u0430\u043b: " * 3
    decoded, encoding, warnings = decode_bytes(text.encode("cp1251"))
    assert decoded == text and encoding == "cp1251" and warnings


def test_utf8_bom_is_removed_and_offsets_refer_to_decoded_text(tmp_path):
    doc = read_document(write(tmp_path, "bom.txt", b"\xef\xbb\xbf" + ARTICLE.encode()))
    assert doc.text == ARTICLE
    assert doc.text.index("Hundreds") == ARTICLE.index("Hundreds")
    assert doc.warnings == []


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads anything")
def test_unreadable_file_is_skipped(tmp_path):
    path = write(tmp_path, "secret.txt", ARTICLE)
    path.chmod(0)
    try:
        docs, skipped = read_corpus(tmp_path)
    finally:
        path.chmod(0o644)
    assert docs == [] and "permission denied" in skipped[0].reason


def test_permission_error_becomes_a_skip_reason(tmp_path, monkeypatch):
    """The same path as an unreadable file, exercised even when the tests run as root."""
    path = write(tmp_path, "locked.txt", ARTICLE)

    def refuse(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "open", refuse)
    with pytest.raises(ArticleError) as info:
        read_document(path)
    assert info.value.reason == "cannot be read: permission denied"


def test_corpus_run_goes_on_after_bad_files(tmp_path):
    write(tmp_path, "a.txt", "")
    write(tmp_path, "b.txt", ARTICLE)
    write(tmp_path, "c.text", b"\x00\x01\x02")
    write(tmp_path, "d.md", ARTICLE)
    write(tmp_path, "notes.csv", "a,b\n")  # not an article
    docs, skipped = read_corpus(tmp_path)
    assert [d.id for d in docs] == ["b", "d"]
    assert {Path(s.path).name: s.reason for s in skipped} == {
        "a.txt": "empty file",
        "c.text": "binary file (contains NUL bytes), not text",
    }


# --- metadata ---------------------------------------------------------------------------------

META = """\
- id: first
  file: one.txt
  headline: "Men queue at the border"
  published: "2022-09-23"
- id: second
  file: two.txt
  published: "2022-13"
- id: ghost
  file: missing.txt
"""


def test_metadata_ids_dates_missing_and_unlisted_files(tmp_path):
    write(tmp_path, "sources.yaml", META)
    write(tmp_path, "one.txt", ARTICLE)
    write(tmp_path, "two.txt", ARTICLE)
    write(tmp_path, "three.txt", ARTICLE)
    docs, skipped = read_corpus(tmp_path)
    by_id = {d.id: d for d in docs}
    assert sorted(by_id) == ["first", "second", "three"]
    first = by_id["first"]
    assert first.published.text == "2022-09-23" and first.published.precision == "day"
    assert first.metadata["headline"] == "Men queue at the border"
    assert by_id["second"].published is None
    assert any("published date ignored" in w for w in by_id["second"].warnings)
    assert any("not listed in sources.yaml" in w for w in by_id["three"].warnings)
    assert by_id["three"].metadata == {}
    assert len(skipped) == 1 and skipped[0].path.endswith("missing.txt")
    assert "line 9" in skipped[0].reason and "does not exist" in skipped[0].reason


def test_metadata_given_explicitly_and_entry_without_file(tmp_path):
    meta = write(tmp_path, "meta.yml", "- id: one\n  published: '2022'\n")
    (tmp_path / "corpus").mkdir()
    write(tmp_path / "corpus", "one.txt", ARTICLE)
    docs, skipped = read_corpus(tmp_path / "corpus", metadata=meta)
    assert skipped == [] and docs[0].published.precision == "year"
    assert docs[0].warnings == []


def test_without_metadata_the_id_is_the_file_stem(tmp_path):
    write(tmp_path, "story-42.txt", ARTICLE)
    (doc,), _ = read_corpus(tmp_path)
    assert doc.id == "story-42" and doc.published is None and doc.warnings == []


def test_metadata_naming_a_non_article_file_or_a_file_twice(tmp_path):
    write(tmp_path, "scan.pdf", b"%PDF-1.4")
    write(tmp_path, "sources.yaml", "- id: scan\n  file: scan.pdf\n")
    docs, skipped = read_corpus(tmp_path)
    assert docs == [] and "not an article file" in skipped[0].reason
    write(tmp_path, "a.txt", ARTICLE)
    write(tmp_path, "sources.yaml", "- id: a\n  file: a.txt\n- id: b\n  file: a.txt\n")
    with pytest.raises(MetadataError) as info:
        read_corpus(tmp_path)
    assert info.value.line == 3 and "named twice" in str(info.value)


def test_missing_corpus_folder_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError):
        read_corpus(tmp_path / "nope")


def test_malformed_metadata_names_file_and_line(tmp_path):
    write(tmp_path, "sources.yaml", "- id: a\n  file: a.txt\n- id: [b\n  file: b.txt\n")
    write(tmp_path, "a.txt", ARTICLE)
    with pytest.raises(MetadataError) as info:
        read_corpus(tmp_path)
    assert "sources.yaml" in str(info.value) and info.value.line in (3, 4, 5)


def test_metadata_entry_of_wrong_shape(tmp_path):
    write(tmp_path, "sources.yaml", "- id: a\n- just a string\n")
    with pytest.raises(MetadataError) as info:
        read_corpus(tmp_path)
    assert info.value.line == 2 and "not a mapping" in str(info.value)


# --- HTML -------------------------------------------------------------------------------------


def test_html_page_visible_text_headline_and_date():
    doc = read_document(DATA / "page.html")
    text = doc.text
    assert doc.format == "html"
    for hidden in ("tracker", "font-family", "Home", "Herald", "JavaScript", "Most read",
                   "Your comment", "Copyright", "vector label"):
        assert hidden not in text, hidden
    sentence = "Queues of cars grew at the crossing near Imatra on Tuesday, local officials said."
    start = text.index(sentence)
    assert text[start:start + len(sentence)] == sentence
    assert "Maria & her brother Pavel waited nine hours before they\nreached" in text
    assert "\u201cWe will not go back,\u201d Pavel said." in text
    assert doc.metadata["headline"] == "Border town sees queues grow"
    assert doc.published.text == "2023-03-14"
    assert text.startswith("We use cookies") or "Border town sees queues grow" in text
    assert not doc.in_boilerplate(start, start + len(sentence))


def test_html_furniture_is_marked_not_deleted():
    doc = read_document(DATA / "page.html")
    spans = [doc.text[s:e] for s, e in doc.boilerplate]
    assert "Cars wait at the crossing. Photo: Jane Roe/Example Agency" in spans
    assert "Share Tweet Email" in spans
    assert any("We use cookies" in s for s in spans)
    assert "Ferry prices rise again" in spans and "Related" in spans
    body = " ".join(doc.text[s:e] for s, e in doc.body_spans())
    assert "Imatra" in body and "Pavel said" in body and "Ferry" not in body


def test_html_time_element_and_title_fallbacks_metadata_wins(tmp_path):
    page = (
        "<html><head><title>Only a title</title></head><body>"
        "<p>Posted <time datetime='2021-05-02'>2 May</time>.</p>"
        "<div class='article-body'><p>A long enough paragraph of the story itself.</p></div>"
        "</body></html>"
    )
    got = html_to_text(page)
    assert got.headline == "Only a title" and got.published == "2021-05-02"
    path = write(tmp_path, "p.htm", page)
    doc = read_document(path, metadata={"headline": "Given", "published": "2020-01"})
    assert doc.metadata["headline"] == "Given" and doc.published.text == "2020-01"


def test_html_wrapper_with_furniture_name_keeping_the_article_is_not_marked():
    page = (
        "<html><body><div class='page has-sidebar'><h1>Title</h1>"
        "<p>The whole story is inside this wrapper.</p></div></body></html>"
    )
    got = html_to_text(page)
    assert got.boilerplate == [] and "whole story" in got.text


def test_html_nested_too_deeply_is_never_shortened_silently(tmp_path):
    page = "<html><body>" + "<div><p>Words of the story.</p>" * 3000 + "</body></html>"
    doc = read_document(write(tmp_path, "deep.html", page))
    assert any("some text is missing" in w for w in doc.warnings)


def test_html_sniffed_in_a_txt_file(tmp_path):
    path = write(tmp_path, "saved.txt", "<!DOCTYPE html><html><body><p>Hello there.</p></body>")
    doc = read_document(path)
    assert doc.format == "html" and doc.text == "Hello there."


# --- boilerplate in plain text ----------------------------------------------------------------


def test_photo_credits():
    text = (
        "A convoy crossed the bridge.\n"
        "Soldiers at a checkpoint near the border.Photo: Anna Smith/Example Images\n"
        "Photo: John Doe\n"
        "Refugees wait for a bus (Photo: Jan Novak/AFP) in the rain.\n"
        "Sergei Ivanov/AFP via Getty Images\n"
        "Credit: Example Agency\n"
    )
    assert marked(text) == [
        "Photo: Anna Smith/Example Images",
        "Photo: John Doe",
        "(Photo: Jan Novak/AFP)",
        "Sergei Ivanov/AFP via Getty Images",
        "Credit: Example Agency",
    ]


def test_links_teasers_comments_and_navigation():
    body = "The minister spoke to reporters in the capital on Monday morning. " * 4
    text = (
        "Skip to content\n"
        f"{body}\n"
        "See also\u00a0 Floods hit the coast after a week of rain.\n"
        "Read more: Prices rise again\n"
        f"{body}\n"
        "Share\nTweet\n"
        "PREV Storm closes airport\n"
        "NEXT Elections in the north\n"
        "- \n***\n"
        "You may also like\n\n"
        "A company helps businesses flourish in a digital world.\n"
        "press release\n"
        "Analysts reiterated an Outperform rating on shares of a cinema chain.\n"
    )
    got = marked(text)
    assert body.strip() not in got
    assert got == [
        "Skip to content",
        "See also\u00a0 Floods hit the coast after a week of rain.",
        "Read more: Prices rise again",
        "Share",
        "Tweet",
        "PREV Storm closes airport",
        "NEXT Elections in the north",
        "-",
        "***",
        "You may also like",
        "A company helps businesses flourish in a digital world.",
        "press release",
        "Analysts reiterated an Outperform rating on shares of a cinema chain.",
    ]


def test_comment_box_cookie_notice_byline_and_stamp():
    text = (
        "By Jane Doe and John Roe\n"
        "Published: 24 September 2022, 10:15 GMT\n"
        "The story begins here and goes on for a while.\n"
        "We use cookies to give you the best experience on our website.\n"
        "About Author\n"
        "Comments are closed.\n"
        "Leave a Reply\n"
        "Your email address will not be published. Required fields are marked *\n"
    )
    got = marked(text)
    assert "The story begins here and goes on for a while." not in got
    assert len(got) == 7


def test_repeated_headline_kept_once_and_navigation_above_it():
    headline = "\u2018We are leaving\u2019: men flee the call-up"
    text = (
        "Latest News\n\n"
        f"{headline}\n\n"
        f"{headline}\n"
        "The men left on Friday.\n"
    )
    got = find_boilerplate(text, "'We are leaving': men flee the call-up")
    first = text.index(headline)
    second = text.index(headline, first + 1)
    assert got == [(0, len("Latest News")), (second, second + len(headline))]
    # without a known headline, an exact repeat of the first line is still found
    assert find_boilerplate(f"{headline}\n{headline}\nBody text.\n") == [
        (len(headline) + 1, 2 * len(headline) + 1)
    ]


def test_near_copy_of_the_headline_is_marked_and_the_exact_one_kept():
    headline = "Deserters in France call on soldiers to flee the army"
    broken = "Deserters in call on soldiers to flee the army"
    text = f"{broken}\n{headline}\nThe story.\n"
    assert marked(text, headline) == [broken]
    assert marked(text) == []  # unknown headline: a variant line may be the real one


def test_article_sentences_about_photos_and_related_things_are_kept():
    sentences = [
        "He showed us a photo: it was his son in uniform.",
        "Photographs of the queue were shared on social media, the agency said.",
        "See you in Tbilisi, he told his brother before leaving.",
        "Next day, they crossed into Kazakhstan.",
        "The comments he made to AFP were later confirmed by Reuters.",
        "Related to this, the ministry said that the decree was final.",
        "Share prices fell sharply in Moscow on Monday.",
        "He was seen by a doctor, who said the man could travel.",
        "By the end of September, more than 200,000 people had left.",
        "The image of the border: long lines of cars, said one driver.",
        "Associated Press writers in Berlin and Warsaw contributed.",
        "\u201cI have nothing left there,\u201d he told AFP.",
        "Recommended by friends, the lawyer took the case.",
        "On 24 September 2022, Finland closed the crossing.",
        "Copyright law was changed last year, the minister said.",
        "Tags on the cars showed they came from St. Petersburg.",
    ]
    text = "A headline about the border\n\n" + "\n\n".join(sentences) + "\n"
    assert find_boilerplate(text, "A headline about the border") == []


def test_spans_are_sorted_non_overlapping_and_exclude_newlines():
    text = "Share\r\nPhoto: A/B\r\nText of the article.\r\nComments\r\n"
    spans = find_boilerplate(text)
    assert spans == sorted(spans)
    assert all(e <= s2 for (_, e), (s2, _) in zip(spans, spans[1:]))
    assert [text[s:e] for s, e in spans] == ["Share", "Photo: A/B", "Comments"]


def test_boilerplate_scores():
    text = "a" * 100
    s = boilerplate_scores([(0, 10), (50, 60)], [(0, 20), (90, 100)], text)
    assert s["char_precision"] == 0.5 and s["char_recall"] == 10 / 30
    assert s["gold_found"] == 1 and s["span_recall"] == 0.5  # (0,20) is half covered
    assert s["predicted_correct"] == 1 and s["missed"] == [(90, 100)]
    assert boilerplate_scores([], [], text)["char_f1"] == 1.0


# --- the real corpus --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus():
    if not (CORPUS.is_dir() and GOLD.is_dir()):
        pytest.skip("shared corpus and gold not present")
    docs, skipped = read_corpus(CORPUS)
    gold = {
        d.id: json.loads((GOLD / f"{d.id}.json").read_text(encoding="utf-8")) for d in docs
    }
    return docs, skipped, gold


def test_corpus_read_with_metadata(corpus):
    docs, skipped, _ = corpus
    assert skipped == [] and len(docs) == 5
    assert all(d.warnings == [] and d.format == "text" for d in docs)
    assert {d.id: d.published.text for d in docs}["002_aa80568b4da406dd"] == "2022-09-23"
    for doc in docs:  # plain text is the file decoded, unchanged: gold offsets agree
        assert doc.text == doc.path.read_text(encoding="utf-8")


def test_corpus_boilerplate_against_gold(corpus):
    docs, _, gold = corpus
    offset, predicted, expected, whole = 0, [], [], ""
    for doc in docs:
        spans = [(b["start"], b["end"]) for b in gold[doc.id]["boilerplate"]]
        for b in gold[doc.id]["boilerplate"]:  # every gold span, one by one
            assert doc.text[b["start"]:b["end"]] == b["text"]
            covered = sum(e - s for s, e in doc.boilerplate
                          if s >= b["start"] and e <= b["end"])
            assert covered >= 0.5 * (b["end"] - b["start"]), (doc.id, b["text"])
        for m in gold[doc.id]["mentions"]:  # no article mention is lost
            assert not doc.in_boilerplate(m["start"], m["end"]), (doc.id, m)
        predicted += [(s + offset, e + offset) for s, e in doc.boilerplate]
        expected += [(s + offset, e + offset) for s, e in spans]
        whole += doc.text
        offset = len(whole)
    scores = boilerplate_scores(predicted, expected, whole)
    assert scores["span_recall"] >= 0.9 and scores["char_precision"] >= 0.95
    assert scores["char_f1"] >= 0.95


def test_skip_links_wire_captions_appeals_and_repeated_captions():
    caption = ("FILE - A man is pictured at the border crossing near the town, Sept. 27, 2022. "
               "Thousands crossed that week.")
    quote = "Nobody asked us whether we wanted to go, and nobody will ask us again, he said."
    text = (
        "1. Skip to content\n2. Skip to main menu\nAccessibility links\nBreaking News\n"
        "A headline about the border\n"
        f"{caption}\n{caption}\n"
        "The men left on Friday, a volunteer said.\n"
        f"{quote}\n"
        "Support for the war fell in the autumn, a pollster said.\n"
        "Your support helped us, she told the volunteers in the shelter.\n"
        f"{quote}\n"
        "(Jane Roe / AFP via Getty Images)\n"
        "Support independent journalism in the Caucasus: Join today\n"
        "Our journalism is banned in Russia. We need your help to keep providing you with news.\n"
        "Become a member\n"
    )
    got = marked(text, "A headline about the border")
    assert got[:4] == ["1. Skip to content", "2. Skip to main menu", "Accessibility links",
                       "Breaking News"]
    assert got.count(caption) == 2  # a wire caption, both copies
    assert quote not in got  # a line repeated further down is the article's own
    doubled = "Russian men wait in a long queue at the crossing on a cold morning."
    again = f"{doubled}\n{doubled}\nThe men left on Friday.\n"
    assert find_boilerplate(again) == [(len(doubled) + 1, 2 * len(doubled) + 1)]
    for kept in ("The men left on Friday, a volunteer said.",
                 "Support for the war fell in the autumn, a pollster said.",
                 "Your support helped us, she told the volunteers in the shelter."):
        assert kept not in got
    assert "(Jane Roe / AFP via Getty Images)" in got
    assert "Support independent journalism in the Caucasus: Join today" in got
    assert "Become a member" in got
    assert any(g.startswith("Our journalism is banned") for g in got)
