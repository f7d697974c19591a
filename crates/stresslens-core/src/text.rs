//! Text normalisation: post text -> stemmed terms.
//!
//! The steps, in order (those of the project we replace, made Unicode-aware):
//! 1. lowercase (Unicode), with the typographic apostrophe `’` read as `'`;
//! 2. remove URLs (`http://…`, `https://…`, `www.…` up to the next whitespace);
//! 3. remove HTML tags (`<` up to the next `>` on the same line);
//! 4. split into words by Unicode word boundaries (UAX #29), so `don't` stays one word;
//! 5. drop words containing a digit, words of one character and English stop words (scikit-learn's list);
//! 6. stem with the Snowball English stemmer.
//!
//! [`Terms`] keeps its buffers between posts so that analysing a post allocates nothing once they have grown.

use crate::fxhash::FxHashSet;
use crate::shortword::ShortWord;
use crate::words::for_each_word;
use rust_stemmers::{Algorithm, Stemmer};
use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

const STOP_WORDS_FILE: &str = include_str!("english_stop_words.txt");

/// scikit-learn's `ENGLISH_STOP_WORDS` (318 words).
pub(crate) fn stop_words() -> &'static FxHashSet<&'static str> {
    static WORDS: OnceLock<FxHashSet<&'static str>> = OnceLock::new();
    WORDS.get_or_init(|| {
        STOP_WORDS_FILE
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .collect()
    })
}

fn stemmer() -> &'static Stemmer {
    static STEMMER: OnceLock<Stemmer> = OnceLock::new();
    STEMMER.get_or_init(|| Stemmer::create(Algorithm::English))
}

/// Bytes of a word key ([`Terms::for_each_cleaned_word`]): the longest word that has one, and the zero padding
/// after the cleaned text.
pub(crate) const KEY_PADDING: usize = 16;

/// Whether [`strip_urls_into`] could change `text`: every URL it removes starts with `http` or `www.`.
fn may_hold_url(text: &str) -> bool {
    static HTTP: OnceLock<memchr::memmem::Finder<'static>> = OnceLock::new();
    static WWW: OnceLock<memchr::memmem::Finder<'static>> = OnceLock::new();
    let bytes = text.as_bytes();
    HTTP.get_or_init(|| memchr::memmem::Finder::new("http"))
        .find(bytes)
        .is_some()
        || WWW
            .get_or_init(|| memchr::memmem::Finder::new("www."))
            .find(bytes)
            .is_some()
}

/// Words remembered by [`Terms`]: stemming is most of the cost of a post and most words recur from post to post.
/// Bounded so that a stream of distinct words cannot grow it without limit (it is emptied when full).
pub(crate) const STEM_CACHE_CAPACITY: usize = 1 << 16;

/// The terms of one text, stored in one buffer; reuse the value for the next text.
#[derive(Debug, Default, Clone)]
pub struct Terms {
    lowered: String,
    without_urls: String,
    /// The cleaned text (`cleaned_len` bytes) followed by [`KEY_PADDING`] zero bytes, so that a word key can be
    /// read as a whole past the end of the last word.
    cleaned: String,
    cleaned_len: usize,
    stems: String,
    spans: Vec<Range<usize>>,
    /// word -> its stem, or `None` for a word that is dropped (stop word, digit, one character). Only words and
    /// stems that fit a [`ShortWord`] are cached (nearly all).
    /// Seeded per process like [`crate::vocab::UnigramCache`]'s map (keys come from input).
    stem_cache: HashMap<ShortWord, Option<ShortWord>, foldhash::fast::RandomState>,
}

impl Terms {
    pub fn new() -> Self {
        Self::default()
    }

    /// Replaces the current terms with those of `text`.
    pub fn analyse(&mut self, text: &str) {
        self.clean(text);
        let Terms {
            cleaned,
            cleaned_len,
            stems,
            spans,
            stem_cache,
            ..
        } = self;
        stems.clear();
        spans.clear();
        for_each_word(text_part(cleaned, *cleaned_len), |word| {
            let start = stems.len();
            let key = ShortWord::new(word);
            match key.and_then(|key| stem_cache.get(&key)) {
                Some(Some(stem)) => stems.push_str(stem.as_str()),
                Some(None) => return,
                None => {
                    let stem = stem_of(word);
                    if let Some(key) = key {
                        if stem_cache.len() >= STEM_CACHE_CAPACITY {
                            stem_cache.clear();
                        }
                        match &stem {
                            None => {
                                stem_cache.insert(key, None);
                            }
                            Some(stem) => {
                                if let Some(short) = ShortWord::new(stem) {
                                    stem_cache.insert(key, Some(short));
                                }
                            }
                        }
                    }
                    match stem {
                        Some(stem) => stems.push_str(&stem),
                        None => return,
                    }
                }
            }
            spans.push(start..stems.len());
        });
    }

