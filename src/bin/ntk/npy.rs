//! A minimal writer for NumPy `.npy` files (format version 1.0) holding a C-order `float64`
//! matrix, as specified in `numpy/lib/format.py` ("NEP 1"): the magic string `\x93NUMPY`, the
//! version bytes `1, 0`, a little-endian `u16` header length, an ASCII Python-dict header padded
//! with spaces and terminated by `\n` so that the total header size is a multiple of 64, then the
//! raw little-endian `f64` payload.

use std::io::{self, Write};

/// The magic string that starts every `.npy` file.
pub const MAGIC: &[u8; 6] = b"\x93NUMPY";

/// Alignment of the header (magic + version + length + dict) required by format version 1.0.
const ALIGN: usize = 64;

/// The complete header (magic, version, length, dict) for a `rows × cols` C-order `<f8` array.
pub fn header(rows: usize, cols: usize) -> Vec<u8> {
    let dict = format!("{{'descr': '<f8', 'fortran_order': False, 'shape': ({rows}, {cols}), }}");
    // magic (6) + version (2) + header length (2) + dict + padding + '\n'
    let unpadded = MAGIC.len() + 2 + 2 + dict.len() + 1;
    let total = unpadded.div_ceil(ALIGN) * ALIGN;
    let header_len = total - (MAGIC.len() + 4);
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&[1, 0]);
    // A dict for any usize shape is far below 65 535 bytes.
    out.extend_from_slice(&(header_len as u16).to_le_bytes());
    out.extend_from_slice(dict.as_bytes());
    out.resize(total - 1, b' ');
    out.push(b'\n');
    out
}

/// Writes a `rows × cols` matrix given row by row: the header, then [`write_rows`].
#[cfg(test)]
pub fn write<'a, W: Write + ?Sized>(
    w: &mut W,
    rows: usize,
    cols: usize,
    data: impl Iterator<Item = &'a [f64]>,
) -> io::Result<()> {
    w.write_all(&header(rows, cols))?;
    write_rows(w, data)
}

/// Writes the payload of rows (little-endian `f64`), after the [`header`].
pub fn write_rows<'a, W: Write + ?Sized>(
    w: &mut W,
    data: impl Iterator<Item = &'a [f64]>,
) -> io::Result<()> {
    let mut bytes = Vec::new();
    for row in data {
        bytes.clear();
        for v in row {
            bytes.extend_from_slice(&v.to_le_bytes());
        }
        w.write_all(&bytes)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_is_aligned_and_well_formed() {
        for (r, c) in [(1, 1), (3, 4), (123_456, 7), (usize::MAX, usize::MAX)] {
            let h = header(r, c);
            assert_eq!(h.len() % ALIGN, 0);
            assert_eq!(&h[..6], MAGIC);
            assert_eq!(&h[6..8], &[1, 0]);
            let len = u16::from_le_bytes([h[8], h[9]]) as usize;
            assert_eq!(len + 10, h.len());
            assert_eq!(*h.last().unwrap(), b'\n');
            let dict = std::str::from_utf8(&h[10..]).unwrap();
            assert!(dict.starts_with(&format!(
                "{{'descr': '<f8', 'fortran_order': False, 'shape': ({r}, {c}), }}"
            )));
            assert!(
                dict.trim_end_matches('\n')
                    .trim_end_matches(' ')
                    .ends_with('}')
            );
        }
    }

    #[test]
    fn exact_bytes_of_a_small_file() {
        let mut buf = Vec::new();
        let rows: [&[f64]; 2] = [&[1.0, -2.5], &[0.0, 1e-300]];
        write(&mut buf, 2, 2, rows.into_iter()).unwrap();
        let dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }";
        let mut expected = b"\x93NUMPY\x01\x00\x76\x00".to_vec();
        expected.extend_from_slice(dict.as_bytes());
        expected.resize(127, b' ');
        expected.push(b'\n');
        for v in [1.0f64, -2.5, 0.0, 1e-300] {
            expected.extend_from_slice(&v.to_le_bytes());
        }
        assert_eq!(buf, expected);
    }
}
