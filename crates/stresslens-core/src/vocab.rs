//! The vocabulary: which terms (stemmed unigrams, and bigrams `"a b"` when `ngram_max` is 2) become columns.
//!
//! Fitted on training texts: terms in at least `min_df` documents; if more than `max_size` remain, those in the most
//! documents win, ties broken by the term itself, so the result never depends on hash order. Columns are the
//! selected terms in byte order of the term.

use crate::fxhash::FxHashMap;
use crate::shortword::ShortWord;
use crate::text::{stem_of, Terms, STEM_CACHE_CAPACITY};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

/// Marks a cached word that has no column.
const NO_COLUMN: u32 = u32::MAX;

/// Identities of built vocabularies, so that a [`UnigramCache`] knows which vocabulary its columns belong to.
static NEXT_VOCABULARY_ID: AtomicU64 = AtomicU64::new(1);

#[derive(Debug, Clone)]
pub struct Vocabulary {
    /// Unique per built vocabulary (not stored; equality ignores it).
    id: u64,
    terms: Vec<String>,
    /// Column of each term that fits a [`ShortWord`] (nearly all) ...
    short_index: FxHashMap<ShortWord, u32>,
    /// ... and of the others.
    long_index: FxHashMap<String, u32>,
    ngram_max: u8,
}

impl PartialEq for Vocabulary {
    fn eq(&self, other: &Self) -> bool {
        self.terms == other.terms && self.ngram_max == other.ngram_max
    }
}

/// Surface word -> column of one vocabulary (see [`Vocabulary::collect_unigram_hits`]); bounded like the stem cache.
#[derive(Debug, Clone, Default)]
pub struct UnigramCache {
    vocabulary_id: u64,
    /// foldhash with a random per-process seed: the keys come from input, so an unkeyed hash (Fx) would let
    /// crafted words collide; SipHash made a post's features 20% slower. The map is also bounded and emptied when
    /// full.
    /// Keyed by [`Terms::for_each_cleaned_word`]'s word keys; longer words are not cached.
    columns: HashMap<u128, u32, foldhash::fast::RandomState>,
    /// The current text's words: key (0 for none) and byte range in the cleaned text.
    words: Vec<(u128, std::ops::Range<u32>)>,
}

/// A fitted vocabulary with the document frequency of each of its terms (same order) and the number of documents.
#[derive(Debug, Clone, PartialEq)]
pub struct FittedVocabulary {
    pub vocabulary: Vocabulary,
    pub document_frequencies: Vec<usize>,
    pub documents: usize,
}

