//! Reading point sets from CSV text: one point per row, decimal numbers separated by commas,
//! surrounding spaces allowed, `#` starts a comment that runs to the end of the line, blank
//! lines are ignored. Every problem is reported with the file name, the line and the column
//! (both counted from 1).
//!
//! **Limits.** The input is read through a bounded reader, never whole: at most
//! [`MAX_INPUT_BYTES`] (1 GiB) in total, lines of at most [`MAX_LINE_BYTES`] (16 MiB), at most
//! [`MAX_NUMBERS`] (2^27) numbers, and no NUL byte (binary input such as `/dev/zero` is refused
//! at its first buffer). A bad field is echoed with at most [`text::FIELD_CHARS`] characters,
//! control characters escaped.

use std::io::{BufRead, BufReader, Read};

use ntk_sphere::Points;

use super::text;

/// Largest input file, in bytes (1 GiB).
pub const MAX_INPUT_BYTES: u64 = 1 << 30;
/// Longest line, in bytes (16 MiB).
pub const MAX_LINE_BYTES: usize = 1 << 24;
/// Most numbers (coordinates) in one file: 2^27 = 134 217 728 (1 GiB as `f64`).
pub const MAX_NUMBERS: usize = 1 << 27;

/// Reads the points in the file at `path`.
pub fn read_points(path: &str) -> Result<Points, String> {
    let shown = text::path(path);
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    if let Ok(meta) = file.metadata() {
        if meta.is_dir() {
            return Err(format!("cannot read {shown}: it is a directory"));
        }
        if meta.is_file() && meta.len() > MAX_INPUT_BYTES {
            return Err(format!(
                "{shown}: the file has {}, more than the limit of {} for CSV input",
                text::bytes(meta.len() as f64),
                text::bytes(MAX_INPUT_BYTES as f64)
            ));
        }
    }
    parse_reader(&shown, file)
}

/// Parses CSV text; `name` is used in messages only.
#[cfg(test)]
pub fn parse_points(name: &str, text: &str) -> Result<Points, String> {
    parse_reader(name, text.as_bytes())
}

/// The limits of a read (the module constants, smaller ones in tests).
#[derive(Debug, Clone, Copy)]
struct Limits {
    input_bytes: u64,
    line_bytes: usize,
    numbers: usize,
}

const LIMITS: Limits = Limits {
    input_bytes: MAX_INPUT_BYTES,
    line_bytes: MAX_LINE_BYTES,
    numbers: MAX_NUMBERS,
};

/// Parses CSV text from `input` (at most [`MAX_INPUT_BYTES`]); `name` is used in messages only.
pub fn parse_reader<R: Read>(name: &str, input: R) -> Result<Points, String> {
    parse_limited(name, input, LIMITS)
}

fn parse_limited<R: Read>(name: &str, input: R, limits: Limits) -> Result<Points, String> {
    let mut reader = Lines {
        inner: BufReader::with_capacity(1 << 16, input),
        line: Vec::new(),
        total: 0,
        line_no: 0,
        limits,
    };
    let mut data: Vec<f64> = Vec::new();
    let mut dim: Option<(usize, usize)> = None; // (columns, line where first seen)
    let mut n = 0;
    while let Some((line_no, raw)) = reader.next_line(name)? {
        let raw = std::str::from_utf8(raw)
            .map_err(|_| format!("{name}:{line_no}: the line is not valid UTF-8 text"))?;
        let raw = if line_no == 1 {
            raw.strip_prefix('\u{feff}').unwrap_or(raw)
        } else {
            raw
        };
        let content = raw.split('#').next().unwrap_or("");
        if content.trim().is_empty() {
            continue;
        }
        let mut cols = 0;
        for (j, field) in content.split(',').enumerate() {
            let col = j + 1;
            let field = field.trim();
            if field.is_empty() {
                return Err(format!("{name}:{line_no}: column {col}: empty field"));
            }
            let v: f64 = field.parse().map_err(|_| {
                format!(
                    "{name}:{line_no}: column {col}: {} is not a decimal number",
                    text::quoted(field, text::FIELD_CHARS)
                )
            })?;
            if !v.is_finite() {
                return Err(format!(
                    "{name}:{line_no}: column {col}: {} is not a finite number",
                    text::quoted(field, text::FIELD_CHARS)
                ));
            }
            if data.len() >= limits.numbers {
                return Err(format!(
                    "{name}:{line_no}: more than {} numbers, the limit for CSV input",
                    limits.numbers
                ));
            }
            data.try_reserve(1).map_err(|_| {
                format!(
                    "{name}:{line_no}: cannot allocate memory for {} numbers",
                    data.len() + 1
                )
            })?;
            data.push(v);
            cols += 1;
        }
        match dim {
            None => dim = Some((cols, line_no)),
            Some((d, first)) if d != cols => {
                return Err(format!(
                    "{name}:{line_no}: ragged rows: {}, but line {first} has {}",
                    columns(cols),
                    columns(d)
                ));
            }
            Some(_) => {}
        }
        n += 1;
    }
    let Some((d, _)) = dim else {
        return Err(format!("{name}: no points (the file has no data rows)"));
    };
    Points::new(data, n, d).map_err(|e| format!("{name}: {e}"))
}

/// "1 column", "3 columns".
fn columns(n: usize) -> String {
    if n == 1 {
        "1 column".into()
    } else {
        format!("{n} columns")
    }
}

/// A bounded line reader: lines end at `\n` (a trailing `\r` is dropped), and the limits of the
/// module are enforced as the bytes arrive.
struct Lines<R> {
    inner: BufReader<R>,
    line: Vec<u8>,
    /// Bytes read so far.
    total: u64,
    /// Number of the line last returned (from 1).
    line_no: usize,
    limits: Limits,
}

