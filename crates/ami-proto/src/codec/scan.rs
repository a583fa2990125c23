//! Where the line ends and the colons are, 64 bytes at a time.
//!
//! The decoder's hot loop asks one question per line: where does it end,
//! and where is its first `:`? Asking memchr twice per line costs a call and
//! a vector set-up each time, on lines of 22 bytes on average. Instead a
//! [`Block`] compares up to 64 bytes against `\n` and `:` at once and keeps
//! the answers as two bit masks; the loop then reads line ends and colons
//! off the masks with `trailing_zeros`. Every byte of the stream goes
//! through [`Block::load`] once.
//!
//! On x86 and x86-64 the comparisons are SSE2 (part of the x86-64 baseline)
//! through `safe_arch`'s safe wrappers; elsewhere a portable SWAR version
//! does the same on 8-byte words. Both give exactly the masks of the scalar
//! definition, which the tests check.

/// The `\n` and `:` positions of up to 64 consecutive buffer bytes.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Block {
    /// Buffer offset of bit 0.
    pub(crate) base: usize,
    /// How many bytes the masks cover (0 = no block).
    pub(crate) len: usize,
    /// Bit `i` set when byte `base + i` is `\n`.
    pub(crate) nl: u64,
    /// Bit `i` set when byte `base + i` is `:`.
    pub(crate) colon: u64,
    /// Bit `i` set when byte `base + i` is `\n` and byte `base + i - 1`
    /// is `\r` (never bit 0: its CR would be outside the block).
    pub(crate) crlf: u64,
}

impl Block {
    /// Scans `data[from..]`, up to 64 bytes of it. `from < data.len()`.
    #[inline]
    pub(crate) fn load(data: &[u8], from: usize) -> Self {
        let end = data.len().min(from.saturating_add(64));
        let bytes = data.get(from..end).unwrap_or_default();
        let (nl, colon, cr) = masks(bytes);
        Self {
            base: from,
            len: bytes.len(),
            nl,
            colon,
            crlf: nl & (cr << 1),
        }
    }

    /// True when the block holds the answers for buffer offset `pos`.
    #[inline]
    pub(crate) fn covers(&self, pos: usize) -> bool {
        pos >= self.base && pos - self.base < self.len
    }

    /// The buffer lost its first `n` bytes: offsets move down by `n`, and
    /// what the block knew of the bytes that went is dropped.
    #[inline]
    pub(crate) fn consumed(&mut self, n: usize) {
        if n <= self.base {
            self.base -= n;
        } else if n < self.base + self.len {
            let gone = n - self.base;
            self.nl >>= gone;
            self.colon >>= gone;
            // A CRLF whose CR went keeps its bit only above bit 0.
            self.crlf = (self.crlf >> gone) & !1;
            self.len -= gone;
            self.base = 0;
        } else {
            *self = Self::default();
        }
    }
}

/// Bits `from..64` (`from < 64`).
#[inline]
pub(crate) fn from_bit(from: usize) -> u64 {
    u64::MAX
        .checked_shl(u32::try_from(from).unwrap_or(64))
        .unwrap_or(0)
}

/// The masks of `\n`, `:` and `\r`.
type Masks = (u64, u64, u64);

/// The scalar definition: bit `first_bit + i` of each mask for `bytes[i]`.
fn masks_scalar(bytes: &[u8], first_bit: u32, m: &mut Masks) {
    for (i, &b) in (first_bit..).zip(bytes) {
        m.0 |= u64::from(b == b'\n') << i;
        m.1 |= u64::from(b == b':') << i;
        m.2 |= u64::from(b == b'\r') << i;
    }
}

#[cfg(all(
    any(target_arch = "x86", target_arch = "x86_64"),
    target_feature = "sse2"
))]
#[inline]
fn masks(bytes: &[u8]) -> Masks {
    use safe_arch::{cmp_eq_mask_i8_m128i, load_unaligned_m128i, move_mask_i8_m128i};
    use safe_arch::{m128i, set_splat_i8_m128i};

    #[inline(always)]
    fn bits(v: m128i, splat: m128i) -> u64 {
        u64::from(move_mask_i8_m128i(cmp_eq_mask_i8_m128i(v, splat)).cast_unsigned() & 0xFFFF)
    }

    let lf = set_splat_i8_m128i(b'\n'.cast_signed());
    let co = set_splat_i8_m128i(b':'.cast_signed());
    let cr = set_splat_i8_m128i(b'\r'.cast_signed());
    let mut m: Masks = (0, 0, 0);
    let mut add = |part: &[u8; 16], shift: u32| {
        let v = load_unaligned_m128i(part);
        m.0 |= bits(v, lf) << shift;
        m.1 |= bits(v, co) << shift;
        m.2 |= bits(v, cr) << shift;
    };
    if let Ok(whole) = <&[u8; 64]>::try_from(bytes) {
        // The common case, unrolled.
        let (parts, _) = whole.as_chunks::<16>();
        for (k, part) in (0u32..).zip(parts) {
            add(part, 16 * k);
        }
        return m;
    }
    let (parts, rest) = bytes.as_chunks::<16>();
    let mut shift = 0u32;
    for part in parts {
        add(part, shift);
        shift += 16;
    }
    masks_scalar(rest, shift, &mut m);
    m
}

