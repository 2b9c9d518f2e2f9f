//! Stable LSD radix sort of `key << 32 | index` words by their key bits, in at most three
//! passes of at most 11-bit digits; the ranking's sorting mechanism ([`crate::rank`]).

/// Widest digit of one pass.
pub(crate) const MAX_DIGIT: u32 = 11;

/// The sorter's buffers, kept between sorts.
#[derive(Clone)]
pub(crate) struct RadixSorter {
    tmp: Vec<u64>,
    /// Digit counts of up to three radix passes.
    counts: Box<[[u32; 1 << MAX_DIGIT]; 3]>,
}

impl Default for RadixSorter {
    fn default() -> Self {
        RadixSorter {
            tmp: Vec::new(),
            counts: Box::new([[0; 1 << MAX_DIGIT]; 3]),
        }
    }
}

impl std::fmt::Debug for RadixSorter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RadixSorter").finish_non_exhaustive()
    }
}

impl RadixSorter {
    /// Stable LSD radix sort of `order` by its key bits (`bits` ≤ 33; the index half is
    /// already ascending);
    /// the last pass also writes the positions to `pos`, if given.
    pub(crate) fn sort(&mut self, order: &mut Vec<u64>, bits: u32, pos: Option<&mut [u32]>) {
        let n = order.len();
        if n < 64 {
            order.sort_unstable();
            if let Some(pos) = pos {
                order
                    .iter()
                    .enumerate()
                    .for_each(|(p, &e)| pos[(e & 0xFFFF_FFFF) as usize] = p as u32 + 1);
            }
            return;
        }
        let passes = bits.div_ceil(MAX_DIGIT) as usize;
        let digit = bits.div_ceil(passes as u32);
        let buckets = 1usize << digit;
        // Fixed-size tables: a digit mask known to be below 2¹¹ needs no bounds checks.
        // zero only the tables and buckets this sort uses (the whole 24 KB was a third of
        // the instructions of ranking 2,844 units)
        let counts = &mut self.counts;
        for c in counts.iter_mut().take(passes) {
            c[..buckets].fill(0);
        }
        let mask = (buckets as u64 - 1) & ((1 << MAX_DIGIT) - 1);
        // One loop per number of passes: counting a digit that is always 0 would chain
        // every increment on one counter.
        let [c0, c1, c2] = &mut **counts;
        match passes {
            1 => order.iter().for_each(|&e| c0[((e >> 32) & mask) as usize] += 1),
            2 => order.iter().for_each(|&e| {
                let k = e >> 32;
                c0[(k & mask) as usize] += 1;
                c1[((k >> digit) & mask) as usize] += 1;
            }),
            _ => order.iter().for_each(|&e| {
                let k = e >> 32;
                c0[(k & mask) as usize] += 1;
                c1[((k >> digit) & mask) as usize] += 1;
                c2[((k >> (2 * digit)) & mask) as usize] += 1;
            }),
        }
        // a pass where every key has the same digit changes nothing
        let mut live = [0usize; 3];
        let mut n_live = 0;
        for p in 0..passes {
            if !counts[p][..buckets].iter().any(|&x| x as usize == n) {
                live[n_live] = p;
                n_live += 1;
            }
        }
        let live = &live[..n_live];
        self.tmp.resize(n, 0);
        let (mut src, mut dst) = (&mut order[..], &mut self.tmp[..]);
        let mut in_tmp = false;
        let mut pos = pos;
        for (i, &p) in live.iter().enumerate() {
            let c = &mut counts[p];
            let mut sum = 0u32;
            for x in &mut c[..buckets] {
                let t = *x;
                *x = sum;
                sum += t;
            }
            let shift = 32 + p as u32 * digit;
            match pos.as_deref_mut().filter(|_| i + 1 == live.len()) {
                Some(pos) => {
                    for &e in src.iter() {
                        let d = ((e >> shift) & mask) as usize;
                        let at = c[d];
                        dst[at as usize] = e;
                        pos[(e & 0xFFFF_FFFF) as usize] = at + 1;
                        c[d] = at + 1;
                    }
                }
                None => {
                    for &e in src.iter() {
                        let d = ((e >> shift) & mask) as usize;
                        dst[c[d] as usize] = e;
                        c[d] += 1;
                    }
                }
            }
            std::mem::swap(&mut src, &mut dst);
            in_tmp = !in_tmp;
        }
        if in_tmp {
            std::mem::swap(order, &mut self.tmp);
        }
        if let (true, Some(pos)) = (live.is_empty(), pos) {
            order
                .iter()
                .enumerate()
                .for_each(|(p, &e)| pos[(e & 0xFFFF_FFFF) as usize] = p as u32 + 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Against the standard library's sort of the same words, with positions.
    #[test]
    fn sorts_like_the_standard_sort() {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut r = RadixSorter::default();
        for (n, bits) in [(10, 8), (63, 12), (64, 8), (1000, 11), (3000, 17), (5000, 22), (4096, 30), (700, 1)] {
            let mut order: Vec<u64> = (0..n as u64).map(|i| (next() & ((1 << bits) - 1)) << 32 | i).collect();
            let mut want = order.clone();
            want.sort_unstable();
            let mut pos = vec![0u32; n];
            r.sort(&mut order, bits, Some(&mut pos));
            assert_eq!(order, want, "n {n} bits {bits}");
            for (p, &e) in want.iter().enumerate() {
                assert_eq!(pos[(e & 0xFFFF_FFFF) as usize], p as u32 + 1);
            }
            // equal keys: the index order stays
            let mut same: Vec<u64> = (0..n as u64).map(|i| 5 << 32 | i).collect();
            let copy = same.clone();
            r.sort(&mut same, bits.max(3), None);
            assert_eq!(same, copy);
        }
    }
}
