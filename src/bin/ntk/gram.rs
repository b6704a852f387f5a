//! `ntk gram`: the size checks, the matrix held in memory for JSON on stdout, and the streamed
//! computation for `--output` files.
//!
//! **Memory bounds** (stated in `ntk gram --help` and the README):
//! * JSON on stdout holds the whole n×m matrix (8 bytes per entry). It is refused up front,
//!   with the memory it needs, if n·m exceeds [`MAX_RESULT_ENTRIES`] = 2^31 entries (16 GiB)
//!   or the memory the kernel reports available (`MemAvailable` of `/proc/meminfo`, where
//!   readable); the buffer is allocated with `try_reserve`, so a refused allocation is an
//!   error too, never an abort.
//! * `--output` files are computed and written in blocks of B = clamp(2^22 / m, 32, 256) rows
//!   (a block is at most max(32 MiB, 2 KiB · m)), so memory stays O(B·m) whatever n is; the
//!   file size is bounded only by the file system (a failed write removes the partial file).

use ntk_sphere::kernel::{GramPlan, gram_into};
use ntk_sphere::{Architecture, KernelError, KernelKind, Points, SphereKernel};

use super::{Failure, text};

/// Largest Gram matrix held in memory (JSON on stdout): 2^31 entries, 16 GiB of `f64`.
pub const MAX_RESULT_ENTRIES: usize = 1 << 31;

/// Entries per block of rows of a streamed matrix (2^22, 32 MiB of `f64`).
const BLOCK_ENTRIES: usize = 1 << 22;
/// Bounds on the rows per block of a streamed matrix.
const BLOCK_ROWS: (usize, usize) = (32, 256);

/// Rows per block of a streamed matrix with `m` columns.
pub fn block_rows(m: usize) -> usize {
    (BLOCK_ENTRIES / m.max(1)).clamp(BLOCK_ROWS.0, BLOCK_ROWS.1)
}

/// `MemAvailable` of `/proc/meminfo`, in bytes, if readable.
fn mem_available() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line
        .trim_start_matches("MemAvailable:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    kib.checked_mul(1024)
}

/// "n x m Gram matrix needs … (… entries of 8 bytes)".
fn needs(n: usize, m: usize) -> String {
    let entries = n as f64 * m as f64;
    format!(
        "the {n} x {m} Gram matrix needs {} ({} entries of 8 bytes)",
        text::bytes(8.0 * entries),
        text::num(entries)
    )
}

/// Checks that the n×m matrix may be held in memory (see the module docs) and returns its
/// number of entries.
pub fn check_in_memory(n: usize, m: usize, available: Option<u64>) -> Result<usize, Failure> {
    let hint = "; write it to a file with --output K.npy, which is computed in blocks of rows";
    let entries = n
        .checked_mul(m)
        .filter(|&e| e <= MAX_RESULT_ENTRIES)
        .ok_or_else(|| {
            Failure::Usage(format!(
                "{}, more than the limit of {} ({MAX_RESULT_ENTRIES} entries) for output on \
                 stdout{hint}",
                needs(n, m),
                text::bytes(8.0 * MAX_RESULT_ENTRIES as f64)
            ))
        })?;
    if let Some(avail) = available {
        if 8 * entries as u64 > avail {
            return Err(Failure::Usage(format!(
                "{}, more than the {} of memory available{hint}",
                needs(n, m),
                text::bytes(avail as f64)
            )));
        }
    }
    Ok(entries)
}

/// The whole matrix K(X, Y) (K(X, X) without `y`), row-major, after [`check_in_memory`].
pub fn in_memory(
    arch: &Architecture,
    kind: KernelKind,
    x: &Points,
    y: Option<&Points>,
) -> Result<Vec<f64>, Failure> {
    let (n, m) = (x.len(), y.unwrap_or(x).len());
    let entries = check_in_memory(n, m, mem_available())?;
    let mut data = Vec::new();
    data.try_reserve_exact(entries).map_err(|_| {
        Failure::Usage(format!(
            "{}, which cannot be allocated; write it to a file with --output K.npy",
            needs(n, m)
        ))
    })?;
    data.resize(entries, 0.0);
    gram_into(arch, kind, x, y, &mut data)?;
    Ok(data)
}

