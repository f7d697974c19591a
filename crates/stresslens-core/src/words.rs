//! Splitting text into words by Unicode word boundaries (UAX #29), exactly as `unicode_segmentation`'s
//! `unicode_words` does, but fast for ASCII, which is nearly all of every post: the general segmenter (and a
//! byte-at-a-time ASCII loop after it, which mispredicted a branch at every word boundary) was most of the cost of
//! feature extraction.
//!
//! For ASCII the UAX #29 rules reduce to a few byte classes:
//! - letters `A-Z a-z`, digits `0-9` and `_` (ExtendNumLet) always join each other (WB5, WB8-10, WB13a/b);
//! - between two letters, `:` (MidLetter), `.` and `'` (MidNumLetQ) join (WB6/7);
//! - between two digits, `,` and `;` (MidNum), `.` and `'` (MidNumLetQ) join (WB11/12);
//! - everything else breaks (WB3-3d only join spaces and CR LF, which are never part of a word).
//!
//! A word is a segment with at least one letter or digit. [`ascii_words`] computes, 64 bytes at a time, a bit mask
//! of the bytes that are inside a word and finds the words as runs of ones, with no branch per byte.
//!
//! Text with non-ASCII characters is cut into chunks at every place where an ASCII whitespace character is
//! followed by an ASCII character that is not whitespace. UAX #29 always breaks there (no rule joins whitespace to
//! what follows, and no rule looks back across a break past an ASCII character), so segmenting each chunk on its
//! own gives the same words; chunks without a non-ASCII character take the ASCII path, the others
//! `unicode_words`. Tests check both paths against `unicode_words` on large sets of random strings.

use unicode_segmentation::UnicodeSegmentation;

/// Calls `f` with each word of `text`, in order.
#[inline]
pub(crate) fn for_each_word<'a>(text: &'a str, mut f: impl FnMut(&'a str)) {
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        let Some(offset) = bytes[at..].iter().position(|b| !b.is_ascii()) else {
            each_ascii_word(text, at, bytes.len(), &mut f);
            return;
        };
        let non_ascii = at + offset;
        let start = (at + 1..=non_ascii)
            .rev()
            .find(|&b| is_chunk_start(bytes, b))
            .unwrap_or(at);
        each_ascii_word(text, at, start, &mut f);
        let end = (non_ascii + 1..bytes.len())
            .find(|&b| is_chunk_start(bytes, b))
            .unwrap_or(bytes.len());
        if let Some(chunk) = text.get(start..end) {
            chunk.unicode_words().for_each(&mut f);
        }
        at = end;
    }
}

/// Whether UAX #29 breaks before byte `at` whatever comes before (module docs): ASCII whitespace, then an ASCII
/// character that is not whitespace.
#[inline]
fn is_chunk_start(bytes: &[u8], at: usize) -> bool {
    let is_space = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c');
    match (at.checked_sub(1).and_then(|p| bytes.get(p)), bytes.get(at)) {
        (Some(&before), Some(&b)) => is_space(before) && b.is_ascii() && !is_space(b),
        _ => false,
    }
}

/// The words of the ASCII range `start..end` of `text`, segmented as a text of its own.
#[inline]
fn each_ascii_word<'a>(text: &'a str, start: usize, end: usize, f: &mut impl FnMut(&'a str)) {
    if let Some(bytes) = text.as_bytes().get(start..end) {
        ascii_words(bytes, |from, to| {
            // Only ASCII bytes: every range is on character boundaries.
            if let Some(word) = text.get(start + from..start + to) {
                f(word);
            }
        });
    }
}

const BLOCK: usize = 64;

/// Calls `f(start, end)` for each word of an ASCII text (bytes of other texts are read as breaks).
fn ascii_words(bytes: &[u8], mut f: impl FnMut(usize, usize)) {
    // The word being read when a block ends: its start, and whether it has a letter or digit yet.
    let mut open: Option<(usize, bool)> = None;
    for base in (0..bytes.len()).step_by(BLOCK) {
        let (inside, alphanumeric) = block_masks(bytes, base);
        let mut at = 0u32;
        loop {
            match open {
                Some((start, has_alphanumeric)) => {
                    let ends = !inside & (u64::MAX << at);
                    if ends == 0 {
                        open = Some((start, has_alphanumeric || alphanumeric >> at != 0));
                        break;
                    }
                    let end = ends.trailing_zeros();
                    let span = (u64::MAX << at) & !(u64::MAX << end);
                    if has_alphanumeric || alphanumeric & span != 0 {
                        f(start, base + end as usize);
                    }
                    open = None;
                    at = end;
                }
                None => {
                    let starts = inside & (u64::MAX << at);
                    if starts == 0 {
                        break;
                    }
                    at = starts.trailing_zeros();
                    open = Some((base + at as usize, false));
                }
            }
        }
    }
    if let Some((start, true)) = open {
        f(start, bytes.len());
    }
}