impl Vocabulary {
    /// Fits on `texts`. `ngram_max` must be 1 or 2 (checked by the caller's configuration).
    pub fn fit<'a>(
        texts: impl IntoIterator<Item = &'a str>,
        min_df: usize,
        max_size: usize,
        ngram_max: u8,
    ) -> FittedVocabulary {
        let mut frequencies: HashMap<String, usize> = HashMap::new();
        let mut terms = Terms::new();
        let mut in_document: Vec<String> = Vec::new();
        let mut documents = 0usize;
        for text in texts {
            documents += 1;
            terms.analyse(text);
            in_document.clear();
            in_document.extend(terms.iter().map(str::to_owned));
            if ngram_max >= 2 {
                let words: Vec<&str> = terms.iter().collect();
                in_document.extend(
                    words
                        .windows(2)
                        .map(|pair| format!("{} {}", pair[0], pair[1])),
                );
            }
            in_document.sort_unstable();
            in_document.dedup();
            for term in in_document.drain(..) {
                *frequencies.entry(term).or_insert(0) += 1;
            }
        }
        let mut kept: Vec<(String, usize)> = frequencies
            .into_iter()
            .filter(|(_, df)| *df >= min_df.max(1))
            .collect();
        kept.sort_unstable_by(|(a, df_a), (b, df_b)| df_b.cmp(df_a).then_with(|| a.cmp(b)));
        kept.truncate(max_size);
        kept.sort_unstable_by(|(a, _), (b, _)| a.cmp(b));
        let (terms, document_frequencies): (Vec<String>, Vec<usize>) = kept.into_iter().unzip();
        FittedVocabulary {
            vocabulary: Vocabulary::build(terms, ngram_max),
            document_frequencies,
            documents,
        }
    }

    /// Rebuilds a stored vocabulary, checking that it is one this module could have fitted.
    pub fn from_terms(terms: Vec<String>, ngram_max: u8) -> Result<Vocabulary, String> {
        if !(1..=2).contains(&ngram_max) {
            return Err(format!("ngram_max is {ngram_max}, must be 1 or 2"));
        }
        if let Some(pair) = terms.windows(2).find(|pair| pair[0] >= pair[1]) {
            return Err(format!(
                "vocabulary is not strictly sorted: `{}` before `{}`",
                pair[0], pair[1]
            ));
        }
        for term in &terms {
            let words = term.split(' ').count();
            if term.is_empty()
                || term.split(' ').any(str::is_empty)
                || words > usize::from(ngram_max)
            {
                return Err(format!(
                    "vocabulary term `{term}` is not a {ngram_max}-gram"
                ));
            }
        }
        if u32::try_from(terms.len()).is_err() {
            return Err(format!("vocabulary of {} terms is too large", terms.len()));
        }
        Ok(Vocabulary::build(terms, ngram_max))
    }

    fn build(terms: Vec<String>, ngram_max: u8) -> Vocabulary {
        let mut short_index = FxHashMap::default();
        let mut long_index = FxHashMap::default();
        for (column, term) in terms.iter().enumerate() {
            match ShortWord::new(term) {
                Some(short) => short_index.insert(short, column as u32),
                None => long_index.insert(term.clone(), column as u32),
            };
        }
        Vocabulary {
            id: NEXT_VOCABULARY_ID.fetch_add(1, Ordering::Relaxed),
            terms,
            short_index,
            long_index,
            ngram_max,
        }
    }

    pub fn terms(&self) -> &[String] {
        &self.terms
    }

    pub fn len(&self) -> usize {
        self.terms.len()
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    pub fn ngram_max(&self) -> u8 {
        self.ngram_max
    }

    /// Column of `term`, if it is in the vocabulary.
    pub fn column(&self, term: &str) -> Option<u32> {
        self.column_of_ngram(term, None)
    }

    /// Column of `first` (a unigram) or of `first second` (a bigram).
    fn column_of_ngram(&self, first: &str, second: Option<&str>) -> Option<u32> {
        match ShortWord::joined(first, second) {
            Some(short) => self.short_index.get(&short).copied(),
            None if self.long_index.is_empty() => None,
            None => match second {
                None => self.long_index.get(first).copied(),
                Some(second) => self.long_index.get(&format!("{first} {second}")).copied(),
            },
        }
    }

    /// For a unigram vocabulary, the same hits as [`Terms::analyse`] + [`Vocabulary::collect_hits`] on `text`, in
    /// the same order, with one cache lookup per word (surface word -> column) instead of a stem-cache and a
    /// vocabulary lookup: the serving hot path.
    pub fn collect_unigram_hits(
        &self,
        text: &str,
        terms: &mut Terms,
        cache: &mut UnigramCache,
        hits: &mut Vec<u32>,
    ) {
        if cache.vocabulary_id != self.id {
            cache.columns.clear();
            cache.vocabulary_id = self.id;
        }
        terms.clean(text);
        // Two passes: the words first, then their lookups in a tight loop, so that the cache misses of several
        // lookups overlap instead of each waiting behind the word splitting's branches.
        let words = &mut cache.words;
        words.clear();
        terms.for_each_cleaned_word(|span, key| words.push((key, span)));
        let text = terms.cleaned_text();
        // Every word's column is written, and the length advances past it only for a column: about half the
        // words are stop words, and a branch on that mispredicted every other word.
        let mut len = hits.len();
        hits.resize(len + words.len(), NO_COLUMN);
        for &(key, ref span) in words.iter() {
            let column = match cache.columns.get(&key).copied() {
                Some(column) => column,
                None => {
                    let word = text
                        .get(span.start as usize..span.end as usize)
                        .unwrap_or("");
                    let column = stem_of(word)
                        .and_then(|stem| self.column(&stem))
                        .unwrap_or(NO_COLUMN);
                    // 0 is no key: the word is too long to cache.
                    if key != 0 {
                        if cache.columns.len() >= STEM_CACHE_CAPACITY {
                            cache.columns.clear();
                        }
                        cache.columns.insert(key, column);
                    }
                    column
                }
            };
            if let Some(slot) = hits.get_mut(len) {
                *slot = column;
            }
            len += usize::from(column != NO_COLUMN);
        }
        hits.truncate(len);
    }

    /// Appends the column of every n-gram occurrence in `terms` to `hits` (unsorted, repeated per occurrence).
    pub fn collect_hits(&self, terms: &Terms, hits: &mut Vec<u32>) {
        if self.terms.is_empty() {
            return;
        }
        let mut previous: Option<&str> = None;
        for term in terms.iter() {
            if let Some(column) = self.column(term) {
                hits.push(column);
            }
            if self.ngram_max >= 2 {
                if let Some(previous) = previous {
                    if let Some(column) = self.column_of_ngram(previous, Some(term)) {
                        hits.push(column);
                    }
                }
                previous = Some(term);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOCS: [&str; 4] = [
        "cats chase mice",
        "cats sleep; cats chase",
        "dogs chase cats",
        "mice sleep",
    ];

    #[test]
    fn min_df_and_order() {
        let fitted = Vocabulary::fit(DOCS, 2, 100, 1);
        assert_eq!(fitted.vocabulary.terms(), ["cat", "chase", "mice", "sleep"]);
        assert_eq!(fitted.document_frequencies, vec![3, 3, 2, 2]);
        assert_eq!(fitted.documents, 4);
    }

    #[test]
    fn max_size_keeps_most_frequent_with_ties_by_term() {
        let fitted = Vocabulary::fit(DOCS, 1, 3, 1);
        // cat 3, chase 3, then mice 2 and sleep 2 tie: `mice` sorts first; dog (1) is out.
        assert_eq!(fitted.vocabulary.terms(), ["cat", "chase", "mice"]);
    }

    #[test]
    fn bigrams() {
        let fitted = Vocabulary::fit(DOCS, 2, 100, 2);
        assert_eq!(
            fitted.vocabulary.terms(),
            ["cat", "cat chase", "chase", "mice", "sleep"]
        );
        let mut terms = Terms::new();
        terms.analyse("cats chase cats chase");
        let mut hits = Vec::new();
        fitted.vocabulary.collect_hits(&terms, &mut hits);
        assert_eq!(hits, vec![0, 2, 1, 0, 2, 1]);
    }

    #[test]
    fn terms_longer_than_inline_words_are_found() {
        let long = "supercalifragilisticexpialidocious";
        let docs = [format!("{long} calm"), format!("calm {long}")];
        let fitted = Vocabulary::fit(docs.iter().map(String::as_str), 1, 100, 2);
        let stem = "supercalifragilisticexpialidoci";
        let bigram = format!("calm {stem}");
        let reverse = format!("{stem} calm");
        assert_eq!(
            fitted.vocabulary.terms(),
            ["calm", bigram.as_str(), stem, reverse.as_str()]
        );
        let mut terms = Terms::new();
        terms.analyse(&format!("calm {long} calm"));
        let mut hits = Vec::new();
        fitted.vocabulary.collect_hits(&terms, &mut hits);
        assert_eq!(hits, vec![0, 2, 1, 0, 3]);
        assert_eq!(fitted.vocabulary.column(stem), Some(2));
    }

    #[test]
    fn unigram_fast_path_matches_the_general_path() {
        let texts = [
            "Cats chase MICE; the mice sleep, cats sleep!",
            "supercalifragilisticexpialidocious cats and 3 dogs <b>chase</b> www.example.org",
            "",
            "Café cats’ chase… cats",
        ];
        let first = Vocabulary::fit(DOCS, 1, 100, 1).vocabulary;
        let second = Vocabulary::fit(["dogs chase", "chase chase"], 1, 100, 1).vocabulary;
        let mut terms = Terms::new();
        let mut cache = UnigramCache::default();
        // Twice over, switching vocabularies, so that cold, warm and stale caches are all compared.
        for _ in 0..2 {
            for vocabulary in [&first, &second] {
                for text in texts {
                    let mut general = Vec::new();
                    let mut general_terms = Terms::new();
                    general_terms.analyse(text);
                    vocabulary.collect_hits(&general_terms, &mut general);
                    let mut fast = Vec::new();
                    vocabulary.collect_unigram_hits(text, &mut terms, &mut cache, &mut fast);
                    assert_eq!(fast, general, "{text}");
                }
            }
        }
        let mut hits = Vec::new();
        first.collect_unigram_hits(texts[0], &mut terms, &mut cache, &mut hits);
        assert_eq!(hits, vec![0, 1, 3, 3, 4, 0, 4]);
    }

    #[test]
    fn stored_terms_are_checked() {
        assert!(Vocabulary::from_terms(vec!["a".into(), "b c".into()], 2).is_ok());
        assert_eq!(
            Vocabulary::from_terms(vec!["b".into(), "a".into()], 1).unwrap_err(),
            "vocabulary is not strictly sorted: `b` before `a`"
        );
        assert_eq!(
            Vocabulary::from_terms(vec!["a b".into()], 1).unwrap_err(),
            "vocabulary term `a b` is not a 1-gram"
        );
        assert_eq!(
            Vocabulary::from_terms(vec![], 3).unwrap_err(),
            "ngram_max is 3, must be 1 or 2"
        );
    }
}