impl<R: Read> Lines<R> {
    /// The number and the bytes (without the terminator) of the next line, or `None` at the
    /// end of the input.
    fn next_line(&mut self, name: &str) -> Result<Option<(usize, &[u8])>, String> {
        self.line.clear();
        let line_no = self.line_no + 1;
        loop {
            let buf = self
                .inner
                .fill_buf()
                .map_err(|e| format!("cannot read {name}: {e}"))?;
            if buf.is_empty() {
                if self.line.is_empty() {
                    return Ok(None);
                }
                break;
            }
            let stop = buf.iter().position(|&b| b == b'\n' || b == 0);
            if let Some(p) = stop {
                if buf[p] == 0 {
                    return Err(format!(
                        "{name}:{line_no}: NUL byte at byte {} of the line: not a text file",
                        self.line.len() + p + 1
                    ));
                }
            }
            let take = stop.map_or(buf.len(), |p| p + 1);
            self.total += take as u64;
            if self.total > self.limits.input_bytes {
                return Err(format!(
                    "{name}: the input is larger than the limit of {} for CSV input",
                    text::bytes(self.limits.input_bytes as f64)
                ));
            }
            if self.line.len() + take > self.limits.line_bytes + 1 {
                return Err(format!(
                    "{name}:{line_no}: the line is longer than the limit of {}",
                    text::bytes(self.limits.line_bytes as f64)
                ));
            }
            self.line.extend_from_slice(&buf[..take]);
            self.inner.consume(take);
            if stop.is_some() {
                break;
            }
        }
        self.line_no = line_no;
        let mut end = self.line.len();
        if self.line[..end].ends_with(b"\n") {
            end -= 1;
            if self.line[..end].ends_with(b"\r") {
                end -= 1;
            }
        }
        Ok(Some((line_no, &self.line[..end])))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_blank_lines_and_spaces() {
        let text = "# header\n\n 1.0 , 2 # trailing\n\t-3e-1,+4.5\r\n   \n#x\n";
        let p = parse_points("x.csv", text).unwrap();
        assert_eq!((p.len(), p.dim()), (2, 2));
        assert_eq!(p.as_slice(), &[1.0, 2.0, -0.3, 4.5]);
        // no final newline, byte-order mark
        let p = parse_points("x.csv", "\u{feff}1,2\n3,4").unwrap();
        assert_eq!(p.as_slice(), &[1.0, 2.0, 3.0, 4.0]);
    }

    #[test]
    fn errors_name_file_line_and_column() {
        let cases = [
            ("1,2\n3,abc\n", "x.csv:2: column 2: \"abc\""),
            ("1,2\n3,NaN\n", "x.csv:2: column 2: \"NaN\" is not a finite"),
            ("1,inf\n", "x.csv:1: column 2: \"inf\" is not a finite"),
            (
                "1,2\n\n3\n",
                "x.csv:3: ragged rows: 1 column, but line 1 has 2 columns",
            ),
            ("1,,2\n", "x.csv:1: column 2: empty field"),
            ("1,2,\n", "x.csv:1: column 3: empty field"),
            ("# only a comment\n\n", "x.csv: no points"),
            ("", "x.csv: no points"),
            ("1,2\n3,\u{1b}[2J\n", "x.csv:2: column 2: \"\\u{001B}[2J\""),
            ("1,2\n3,4\0\n", "x.csv:2: NUL byte at byte 4 of the line"),
        ];
        for (text, expected) in cases {
            let e = parse_points("x.csv", text).unwrap_err();
            assert!(e.starts_with(expected), "{text:?}: {e}");
        }
        let e = parse_reader("x.csv", &b"1,2\n\xff\xfe\n"[..]).unwrap_err();
        assert_eq!(e, "x.csv:2: the line is not valid UTF-8 text");
    }

    /// A bad field of a megabyte is echoed with at most 60 characters.
    #[test]
    fn long_bad_fields_are_cut() {
        let field = format!("1{}", "x".repeat(1 << 20));
        let e = parse_points("x.csv", &format!("1,{field}\n")).unwrap_err();
        assert!(e.len() < 150, "{e}");
        assert!(e.contains("…\" is not a decimal number"), "{e}");
    }

    /// Endless binary input fails at its first buffer; endless lines at the line limit.
    #[test]
    fn endless_inputs_fail_fast() {
        let e = parse_reader("zero", std::io::repeat(0)).unwrap_err();
        assert_eq!(e, "zero:1: NUL byte at byte 1 of the line: not a text file");
        let e = parse_reader("ones", std::io::repeat(b'1')).unwrap_err();
        assert_eq!(e, "ones:1: the line is longer than the limit of 16 MiB");
        // short lines forever: the total limit (here 1 KiB)
        let small = Limits {
            input_bytes: 1024,
            line_bytes: 100,
            numbers: 10,
        };
        let e = parse_limited("lines", std::io::repeat(b'\n'), small).unwrap_err();
        assert_eq!(
            e,
            "lines: the input is larger than the limit of 1 KiB for CSV input"
        );
        let e = parse_limited("many", "1,2\n".repeat(6).as_bytes(), small).unwrap_err();
        assert_eq!(e, "many:6: more than 10 numbers, the limit for CSV input");
        // exactly at the limits
        let p = parse_limited("ok", "1,2\n".repeat(5).as_bytes(), small).unwrap();
        assert_eq!(p.len(), 5);
        let line = format!("{}\n", "1".repeat(100));
        assert!(parse_limited("ok", line.as_bytes(), small).is_ok());
        let line = format!("{}\n", "1".repeat(101));
        assert!(parse_limited("long", line.as_bytes(), small).is_err());
    }
}
