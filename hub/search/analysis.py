"""Text analysis per language: which analyzer turns a document's (or a query's) text into terms.

Every document is indexed in the fields of its own language group, so a French text is stemmed as
French and a query is analysed once per group present in the index. Languages Whoosh has no stemmer
for fall back to lower-casing and accent folding; Chinese, Japanese and Korean text, which has no
spaces between words, is cut into overlapping character pairs (bigrams), as Lucene's CJK analyzer
does, because Whoosh ships no segmenter and a whole clause would otherwise be a single term.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
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

    def __call__(
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
    ):
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
    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
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


def word_chain(group: str) -> Analyzer:
    """The reference definition of a word group's analysis, as a chain of Whoosh filters."""
    chain = RegexTokenizer() | LowercaseFilter()
    if group == "ar":
        chain = chain | ArabicNormaliser() | StopFilter(stoplist=arabic_stopwords(), minsize=1)
    if group in STEMMED:
        if has_stopwords(group):
            chain = chain | StopFilter(stoplist=stopwords_for_language(group), minsize=1)
        if has_stemmer(group):
            chain = chain | StemFilter(stemfn=stemmer_for_language(group), cachesize=50000)
    return chain | CharsetFilter(accent_map)


class WordAnalyzer(Analyzer):
    """A word group's analysis (``word_chain``) that works out each distinct word only once.

    Every filter of the chain looks at one token at a time, so a word always becomes the same
    term (or is stopped). Indexing and ordinary queries therefore take the fast path: the regex
    finds the words and a memo gives each one's term. That replaces the chain's five nested
    generators per token, about half of a rebuild's analysis time. Calls that need the chain's
    other behaviour (stop words kept, no stemming, no tokenizing, original texts) go to the chain
    itself. Tests compare the two token by token.
    """

    MEMO_LIMIT = 200_000  # distinct words remembered; then the memo starts again

    def __init__(self, group: str) -> None:
        self.group = group
        self._setup()

    def _setup(self) -> None:
        self.chain = word_chain(self.group)
        self._pattern = self.chain.items[0].expression
        self._renumber = any(isinstance(item, StopFilter) for item in self.chain.items)
        self._memo: dict[str, str | None] = {}

    def __getstate__(self) -> dict:
        return {"group": self.group}  # the index stores the schema; not the memo

    def __setstate__(self, state: dict) -> None:
        self.group = state["group"]
        self._setup()

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.group == self.group

    def __hash__(self) -> int:
        return hash((type(self), self.group))

    def __repr__(self) -> str:
        return f"WordAnalyzer({self.group!r})"

    def has_morph(self) -> bool:
        return self.chain.has_morph()

    def clean(self) -> None:
        self.chain.clean()
        self._memo.clear()

    def remembered(self) -> int:
        """How many distinct words the memo holds now (at most ``MEMO_LIMIT``)."""
        return len(self._memo)

    def term(self, word: str) -> str | None:
        """The term one word becomes, or None when the chain stops or drops it."""
        memo = self._memo
        if word in memo:
            return memo[word]
        texts = [t.text for t in self.chain(word, tokenize=False)]
        result = texts[0] if texts else None
        if len(memo) >= self.MEMO_LIMIT:
            memo.clear()
        memo[word] = result
        return result

    def __call__(
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
        no_morph: bool = False,
        **kwargs: object,
    ):
        if keeporiginal or not removestops or not tokenize or no_morph:
            return self.chain(
                value, positions=positions, chars=chars, keeporiginal=keeporiginal,
                removestops=removestops, start_pos=start_pos, start_char=start_char,
                tokenize=tokenize, mode=mode, no_morph=no_morph, **kwargs,
            )  # fmt: skip
        return self._tokens(value, positions, chars, start_pos, start_char, mode, kwargs)

    def _tokens(
        self,
        value: str,
        positions: bool,
        chars: bool,
        start_pos: int,
        start_char: int,
        mode: str,
        kwargs: dict,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=True, mode=mode, **kwargs)
        for text, pos, startchar, endchar in self.spans(value, start_pos, start_char):
            token.text = text
            token.boost = 1.0
            token.stopped = False
            if positions:
                token.pos = pos
            if chars:
                token.startchar = startchar
                token.endchar = endchar
            yield token

    def spans(
        self, value: str, start_pos: int = 0, start_char: int = 0
    ) -> Iterator[tuple[str, int, int, int]]:
        """(term, position, start char, end char) for each word kept: the fast path's words,
        without the Token protocol (the index's postings format reads them directly)."""
        memo, term, renumber = self._memo, self.term, self._renumber
        pos = None
        for index, match in enumerate(self._pattern.finditer(value)):
            word = match.group()
            text = memo[word] if word in memo else term(word)
            if text is None:
                continue
            # A stop filter numbers the words it keeps one after another, from the first.
            pos = start_pos + index if pos is None or not renumber else pos + 1
            yield text, pos, start_char + match.start(), start_char + match.end()


@cache
def analyzer_for(group: str) -> Analyzer:
    """One group's analyzer, cached so all fields of a group share it and its memo of words."""
    if group == "cjk":
        return CjkBigramTokenizer() | LowercaseFilter() | CharsetFilter(accent_map)
    return WordAnalyzer(group)


@cache
def vocabulary_analyzer() -> Analyzer:
    """Unstemmed, folded words: the vocabulary that "did you mean" suggestions come from."""
    return RegexTokenizer() | LowercaseFilter() | CharsetFilter(accent_map)