    /// Steps 1–3 only: afterwards [`Terms::for_each_cleaned_word`] gives the words before filtering and stemming.
    /// Posts rarely hold a URL or a tag: the text is searched for them once and copied only when one is there.
    pub(crate) fn clean(&mut self, text: &str) {
        lowercase_into(text, &mut self.lowered);
        if may_hold_url(&self.lowered) {
            strip_urls_into(&self.lowered, &mut self.without_urls);
            std::mem::swap(&mut self.lowered, &mut self.without_urls);
        }
        if memchr::memchr(b'<', self.lowered.as_bytes()).is_some() {
            strip_html_tags_into(&self.lowered, &mut self.cleaned);
        } else {
            std::mem::swap(&mut self.lowered, &mut self.cleaned);
        }
        self.cleaned_len = self.cleaned.len();
        self.cleaned.extend(std::iter::repeat_n('\0', KEY_PADDING));
    }

    pub(crate) fn cleaned_text(&self) -> &str {
        text_part(&self.cleaned, self.cleaned_len)
    }

    /// The byte range (in [`Terms::cleaned_text`]) of each word of the text last given to [`Terms::clean`] (step 4)
    /// with its key: its bytes as a little-endian number, zero-padded.
    /// Words never hold a zero byte, so different words of up to [`KEY_PADDING`] bytes have different keys; longer
    /// words get 0, which is no word's key. A key is built with one unaligned load and a mask rather than by copying the word into a
    /// buffer, which stalled on every word (a store of the bytes, then a wider load of the same place).
    #[inline]
    pub(crate) fn for_each_cleaned_word(&self, mut f: impl FnMut(Range<u32>, u128)) {
        let text = self.cleaned_text();
        let bytes = self.cleaned.as_bytes();
        for_each_word(text, |word| {
            // `word` is a slice of `text`, which starts where `bytes` does.
            let start = (word.as_ptr() as usize).wrapping_sub(text.as_ptr() as usize);
            let len = word.len();
            let key = bytes
                .get(start..start + KEY_PADDING)
                .filter(|_| (1..=KEY_PADDING).contains(&len))
                .and_then(|window| <[u8; KEY_PADDING]>::try_from(window).ok())
                .map_or(0, |window| {
                    u128::from_le_bytes(window) & (u128::MAX >> (8 * (KEY_PADDING - len)))
                });
            // Texts are far below 4 GiB (the record limit is 64 KiB).
            f(start as u32..(start + len) as u32, key);
        });
    }

    pub fn len(&self) -> usize {
        self.spans.len()
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// The terms in text order.
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        self.spans.iter().map(|span| &self.stems[span.clone()])
    }
}

/// The text part of the padded cleaned buffer.
fn text_part(cleaned: &str, len: usize) -> &str {
    cleaned.get(..len).unwrap_or("")
}

/// Convenience for tests and tools: the terms of `text` as owned strings.
pub fn terms_of(text: &str) -> Vec<String> {
    let mut terms = Terms::new();
    terms.analyse(text);
    terms.iter().map(str::to_owned).collect()
}

/// The stem of a word, or `None` if the word is dropped.
pub(crate) fn stem_of(word: &str) -> Option<String> {
    if !is_content_word(word) || stop_words().contains(word) {
        return None;
    }
    Some(stemmer().stem(word).into_owned())
}

/// At least two characters and no digit (`\w*\d\w*` was removed by the old project).
fn is_content_word(word: &str) -> bool {
    let mut chars = 0usize;
    for c in word.chars() {
        if c.is_numeric() {
            return false;
        }
        chars += 1;
    }
    chars >= 2
}

fn lowercase_into(text: &str, out: &mut String) {
    out.clear();
    if text.is_ascii() {
        out.push_str(text);
        out.make_ascii_lowercase();
        return;
    }
    out.reserve(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        // ASCII runs in bulk (the posts with a non-ASCII character have one every few dozen bytes).
        let run = rest
            .bytes()
            .position(|b| !b.is_ascii())
            .unwrap_or(rest.len());
        let (ascii, tail) = rest.split_at(run);
        let start = out.len();
        out.push_str(ascii);
        if let Some(pushed) = out.get_mut(start..) {
            pushed.make_ascii_lowercase();
        }
        let mut chars = tail.chars();
        match chars.next() {
            Some('\u{2019}') => out.push('\''),
            Some(c) => out.extend(c.to_lowercase()),
            None => {}
        }
        rest = chars.as_str();
    }
}