#[cfg(not(all(
    any(target_arch = "x86", target_arch = "x86_64"),
    target_feature = "sse2"
)))]
#[inline]
fn masks(bytes: &[u8]) -> Masks {
    masks_swar(bytes)
}

/// The portable version: SWAR on 8-byte words.
#[cfg_attr(
    all(
        any(target_arch = "x86", target_arch = "x86_64"),
        target_feature = "sse2"
    ),
    allow(dead_code)
)]
#[inline]
fn masks_swar(bytes: &[u8]) -> Masks {
    /// High bit of each byte of `w` set exactly where that byte is `b`.
    #[inline(always)]
    fn eq(w: u64, b: u8) -> u64 {
        const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
        let x = w ^ (0x0101_0101_0101_0101 * u64::from(b));
        !(((x & LOW7).wrapping_add(LOW7)) | x | LOW7)
    }
    /// The 8 high bits of `m` (one per byte) packed into the low byte.
    #[inline(always)]
    fn pack(m: u64) -> u64 {
        ((m >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56
    }

    let (words, rest) = bytes.as_chunks::<8>();
    let mut m: Masks = (0, 0, 0);
    let mut shift = 0u32;
    for word in words {
        let w = u64::from_le_bytes(*word);
        m.0 |= pack(eq(w, b'\n')) << shift;
        m.1 |= pack(eq(w, b':')) << shift;
        m.2 |= pack(eq(w, b'\r')) << shift;
        shift += 8;
    }
    masks_scalar(rest, shift, &mut m);
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn reference(bytes: &[u8]) -> Masks {
        let mut m = (0, 0, 0);
        masks_scalar(bytes, 0, &mut m);
        m
    }

    #[test]
    fn masks_of_a_line() {
        let (nl, colon, cr) = masks(b"Event: Hangup\r\nCause: 16\r\n");
        assert_eq!(nl, (1 << 14) | (1 << 25));
        assert_eq!(colon, (1 << 5) | (1 << 20));
        assert_eq!(cr, (1 << 13) | (1 << 24));
        assert_eq!(masks(b""), (0, 0, 0));
        let b = Block::load(b"\nA\r\n\n", 0);
        assert_eq!(b.crlf, 1 << 3);
    }

    #[test]
    fn consumed_shifts_or_forgets() {
        let data = b"A: 1\r\nB: 2\r\n";
        let mut b = Block::load(data, 0);
        assert!(b.covers(11) && !b.covers(12));
        b.consumed(6);
        assert_eq!((b.base, b.len), (0, 6));
        assert_eq!(b.nl, 1 << 5);
        assert_eq!(b.colon, 1 << 1);
        assert_eq!(b.crlf, 1 << 5);
        let mut d = Block::load(data, 0);
        d.consumed(5);
        assert_eq!((d.nl, d.crlf), (1 | (1 << 6), 1 << 6));
        let mut c = Block::load(data, 6);
        c.consumed(6);
        assert_eq!((c.base, c.len, c.nl), (0, 6, 1 << 5));
        c.consumed(6);
        assert!(!c.covers(0));
    }

    #[test]
    fn bit_ranges() {
        assert_eq!(from_bit(0), u64::MAX);
        assert_eq!(from_bit(63), 1 << 63);
        assert_eq!(from_bit(64), 0);
    }

    proptest! {
        #[test]
        fn masks_match_the_scalar_definition(
            bytes in proptest::collection::vec(
                prop_oneof![Just(b'\n'), Just(b':'), Just(b'\r'), Just(0x0A ^ 0x80), Just(0x3A ^ 0x80), any::<u8>()],
                0..=64,
            ),
        ) {
            prop_assert_eq!(masks(&bytes), reference(&bytes));
            prop_assert_eq!(masks_swar(&bytes), reference(&bytes));
        }
    }
}
