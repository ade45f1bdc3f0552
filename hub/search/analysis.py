"""Text analysis per language: which analyzer turns a document's (or a query's) text into terms.

Every document is indexed in the fields of its own language group, so a French text is stemmed as
French and a query is analysed once per group present in the index. Languages Whoosh has no stemmer
for fall back to lower-casing and accent folding; Chinese, Japanese and Korean text, which has no
spaces between words, is cut into overlapping character pairs (bigrams), as Lucene's CJK analyzer
does, because Whoosh ships no segmenter and a whole clause would otherwise be a single term.
"""

from __future__ import annotations

import re
from functools import cache

from whoosh.analysis import (
    Analyzer,
    CharsetFilter,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
    Token,
    Tokenizer,
)
from whoosh.lang import has_stemmer, has_stopwords, stemmer_for_language, stopwords_for_language
from whoosh.support.charset import accent_map

# Analyzer groups, each a suffix of the text fields ("body_fr"). "cjk" covers zh, ja and ko;
# "xx" is the fallback for every language without a stemmer.
STEMMED = ("en", "fr", "es", "ru", "ar", "pt", "de", "it", "nl")
GROUPS: tuple[str, ...] = (*STEMMED, "cjk", "xx")
CJK_LANGUAGES = frozenset({"zh", "ja", "ko"})

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_CJK_RUN = re.compile(f"[{_CJK}]+")
_TOKEN = re.compile(rf"[{_CJK}]+|[^\W_{_CJK}]+(?:['’][^\W_{_CJK}]+)*", re.UNICODE)


def group_for(language: str) -> str:
    """The analyzer group for a language code such as "fr", "zh-Hans" or "pt-BR"."""
    base = (language or "").split("-")[0].split("_")[0].lower()
    if base in STEMMED:
        return base
    if base in CJK_LANGUAGES:
        return "cjk"
    return "xx"


class CjkBigramTokenizer(Tokenizer):
    """Words as words, and runs of CJK characters as overlapping pairs of characters."""

    def __call__(  # noqa: PLR0913 - Whoosh's tokenizer protocol
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: object,
    ):  # noqa: ANN204
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        pos = start_pos
        for match in _TOKEN.finditer(value):
            text, start = match.group(), match.start()
            if _CJK_RUN.fullmatch(text):
                pieces = (
                    [(text, start)]
                    if len(text) == 1
                    else [(text[i : i + 2], start + i) for i in range(len(text) - 1)]
                )
            else:
                pieces = [(text, start)]
            for piece, offset in pieces:
                token.text = piece
                token.boost = 1.0
                token.stopped = False
                if keeporiginal:
                    token.original = piece
                if positions:
                    token.pos = pos
                    pos += 1
                if chars:
                    token.startchar = start_char + offset
                    token.endchar = start_char + offset + len(piece)
                yield token


# --- Arabic ---

# Short vowels, shadda, sukun, the superscript alef and the tatweel (kashida) are left out; the
# forms of alef with hamza or madda become a bare alef, alef maqsura a yaa and taa marbuta a haa,
# as Lucene's ArabicNormalizationFilter does, so spelling variants of one word meet.
_ARABIC_DROP = dict.fromkeys(
    map(ord, "\u0640\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0670")
)
_ARABIC_FOLD = str.maketrans(
    {"\u0622": "\u0627", "\u0623": "\u0627", "\u0625": "\u0627", "\u0671": "\u0627",
     "\u0649": "\u064a", "\u0629": "\u0647"} | _ARABIC_DROP
)  # fmt: skip


def normalise_arabic(text: str) -> str:
    """Arabic spelling variants folded to one form (see ``_ARABIC_FOLD``)."""
    return text.translate(_ARABIC_FOLD)


class ArabicNormaliser(Filter):
    def __call__(self, tokens):  # noqa: ANN001, ANN204
        for t in tokens:
            t.text = t.text.translate(_ARABIC_FOLD)
            if t.text:
                yield t


# Function words (prepositions, conjunctions, pronouns, particles and auxiliaries), with and
# without the attached "wa-" (and); written here unnormalised and folded like the text.
_ARABIC_STOPWORDS = """
في وفي من ومن منها منه الى إلى على عن مع عند لدى بين وبين حتى منذ خلال ضمن نحو حول دون
عبر لدي و ف ثم أو او أم بل لا ولا لم ولم لن ولن ما وما كما فما إن أن ان إنه أنه انه إنها أنها
انها بأن وأن وإن كل وكل بعض غير سوى أي أى ايضا أيضا قد وقد لقد هو هي وهو وهي هم هن نحن
أنت انت هذا هذه هذان هاتان هؤلاء ذلك تلك أولئك الذي التي الذين اللذين اللتين اللاتي اللواتي
والذي والتي والذين كان كانت يكون تكون وكان وكانت ليس وليس لكن ولكن إذا اذا إذ عندما كي لكي
حيث بما فيما مما عما بها به فيها فيه لها له لهم عليها عليه عليهم بعد قبل أمام تحت فوق جميع
""".split()  # noqa: SIM905 - readable lines of words


@cache
def arabic_stopwords() -> frozenset[str]:
    return frozenset(normalise_arabic(w) for w in _ARABIC_STOPWORDS)


@cache
def analyzer_for(group: str) -> Analyzer:
    """One group's analyzer, cached so all fields of a group share it and its stem cache."""
    if group == "cjk":
        return CjkBigramTokenizer() | LowercaseFilter() | CharsetFilter(accent_map)
    chain = RegexTokenizer() | LowercaseFilter()
    if group == "ar":
        chain = chain | ArabicNormaliser() | StopFilter(stoplist=arabic_stopwords(), minsize=1)
    if group in STEMMED:
        if has_stopwords(group):
            chain = chain | StopFilter(stoplist=stopwords_for_language(group), minsize=1)
        if has_stemmer(group):
            chain = chain | StemFilter(stemfn=stemmer_for_language(group), cachesize=50000)
    return chain | CharsetFilter(accent_map)


@cache
def vocabulary_analyzer() -> Analyzer:
    """Unstemmed, folded words: the vocabulary that "did you mean" suggestions come from."""
    return RegexTokenizer() | LowercaseFilter() | CharsetFilter(accent_map)