/// `https?://\S+|www\.\S+` replaced by a space.
fn strip_urls_into(text: &str, out: &mut String) {
    const PREFIXES: [&str; 3] = ["http://", "https://", "www."];
    out.clear();
    let mut rest = text;
    loop {
        let next = PREFIXES
            .iter()
            .filter_map(|prefix| rest.find(prefix).map(|at| (at, prefix.len())))
            .min();
        let Some((at, prefix_len)) = next else { break };
        out.push_str(&rest[..at]);
        let tail = &rest[at + prefix_len..];
        let url_len = tail.find(char::is_whitespace).unwrap_or(tail.len());
        if url_len > 0 {
            out.push(' ');
            rest = &tail[url_len..];
        } else {
            // A bare prefix is not a URL: keep it and look further.
            out.push_str(&rest[at..at + prefix_len]);
            rest = tail;
        }
    }
    out.push_str(rest);
}

/// `<.*?>` (not across a newline) replaced by a space.
fn strip_html_tags_into(text: &str, out: &mut String) {
    out.clear();
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        let after = &rest[open + 1..];
        let line_end = after.find('\n').unwrap_or(after.len());
        match after[..line_end].find('>') {
            Some(close) => {
                out.push_str(&rest[..open]);
                out.push(' ');
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[..=open]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_word_list_is_sklearns() {
        let words = stop_words();
        assert_eq!(words.len(), 318);
        for word in [
            "a",
            "the",
            "i",
            "me",
            "myself",
            "not",
            "never",
            "yourselves",
            "whereupon",
        ] {
            assert!(words.contains(word), "{word}");
        }
        assert!(!words.contains("stress"));
    }

    #[test]
    fn lowercasing_in_runs_equals_lowercasing_each_character() {
        let per_character = |text: &str| -> String {
            text.chars()
                .flat_map(|c| {
                    let c = if c == '\u{2019}' { '\'' } else { c };
                    c.to_lowercase()
                })
                .collect()
        };
        const PIECES: &[&str] = &[
            "A", "b", "Z", " ", "’", "É", "ß", "İ", "Σ", "😀", "\u{301}", "ǅ", "Ⅻ", "x", ".", "\n",
        ];
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut out = String::new();
        for case in 0..20_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let text: String = (0..(state % 24))
                .map(|i| PIECES[((state >> (i % 50)) as usize + i as usize) % PIECES.len()])
                .collect();
            lowercase_into(&text, &mut out);
            assert_eq!(out, per_character(&text), "case {case}: {text:?}");
        }
    }

    #[test]
    fn urls_and_tags_are_removed() {
        let mut out = String::new();
        strip_urls_into(
            "see https://x.io/a?b=1 and www.y.org, or http:// alone",
            &mut out,
        );
        assert_eq!(out, "see   and   or http:// alone");
        strip_html_tags_into("a <b>bold</b> <br/>x < y\n> z", &mut out);
        assert_eq!(out, "a  bold   x < y\n> z");
    }

    #[test]
    fn full_pipeline_on_a_sentence() {
        assert_eq!(
            terms_of("I’m SO worried about 2 exams and the rent3 <i>deadlines</i>! Visit https://help.example"),
            vec!["i'm", "worri", "exam", "deadlin", "visit"]
        );
    }

    #[test]
    fn unicode_words_and_contractions() {
        assert_eq!(
            terms_of("Café naïveté — don't panic; ÉCOLE x y"),
            vec!["café", "naïveté", "don't", "panic", "école"]
        );
    }

    #[test]
    fn cached_and_uncached_stems_agree() {
        let text =
            "Worried, worrying, WORRIES; supercalifragilisticexpialidocious worries and the 3rd";
        let mut terms = Terms::new();
        terms.analyse(text);
        let cold: Vec<String> = terms.iter().map(str::to_owned).collect();
        terms.analyse(text);
        let warm: Vec<String> = terms.iter().map(str::to_owned).collect();
        assert_eq!(cold, warm);
        assert_eq!(
            cold,
            vec![
                "worri",
                "worri",
                "worri",
                "supercalifragilisticexpialidoci",
                "worri"
            ]
        );
        assert_eq!(terms.stem_cache.len(), 6);
    }

    #[test]
    fn reusing_terms_replaces_previous_content() {
        let mut terms = Terms::new();
        terms.analyse("running dogs");
        assert_eq!(terms.iter().collect::<Vec<_>>(), vec!["run", "dog"]);
        terms.analyse("");
        assert!(terms.is_empty());
        terms.analyse("cats");
        assert_eq!(terms.iter().collect::<Vec<_>>(), vec!["cat"]);
        assert_eq!(terms.len(), 1);
    }
}