/// Computes K(X, Y) in blocks of [`block_rows`] rows.
///
/// The blocks are formed from square tiles of the same size, each computed by one library call
/// (`GramPlan::gram_into`, with the plan built once for all points). For K(X, X) the tile (a, b),
/// a ≤ b, is always computed by the same call, K(X_a, X_b), and its transpose serves block b:
/// the streamed matrix is exactly symmetric, and each entry is within the library's accuracy of
/// `kernel::gram` (off-diagonal tiles are computed twice, so this costs about twice the
/// symmetric in-memory computation).
pub struct Streamer<'a> {
    plan: GramPlan,
    /// X split into blocks of rows.
    xs: Vec<Points>,
    /// Y split likewise, or `None` for K(X, X).
    y: Option<&'a Points>,
    rows: usize,
    cols: usize,
    block: usize,
}

/// `p` split into consecutive blocks of `b` points.
fn split(p: &Points, b: usize) -> Result<Vec<Points>, KernelError> {
    let d = p.dim();
    p.as_slice()
        .chunks(b * d)
        .map(|c| Points::new(c.to_vec(), c.len() / d, d))
        .collect()
}

impl<'a> Streamer<'a> {
    /// Prepares the computation (the interpolation tables of the fast path are built once).
    pub fn new(
        arch: &'a Architecture,
        kind: KernelKind,
        x: &Points,
        y: Option<&'a Points>,
    ) -> Result<Self, Failure> {
        let (rows, cols) = (x.len(), y.unwrap_or(x).len());
        let kernel = SphereKernel::new(arch.clone(), kind, x.dim())?;
        let plan = GramPlan::new(&kernel, x, y)?;
        let block = block_rows(cols);
        Ok(Self {
            plan,
            xs: split(x, block)?,
            y,
            rows,
            cols,
            block,
        })
    }

    /// Number of rows n.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of columns m.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// K(a, b) (K(a, a) without `b`) into `out`.
    fn tile(&self, a: &Points, b: Option<&Points>, out: &mut [f64]) -> Result<(), KernelError> {
        self.plan.gram_into(a, b, out)
    }

    /// Calls `emit` with each block of rows (row-major, `cols` entries per row), in order. The
    /// entries are checked to be finite before they are emitted; the first error stops.
    pub fn run(&self, mut emit: impl FnMut(&[f64]) -> Result<(), Failure>) -> Result<(), Failure> {
        let m = self.cols;
        let mut buf = vec![0.0; self.block * m];
        let mut tile = vec![0.0; self.block * self.block];
        for (a, xa) in self.xs.iter().enumerate() {
            let ra = xa.len();
            let out = &mut buf[..ra * m];
            match self.y {
                Some(y) => self.tile(xa, Some(y), out)?,
                None => {
                    let mut c0 = 0;
                    for (b, xb) in self.xs.iter().enumerate() {
                        let rb = xb.len();
                        let t = &mut tile[..ra * rb];
                        if b < a {
                            // the tile (b, a), as computed for block b, transposed
                            self.tile(xb, Some(xa), t)?;
                            for i in 0..ra {
                                for j in 0..rb {
                                    out[i * m + c0 + j] = t[j * ra + i];
                                }
                            }
                        } else {
                            if b == a {
                                self.tile(xa, None, t)?;
                            } else {
                                self.tile(xa, Some(xb), t)?;
                            }
                            for (i, row) in t.chunks_exact(rb).enumerate() {
                                out[i * m + c0..i * m + c0 + rb].copy_from_slice(row);
                            }
                        }
                        c0 += rb;
                    }
                }
            }
            if let Some(v) = out.iter().find(|v| !v.is_finite()) {
                return Err(Failure::Usage(format!("kernel value {v} is not finite")));
            }
            emit(out)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ntk_sphere::kernel::gram;
    use ntk_sphere::{Mlp, ResNet};

    fn points(n: usize, d: usize, seed: u64) -> Points {
        // a small deterministic generator (xorshift), coordinates in [-2, 2)
        let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let data = (0..n * d)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                (s >> 11) as f64 / (1u64 << 53) as f64 * 4.0 - 2.0
            })
            .collect();
        Points::new(data, n, d).unwrap()
    }

