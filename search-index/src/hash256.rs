//! A 256-bit perceptual hash, as produced by PDQ and searched by the Hamming index.
//!
//! Bit `k` of the hash lives in bit `k % 64` of word `k / 64`. The hex form follows the
//! PDQ reference (`Hash256::format()` in the C++ code): sixteen 16-bit groups, the group
//! holding bits 240..256 first.

use std::fmt;
use std::str::FromStr;

/// A 256-bit hash stored as four machine words so that distance is four popcounts.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Hash256(pub [u64; 4]);

/// Why a hex string is not a 256-bit hash.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseHashError {
    #[error("a PDQ hash has 64 hex digits, this one has {0}")]
    Length(usize),
    #[error("a PDQ hash has only hex digits (0-9, a-f)")]
    NotHex,
}

impl Hash256 {
    /// The all-zero hash, which the PDQ reference gives for images too small to hash.
    pub const ZERO: Hash256 = Hash256([0; 4]);

    /// Number of differing bits.
    #[inline]
    pub fn distance(&self, other: &Hash256) -> u32 {
        (self.0[0] ^ other.0[0]).count_ones()
            + (self.0[1] ^ other.0[1]).count_ones()
            + (self.0[2] ^ other.0[2]).count_ones()
            + (self.0[3] ^ other.0[3]).count_ones()
    }

    #[inline]
    pub fn bit(&self, k: usize) -> bool {
        (self.0[k / 64] >> (k % 64)) & 1 == 1
    }

    #[inline]
    pub fn set_bit(&mut self, k: usize) {
        self.0[k / 64] |= 1 << (k % 64);
    }

    /// The sixteen 16-bit groups of the reference, group 0 holding bits 0..16.
    fn group(&self, i: usize) -> u16 {
        // Truncation is the point: each group is one 16-bit slice of a word.
        (self.0[i / 4] >> ((i % 4) * 16)) as u16
    }

    pub fn to_hex(&self) -> String {
        let mut out = String::with_capacity(64);
        for i in (0..16).rev() {
            out.push_str(&format!("{:04x}", self.group(i)));
        }
        out
    }

    pub fn from_hex(text: &str) -> Result<Hash256, ParseHashError> {
        let text = text.trim();
        if text.len() != 64 {
            return Err(ParseHashError::Length(text.len()));
        }
        if !text.is_ascii() {
            return Err(ParseHashError::NotHex);
        }
        let mut words = [0u64; 4];
        for (position, chunk) in text.as_bytes().chunks(4).enumerate() {
            let chunk = std::str::from_utf8(chunk).map_err(|_| ParseHashError::NotHex)?;
            let group = u16::from_str_radix(chunk, 16).map_err(|_| ParseHashError::NotHex)?;
            let i = 15 - position;
            words[i / 4] |= u64::from(group) << ((i % 4) * 16);
        }
        Ok(Hash256(words))
    }

    /// The 32 bytes of the hash, little-endian by word; the form we store in databases.
    pub fn to_bytes(&self) -> [u8; 32] {
        let mut out = [0u8; 32];
        for (i, word) in self.0.iter().enumerate() {
            out[i * 8..i * 8 + 8].copy_from_slice(&word.to_le_bytes());
        }
        out
    }

    pub fn from_bytes(bytes: &[u8; 32]) -> Hash256 {
        let mut words = [0u64; 4];
        for (i, word) in words.iter_mut().enumerate() {
            let mut chunk = [0u8; 8];
            chunk.copy_from_slice(&bytes[i * 8..i * 8 + 8]);
            *word = u64::from_le_bytes(chunk);
        }
        Hash256(words)
    }
}

impl fmt::Display for Hash256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for Hash256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash256({})", self.to_hex())
    }
}

impl FromStr for Hash256 {
    type Err = ParseHashError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Hash256::from_hex(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_and_puts_the_top_group_first() {
        let mut h = Hash256::ZERO;
        h.set_bit(255);
        h.set_bit(0);
        let hex = h.to_hex();
        assert_eq!(&hex[..4], "8000");
        assert_eq!(&hex[60..], "0001");
        assert_eq!(Hash256::from_hex(&hex).unwrap(), h);
        assert_eq!(Hash256::from_bytes(&h.to_bytes()), h);
    }

    #[test]
    fn bad_hex_is_an_error() {
        assert_eq!(Hash256::from_hex("abc"), Err(ParseHashError::Length(3)));
        let not_hex = "g".repeat(64);
        assert_eq!(Hash256::from_hex(&not_hex), Err(ParseHashError::NotHex));
    }

    #[test]
    fn distance_counts_differing_bits() {
        let a = Hash256([u64::MAX, 0, 0, 1]);
        let b = Hash256([0, 0, 0, 0]);
        assert_eq!(a.distance(&b), 65);
        assert_eq!(a.distance(&a), 0);
    }
}
