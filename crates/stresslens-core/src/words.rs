//! Splitting text into words by Unicode word boundaries (UAX #29), as `unicode_segmentation`'s `unicode_words`
//! does, with a fast path for ASCII text (nearly every post): the general segmenter was 45% of feature extraction.
//!
//! For ASCII the UAX #29 rules reduce to a few byte classes:
//! - letters `A-Z a-z`, digits `0-9` and `_` (ExtendNumLet) always join each other (WB5, WB8-10, WB13a/b);
//! - between two letters, `:` (MidLetter), `.` and `'` (MidNumLetQ) join (WB6/7);
//! - between two digits, `,` and `;` (MidNum), `.` and `'` (MidNumLetQ) join (WB11/12);
//! - everything else breaks (WB3-3d only join spaces and CR LF, which are never part of a word).
//!
//! A word is a segment with at least one letter or digit. A test checks the fast path against `unicode_words` on
//! a large set of random strings over every ASCII class.

use unicode_segmentation::{UnicodeSegmentation, UnicodeWords};

/// The words of `text`, in order.
pub(crate) fn words(text: &str) -> Words<'_> {
    if text.is_ascii() {
        Words::Ascii(AsciiWords { text, at: 0 })
    } else {
        Words::Unicode(text.unicode_words())
    }
}

pub(crate) enum Words<'a> {
    Ascii(AsciiWords<'a>),
    Unicode(UnicodeWords<'a>),
}

impl<'a> Iterator for Words<'a> {
    type Item = &'a str;

    #[inline]
    fn next(&mut self) -> Option<&'a str> {
        match self {
            Words::Ascii(words) => words.next(),
            Words::Unicode(words) => words.next(),
        }
    }
}

pub(crate) struct AsciiWords<'a> {
    text: &'a str,
    at: usize,
}

/// Byte classes of the ASCII rules (module docs), one table lookup per byte.
const WORD: u8 = 1; // letter, digit or `_`
const LETTER: u8 = 2;
const DIGIT: u8 = 4;
const JOINS_LETTERS: u8 = 8; // `:` `.` `'`
const JOINS_DIGITS: u8 = 16; // `,` `;` `.` `'`

const CLASSES: [u8; 256] = {
    let mut classes = [0u8; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        classes[b] = if c.is_ascii_alphabetic() {
            WORD | LETTER
        } else if c.is_ascii_digit() {
            WORD | DIGIT
        } else if c == b'_' {
            WORD
        } else if c == b':' {
            JOINS_LETTERS
        } else if c == b'.' || c == b'\'' {
            JOINS_LETTERS | JOINS_DIGITS
        } else if c == b',' || c == b';' {
            JOINS_DIGITS
        } else {
            0
        };
        b += 1;
    }
    classes
};

#[inline]
fn class(b: u8) -> u8 {
    CLASSES[usize::from(b)]
}

/// Whether `mid` joins `before` and `after` (WB6/7 and WB11/12).
#[inline]
fn joins(before: u8, mid: u8, after: u8) -> bool {
    let (before, mid, after) = (class(before), class(mid), class(after));
    (before & after & LETTER != 0 && mid & JOINS_LETTERS != 0)
        || (before & after & DIGIT != 0 && mid & JOINS_DIGITS != 0)
}

impl<'a> Iterator for AsciiWords<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let bytes = self.text.as_bytes();
        loop {
            let start = self.at
                + bytes
                    .get(self.at..)?
                    .iter()
                    .position(|&b| class(b) & WORD != 0)?;
            let mut end = start + 1;
            let mut alphanumeric = class(bytes[start]) & (LETTER | DIGIT) != 0;
            while let Some(&b) = bytes.get(end) {
                let c = class(b);
                if c & WORD != 0 {
                    alphanumeric |= c & (LETTER | DIGIT) != 0;
                    end += 1;
                } else if c != 0
                    && matches!(bytes.get(end + 1), Some(&after) if joins(bytes[end - 1], b, after))
                {
                    end += 2;
                } else {
                    break;
                }
            }
            self.at = end;
            // A run of `_` alone is a segment but not a word.
            if alphanumeric {
                // Only ASCII bytes were taken, so the range is on character boundaries.
                return self.text.get(start..end);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fast(text: &str) -> Vec<&str> {
        AsciiWords { text, at: 0 }.collect()
    }

    fn reference(text: &str) -> Vec<&str> {
        text.unicode_words().collect()
    }

    #[test]
    fn ascii_fast_path_examples() {
        let text = "don't e.g. a:b 3.14 1,000;2 a_1 _x __ a.1 1.a x'' 'quoted' end. \"q\" tab\there\r\nnext";
        assert_eq!(fast(text), reference(text));
        assert_eq!(
            fast(text),
            vec![
                "don't", "e.g", "a:b", "3.14", "1,000;2", "a_1", "_x", "a", "1", "1", "a", "x",
                "quoted", "end", "q", "tab", "here", "next"
            ]
        );
    }

    #[test]
    fn ascii_fast_path_equals_unicode_words_on_random_strings() {
        // Every ASCII word-break class, several times for the ones that matter most.
        const ALPHABET: &[u8] = b"aZb09_.,;:'\" \t\r\n\x0b\x0c-!?/aa11..''";
        let mut state = 0x1234_5678_9abc_def0u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for case in 0..200_000 {
            let len = (next() % 24) as usize;
            let text: String = (0..len)
                .map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize] as char)
                .collect();
            assert_eq!(fast(&text), reference(&text), "case {case}: {text:?}");
        }
    }

    #[test]
    fn non_ascii_text_takes_the_general_path() {
        let text = "café naïveté — don't panic";
        assert!(matches!(words(text), Words::Unicode(_)));
        assert_eq!(words(text).collect::<Vec<_>>(), reference(text));
        assert!(matches!(words("plain text"), Words::Ascii(_)));
    }
}