    fn streamed(arch: &Architecture, x: &Points, y: Option<&Points>) -> Vec<f64> {
        let s = Streamer::new(arch, KernelKind::Ntk, x, y).unwrap();
        let mut all = Vec::new();
        s.run(|rows| {
            assert_eq!(rows.len() % s.cols(), 0);
            all.extend_from_slice(rows);
            Ok(())
        })
        .unwrap();
        all
    }

    #[test]
    fn block_sizes() {
        assert_eq!(block_rows(1), 256);
        assert_eq!(block_rows(100_000), 41);
        assert_eq!(block_rows(10_000_000), 32);
    }

    /// Several blocks: exactly symmetric, equal to the library within its accuracy; the
    /// rectangular case and the exact path (MLP with biases) bitwise equal.
    #[test]
    fn streamed_blocks_match_the_library() {
        let x = points(300, 3, 1);
        let y = points(70, 3, 2);
        let resnet: Architecture = ResNet::new(4, 0.3, 1.0, 1.0).unwrap().into();
        let s = streamed(&resnet, &x, None);
        let k = gram(&resnet, KernelKind::Ntk, &x, None).unwrap();
        let n = x.len();
        for i in 0..n {
            for j in 0..n {
                assert_eq!(s[i * n + j].to_bits(), s[j * n + i].to_bits(), "({i}, {j})");
                let scale = (k.get(i, i) * k.get(j, j)).sqrt();
                assert!((s[i * n + j] - k.get(i, j)).abs() <= 1e-13 * scale);
            }
        }
        assert_eq!(streamed(&resnet, &x, Some(&y)), {
            gram(&resnet, KernelKind::Ntk, &x, Some(&y)).unwrap().data
        });
        let mlp: Architecture = Mlp::with_bias(2, 1.0, 0.5).unwrap().into();
        let small = points(300, 2, 3);
        // the exact path in two blocks: bitwise equal to the library
        let s = Streamer::new(&mlp, KernelKind::Ntk, &small, None).unwrap();
        assert_eq!((s.block, s.xs.len()), (256, 2));
        assert_eq!(
            streamed(&mlp, &small, None),
            gram(&mlp, KernelKind::Ntk, &small, None).unwrap().data
        );
    }

    #[test]
    fn memory_checks() {
        let e = |n, m, avail| match check_in_memory(n, m, avail) {
            Err(Failure::Usage(msg)) => msg,
            Ok(_) => panic!("{n} x {m} accepted"),
        };
        let msg = e(100_000, 100_000, None);
        assert!(
            msg.starts_with(
                "the 100000 x 100000 Gram matrix needs 74.5 GiB (10000000000 entries of 8 \
                 bytes), more than the limit of 16 GiB (2147483648 entries) for output on stdout"
            ),
            "{msg}"
        );
        assert!(
            e(usize::MAX, 3, None).contains("needs 4.427e20 bytes"),
            "{}",
            e(usize::MAX, 3, None)
        );
        let msg = e(1000, 1000, Some(1 << 20));
        assert!(msg.contains("needs 7.6 MiB") && msg.contains("1 MiB of memory available"));
        assert_eq!(
            check_in_memory(1000, 1000, Some(1 << 30)).ok(),
            Some(1_000_000)
        );
        assert_eq!(check_in_memory(1 << 16, 1 << 15, None).ok(), Some(1 << 31));
    }
}