/// For the 64 bytes from `base` (bytes past the end read as breaks): a bit per byte inside a word, and a bit per
/// letter or digit. Byte classes come from compares rather than a table, in fixed-length loops over bytes, so that
/// the compiler turns them into vector instructions.
#[inline]
fn block_masks(bytes: &[u8], base: usize) -> (u64, u64) {
    // window[i + 1] is byte base + i; one byte of context on each side for the joining rules. A zero byte is a
    // break, like the bytes past either end.
    let mut window = [0u8; BLOCK + 2];
    if let Some(before) = base.checked_sub(1).and_then(|at| bytes.get(at)) {
        window[0] = *before;
    }
    let end = bytes.len().min(base + BLOCK + 1);
    if let Some(block) = bytes.get(base..end) {
        window[1..1 + block.len()].copy_from_slice(block);
    }
    let mut letter = [0u8; BLOCK + 2];
    let mut digit = [0u8; BLOCK + 2];
    for ((l, d), &b) in letter.iter_mut().zip(digit.iter_mut()).zip(&window) {
        *l = u8::from((b | 0x20).wrapping_sub(b'a') < 26);
        *d = u8::from(b.wrapping_sub(b'0') < 10);
    }
    let mut inside = [0u8; BLOCK];
    let mut alphanumeric = [0u8; BLOCK];
    for i in 0..BLOCK {
        let b = window[i + 1];
        let joins_letters = u8::from(b == b':' || b == b'.' || b == b'\'');
        let joins_digits = u8::from(b == b',' || b == b';' || b == b'.' || b == b'\'');
        let word = letter[i + 1] | digit[i + 1] | u8::from(b == b'_');
        inside[i] = word
            | (joins_letters & letter[i] & letter[i + 2])
            | (joins_digits & digit[i] & digit[i + 2]);
        alphanumeric[i] = letter[i + 1] | digit[i + 1];
    }
    (bits_of(&inside), bits_of(&alphanumeric))
}

