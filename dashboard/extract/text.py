"""Article text: HTML to plain text, sentence spans, accent folding and quotes.

Everything works on *spans* (start, end) into the text it is given, so a quote is always
an exact substring of that text. Pure standard library.
"""

from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser

#: Words that end with a full stop without ending a sentence.
ABBREVIATIONS: frozenset[str] = frozenset({
    "gen", "lt", "col", "maj", "capt", "cpt", "sgt", "adm", "brig", "cmdr", "mr", "mrs", "ms",
    "dr", "prof", "st", "no", "nos", "vs", "etc", "e.g", "i.e", "approx", "est", "inc", "ltd",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "u.s", "u.k", "u.n", "e.u", "gov", "sen", "rep", "pres", "km", "ca", "fig",
})
#: Letters folded by hand: NFKD leaves them whole (each must map to exactly one character).
_FOLD_EXTRA = {"ł": "l", "ø": "o", "đ": "d", "ß": "s", "æ": "a", "ı": "i", "ħ": "h", "œ": "o",
               "’": "'", "‘": "'"}
_BLOCK_TAGS = frozenset({"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
                         "tr", "table", "section", "article", "header", "footer", "blockquote",
                         "figcaption", "title", "dd", "dt", "hr"})
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "head"})
_HTML = re.compile(r"<(?:[a-zA-Z][\w-]*)(?:\s[^<>]*)?/?>|</[a-zA-Z][\w-]*\s*>")
_BOUNDARY = re.compile(r"[.!?…]+[\"”’')\]]*(?=\s+[\"“‘'(\[]?[A-Z0-9])")
_PARAGRAPH = re.compile(r"\n[ \t]*(?=\S)(?![a-z])|\n\s*\n")


def fold_char(ch: str) -> str:
    """One character, lower-cased and without accents (always exactly one character)."""
    low = ch.lower()
    if len(low) != 1:
        low = ch
    if low in _FOLD_EXTRA:
        return _FOLD_EXTRA[low]
    base = unicodedata.normalize("NFKD", low)[:1]
    return base if base and not unicodedata.combining(base) else low


def fold(text: str) -> str:
    """``text`` lower-cased and accent-folded, with the same length (offsets carry over)."""
    return "".join(fold_char(c) for c in text)


class _Extractor(HTMLParser):
    """Collect the visible text of an HTML page, a paragraph break at each block element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self.skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


#: Largest PDF read as an article (bytes) and most pages.
PDF_MAX_BYTES, PDF_MAX_PAGES = 20 * 1024 * 1024, 200


def article_text(raw: bytes, name: str) -> str:
    """The text of an article file: a PDF's text layer (``pypdf``), else the decoded text
    (UTF-8, UTF-16 or Windows-1252; HTML and Markdown stay as written for ``plain_text``).
    ``DataError`` naming the file when it is neither (a scan without text, binary bytes)."""
    from ..importer.text import decode_text
    from ..schema import DataError
    if not raw.startswith(b"%PDF-"):
        return decode_text(raw, name)[0]
    if len(raw) > PDF_MAX_BYTES:
        raise DataError(f"{name}: the PDF is {len(raw) / 1e6:.0f} MB; the limit is "
                        f"{PDF_MAX_BYTES // 1024 // 1024} MB")
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError
    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted:
            raise DataError(f"{name}: the PDF is encrypted; save it without a password first")
        pages = [page.extract_text() or "" for page in reader.pages[:PDF_MAX_PAGES]]
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise DataError(f"{name}: is not a readable PDF ({exc})") from None
    text = "\n\n".join(p.strip() for p in pages if p.strip())
    if not text:
        raise DataError(f"{name}: the PDF has no text layer (a scan?): paste its text instead")
    return text


def looks_like_html(raw: str) -> bool:
    """Whether ``raw`` carries HTML tags (a few, not one stray ``<b>`` in prose)."""
    return len(_HTML.findall(raw[:20000])) >= 2


def plain_text(raw: str) -> str:
    """The plain text of an article given as HTML, Markdown or plain text.

    HTML tags are dropped with the standard library's ``html.parser`` (scripts and styles
    skipped, entities decoded, a paragraph break at each block element); Markdown links
    become their text and heading/emphasis marks go. Plain text comes back unchanged except
    for line-end clean-up. Quotes found by ``propose`` are exact substrings of the text
    ``propose`` is given, so give it the result of this function.
    """
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    if looks_like_html(text):
        parser = _Extractor()
        parser.feed(text)
        parser.close()
        text = "".join(parser.parts)
        text = "\n\n".join(" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip())
        return text
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)           # [text](url)
    text = re.sub(r"(?m)^\s{0,3}#{1,6}\s+", "", text)                  # headings
    text = re.sub(r"(?m)^\s{0,3}>\s?", "", text)                       # block quotes
    text = re.sub(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1", r"\2", text)       # bold
    text = re.sub(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])", r"\1", text)  # italics
    return text


def _abbreviation_before(text: str, stop: int) -> bool:
    """Whether the full stop at ``stop`` ends an abbreviation or an initial (``Gen.``, ``U.S.``)."""
    m = re.search(r"([\w.]+)\.$", text[max(0, stop - 20):stop + 1])
    if not m:
        return False
    word = m.group(1).lower()
    return word in ABBREVIATIONS or bool(re.fullmatch(r"(?:\w\.)*\w", word) and len(word) <= 3
                                          and word.replace(".", "").isalpha()
                                          and len(word.replace(".", "")) <= 2)


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans of ``text``: paragraph/line breaks and sentence-final punctuation end a
    sentence, except after an abbreviation or initial; decimals never split."""
    spans: list[tuple[int, int]] = []
    starts = [0] + [m.end() for m in _PARAGRAPH.finditer(text)]
    ends = [m.start() for m in _PARAGRAPH.finditer(text)] + [len(text)]
    for p_start, p_end in zip(starts, ends, strict=True):
        chunk_start = p_start
        for m in _BOUNDARY.finditer(text, p_start, p_end):
            if text[m.start()] == "." and _abbreviation_before(text, m.start()):
                continue
            spans.append((chunk_start, m.end()))
            chunk_start = m.end()
        spans.append((chunk_start, p_end))
    out = []
    for a, b in spans:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            out.append((a, b))
    return out


def quote_span(text: str, span: tuple[int, int], focus: int, max_words: int = 30
               ) -> tuple[int, int]:
    """The sentence ``span``, cut at word boundaries to at most ``max_words`` words keeping
    the word at offset ``focus`` (the trigger) inside."""
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", text[span[0]:span[1]])]
    words = [(span[0] + a, span[0] + b) for a, b in words]
    if len(words) <= max_words:
        return span
    at = next((i for i, (a, b) in enumerate(words) if a <= focus < b or focus < a), len(words) - 1)
    first = max(0, min(at - max_words // 3, len(words) - max_words))
    return words[first][0], words[first + max_words - 1][1]
