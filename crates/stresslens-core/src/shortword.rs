//! Words of up to 23 bytes stored inline: hash-map keys that compare without following a pointer. Looking up
//! words in the stem cache and the vocabulary is the hot path of feature extraction, and heap-allocated keys made
//! every comparison a cache miss.

/// Longest word held inline, in bytes.
pub(crate) const SHORT_WORD_MAX: usize = 23;

/// Bytes past `len` are always zero, so the derived equality is string equality.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct ShortWord {
    len: u8,
    bytes: [u8; SHORT_WORD_MAX],
}

impl ShortWord {
    /// `None` if `word` is longer than [`SHORT_WORD_MAX`] bytes.
    #[inline]
    pub(crate) fn new(word: &str) -> Option<ShortWord> {
        ShortWord::joined(word, None)
    }

    /// `first`, or `first` + `' '` + `second` (a bigram), if it fits.
    #[inline]
    pub(crate) fn joined(first: &str, second: Option<&str>) -> Option<ShortWord> {
        let len = first.len() + second.map_or(0, |s| s.len() + 1);
        if len > SHORT_WORD_MAX {
            return None;
        }
        let mut bytes = [0u8; SHORT_WORD_MAX];
        bytes[..first.len()].copy_from_slice(first.as_bytes());
        if let Some(second) = second {
            bytes[first.len()] = b' ';
            bytes[first.len() + 1..len].copy_from_slice(second.as_bytes());
        }
        Some(ShortWord {
            len: len as u8,
            bytes,
        })
    }

    #[inline]
    pub(crate) fn as_str(&self) -> &str {
        // Built only from whole `&str`s joined by an ASCII space, so always valid UTF-8.
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or("")
    }
}

/// Hashes only the bytes in use, in one call (the derived hash fed all 23 bytes plus two length prefixes).
impl std::hash::Hash for ShortWord {
    #[inline]
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write(&self.bytes[..usize::from(self.len)]);
        // A terminator keeps `"ab"` + `"c"` from colliding with `"a"` + `"bc"` in composite keys.
        state.write_u8(0xff);
    }
}

impl std::fmt::Debug for ShortWord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.as_str().fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_limits() {
        assert_eq!(ShortWord::new("naïveté").unwrap().as_str(), "naïveté");
        assert_eq!(
            ShortWord::joined("calm", Some("day")).unwrap().as_str(),
            "calm day"
        );
        assert_eq!(ShortWord::new(&"x".repeat(23)).unwrap().as_str().len(), 23);
        assert!(ShortWord::new(&"x".repeat(24)).is_none());
        assert!(ShortWord::joined("abcdefghijkl", Some("abcdefghijk")).is_none());
        assert_ne!(ShortWord::new("ab"), ShortWord::new("ab "));
    }
}