/// 64 bytes that are each 0 or 1 -> a mask with bit `i` = byte `i`.
#[inline]
fn bits_of(flags: &[u8; BLOCK]) -> u64 {
    // Multiplying 8 such bytes by this constant moves byte k's bit to bit 56 + k, with no carries between them.
    const GATHER: u64 = 0x0102_0408_1020_4080;
    let mut mask = 0u64;
    for (k, eight) in flags.chunks_exact(8).enumerate() {
        let mut word = [0u8; 8];
        word.copy_from_slice(eight);
        mask |= (u64::from_le_bytes(word).wrapping_mul(GATHER) >> 56) << (8 * k);
    }
    mask
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fast(text: &str) -> Vec<&str> {
        let mut words = Vec::new();
        for_each_word(text, |word| words.push(word));
        words
    }

    fn reference(text: &str) -> Vec<&str> {
        text.unicode_words().collect()
    }

    /// xorshift64, for reproducible random strings.
    fn generator(mut state: u64) -> impl FnMut() -> u64 {
        move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        }
    }

    #[test]
    fn ascii_examples() {
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
    fn words_across_blocks_and_at_the_ends() {
        // Words that straddle the 64-byte blocks, joiners at block edges, a text ending inside a word.
        for shift in 0..70 {
            let text = format!(
                "{}word a.b 12,5 x_y __ {}tail",
                " ".repeat(shift),
                "q".repeat(shift)
            );
            assert_eq!(fast(&text), reference(&text), "shift {shift}");
        }
        let long = "a".repeat(300);
        assert_eq!(fast(&long), vec![long.as_str()]);
        assert_eq!(fast(""), Vec::<&str>::new());
        assert_eq!(fast("___"), Vec::<&str>::new());
    }

    #[test]
    fn ascii_path_equals_unicode_words_on_random_strings() {
        // Every ASCII word-break class, several times for the ones that matter most.
        const ALPHABET: &[u8] = b"aZb09_.,;:'\" \t\r\n\x0b\x0c-!?/aa11..''";
        let mut next = generator(0x1234_5678_9abc_def0);
        for case in 0..200_000 {
            let len = (next() % if case % 10 == 0 { 200 } else { 24 }) as usize;
            let text: String = (0..len)
                .map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize] as char)
                .collect();
            assert_eq!(fast(&text), reference(&text), "case {case}: {text:?}");
        }
    }

    #[test]
    fn mixed_text_equals_unicode_words_on_random_strings() {
        // ASCII classes mixed with characters of the classes that UAX #29 treats specially: letters with
        // diacritics, combining marks (Extend), format characters, ZWJ, emoji, regional indicators, Katakana,
        // Hebrew letters and quotes, non-ASCII digits, separators, typographic punctuation, non-ASCII spaces.
        const PIECES: &[&str] = &[
            "a",
            "Z",
            "b",
            "0",
            "9",
            "_",
            ".",
            ",",
            ";",
            ":",
            "'",
            "\"",
            " ",
            " ",
            " ",
            "\t",
            "\r",
            "\n",
            "\x0b",
            "\x0c",
            "-",
            "!",
            "é",
            "ß",
            "\u{301}",
            "\u{200d}",
            "\u{200b}",
            "\u{ad}",
            "\u{2060}",
            "😀",
            "👍🏽",
            "\u{1f1fa}",
            "\u{1f1f8}",
            "カ",
            "ー",
            "字",
            "א",
            "\u{5f4}",
            "٣",
            "\u{2028}",
            "\u{85}",
            "’",
            "“",
            "”",
            "—",
            "…",
            "\u{a0}",
            "\u{3000}",
            "\u{feff}",
            "\u{202f}",
            "ｱ",
            "Ω",
        ];
        let mut next = generator(0x0fed_cba9_8765_4321);
        for case in 0..200_000 {
            let len = (next() % if case % 10 == 0 { 120 } else { 16 }) as usize;
            let text: String = (0..len)
                .map(|_| PIECES[(next() % PIECES.len() as u64) as usize])
                .collect();
            assert_eq!(fast(&text), reference(&text), "case {case}: {text:?}");
        }
    }

    #[test]
    fn non_ascii_text_examples() {
        for text in [
            "café naïveté — don't panic",
            "I’m so tired… “really” tired 😀😀 ok",
            "e\u{301}cole \u{200d}x a\u{200d}b 🇺🇸🇫🇷 flags",
            "ascii words first then ünïcödé then ascii again and again",
        ] {
            assert_eq!(fast(text), reference(text), "{text}");
        }
    }

    /// Every post of the Dreaddit train file (read at test time, never copied into the repo), as written and
    /// lowercased as the pipeline sees it.
    #[test]
    fn dreaddit_posts_split_like_unicode_words() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/data/dreaddit/dreaddit-train.csv");
        let path = std::env::var_os("STRESSLENS_DATA").map_or(path, std::path::PathBuf::from);
        let data = crate::dataset::Dataset::from_csv_path(&path).unwrap();
        assert_eq!(data.texts.len(), 2838);
        let mut non_ascii = 0;
        for (row, text) in data.texts.iter().enumerate() {
            non_ascii += usize::from(!text.is_ascii());
            assert_eq!(fast(text), reference(text), "row {row}");
            let lower = text.to_lowercase();
            assert_eq!(fast(&lower), reference(&lower), "row {row} lowercased");
        }
        // the mixed path was exercised, not only the ASCII one
        assert!(non_ascii > 100, "{non_ascii}");
    }

    #[test]
    fn gather_constant_moves_each_byte_to_its_bit() {
        let mut flags = [0u8; BLOCK];
        for (i, flag) in flags.iter_mut().enumerate() {
            *flag = u8::from(i % 3 == 0 || i % 7 == 1);
        }
        let expected = (0..BLOCK).fold(0u64, |mask, i| mask | (u64::from(flags[i]) << i));
        assert_eq!(bits_of(&flags), expected);
    }
}
