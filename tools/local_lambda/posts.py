"""Sample posts for the demo and the tests: plausible values for the default model's numeric fields, and a
seeded generator of synthetic posts from templates and vocabulary written for this project.

The default model reads five numeric fields next to the text (DESIGN.md "Input record"). In the training data
they come from LIWC and a sentiment scorer; here they are estimated from the post's own words with small word lists,
on the same scales: `lex_liwc_i` and `lex_liwc_negemo` are percentages of the words, `lex_liwc_Tone` and
`lex_liwc_Clout` are 1..99 summary scores, `sentiment` is -1..1.
"""

from __future__ import annotations

import math
import random
import re

NUMERIC_FIELDS = ("lex_liwc_Tone", "lex_liwc_i", "lex_liwc_negemo", "lex_liwc_Clout", "sentiment")

_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
FIRST_PERSON_SINGULAR = {"i", "me", "my", "mine", "myself", "i'm", "i've", "i'd", "i'll", "im", "ive"}
OTHERS = {"we", "us", "our", "ours", "you", "your", "yours", "they", "them", "their", "he", "she", "his", "her"}
NEGATIVE = {
    "afraid", "alone", "angry", "anxiety", "anxious", "awful", "bad", "broke", "can't", "cry", "crying", "dead",
    "debt", "depressed", "dread", "exhausted", "fail", "failed", "failing", "fear", "fired", "hate", "hopeless",
    "hurt", "lonely", "lost", "miserable", "nervous", "overwhelmed", "pain", "panic", "panicking", "problem",
    "sad", "scared", "shaking", "sick", "stress", "stressed", "stressful", "struggling", "terrible", "terrified",
    "tired", "trapped", "ugly", "upset", "useless", "worried", "worry", "worse", "worst", "wrong", "yelled",
    "yelling", "evicted", "behind", "deadline", "nightmare", "numb", "guilty", "ashamed", "abuse", "threatened",
}
POSITIVE = {
    "amazing", "better", "calm", "celebrate", "comfortable", "enjoy", "enjoyed", "excited", "fun", "glad", "good",
    "grateful", "great", "happy", "helpful", "hope", "kind", "laugh", "love", "loved", "lovely", "nice", "peaceful",
    "proud", "relaxed", "relief", "safe", "support", "thanks", "thank", "wonderful", "win", "won", "best", "sweet",
    "beautiful", "cozy", "fantastic", "favorite", "friendly", "free", "easy", "recommend", "awesome", "brilliant",
}


def numeric_features(text: str) -> dict[str, float]:
    """Estimates of the default model's numeric fields for `text`, rounded as LIWC reports them."""
    words = _WORD.findall(text.lower().replace("\u2019", "'"))
    count = max(1, len(words))
    i_pct = 100.0 * sum(w in FIRST_PERSON_SINGULAR for w in words) / count
    others_pct = 100.0 * sum(w in OTHERS for w in words) / count
    neg_pct = 100.0 * sum(w in NEGATIVE for w in words) / count
    pos_pct = 100.0 * sum(w in POSITIVE for w in words) / count
    tone = 50.0 + 49.0 * math.tanh((pos_pct - neg_pct) / 3.0)
    clout = 50.0 + 4.0 * (others_pct - 2.0) - 4.0 * (i_pct - 5.0)
    sentiment = 0.5 * (pos_pct - neg_pct) / (pos_pct + neg_pct + 2.0)
    return {
        "lex_liwc_Tone": round(min(99.0, max(1.0, tone)), 2),
        "lex_liwc_i": round(i_pct, 2),
        "lex_liwc_negemo": round(neg_pct, 2),
        "lex_liwc_Clout": round(min(99.0, max(1.0, clout)), 2),
        "sentiment": round(max(-1.0, min(1.0, sentiment)), 4),
    }


def post(post_id: str, text: str) -> dict:
    """An input record: id, text and the numeric fields."""
    return {"id": post_id, "text": text, **numeric_features(text)}


# ------------------------------------------------------------------------------------------- synthetic posts
_OPENERS_STRESSED = [
    "I don't know how much longer I can keep this up.",
    "Every night I lie awake going over the same problem.",
    "My chest gets tight the second I open my inbox.",
    "I feel like I'm failing at everything at once.",
    "I'm so tired of pretending I'm fine.",
    "Honestly I'm scared to even check my bank account.",
]
_SITUATIONS_STRESSED = [
    "My manager moved the {thing} deadline up by a week and I'm already behind.",
    "The landlord says we could be evicted if the {thing} isn't sorted by Friday.",
    "I failed the {thing} exam again and my parents keep asking about it.",
    "My partner and I keep yelling at each other about the {thing}.",
    "The doctor wants more tests for the {thing} and nobody tells me anything.",
    "I owe money on the {thing} and the calls from the collectors won't stop.",
]
_CLOSERS_STRESSED = [
    "I can't sleep and I'm exhausted all the time.",
    "I feel trapped and I don't know who to talk to.",
    "Any advice would help, I'm panicking.",
    "I keep crying in the car before work.",
    "It's getting worse every week.",
]
_OPENERS_CALM = [
    "Quick update for anyone who followed my last post.",
    "We finally tried the recipe everyone here recommended.",
    "Small win today and I wanted to share it.",
    "Our team wrapped up the season last weekend.",
    "Thanks to everyone who answered my question about the {thing}.",
]
_SITUATIONS_CALM = [
    "The {thing} turned out great and the kids loved it.",
    "We spent the afternoon at the lake and it was so peaceful.",
    "The new {thing} fits perfectly and setup was easy.",
    "My sister visited and we laughed about the {thing} for an hour.",
    "The group at the community garden is friendly and the tomatoes are doing great.",
]
_CLOSERS_CALM = [
    "Would recommend it to anyone.",
    "Feeling grateful for this community.",
    "Next step is planning the trip for the summer.",
    "Happy weekend everyone.",
    "Thanks again for the kind support.",
]
_THINGS = ["project", "car", "apartment", "thesis", "insurance", "visa", "bike", "kitchen", "garden", "loan",
           "laptop", "wedding", "internship", "scholarship", "fence", "puppy", "move", "report"]


def synthetic_post(rng: random.Random, post_id: str) -> dict:
    """One post from the templates: stressed or calm, with a random subject, in two to four sentences."""
    stressed = rng.random() < 0.5
    openers, situations, closers = (
        (_OPENERS_STRESSED, _SITUATIONS_STRESSED, _CLOSERS_STRESSED) if stressed
        else (_OPENERS_CALM, _SITUATIONS_CALM, _CLOSERS_CALM)
    )
    thing = rng.choice(_THINGS)
    sentences = [rng.choice(openers), rng.choice(situations)]
    if rng.random() < 0.7:
        sentences.append(rng.choice(closers))
    if rng.random() < 0.3:
        sentences.append(rng.choice(situations))
    text = " ".join(s.format(thing=thing) for s in sentences)
    return post(post_id, text)


def synthetic_posts(count: int, seed: int, prefix: str = "s") -> list[dict]:
    rng = random.Random(seed)
    return [synthetic_post(rng, f"{prefix}-{i:05d}") for i in range(count)]
