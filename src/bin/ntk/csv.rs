//! Reading point sets from CSV text: one point per row, decimal numbers separated by commas,
//! surrounding spaces allowed, `#` starts a comment that runs to the end of the line, blank
//! lines are ignored. Every problem is reported with the file name, the line and the column
//! (both counted from 1).

use ntk_sphere::Points;

/// Reads the points in the file at `path`.
pub fn read_points(path: &str) -> Result<Points, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let text = std::str::from_utf8(&bytes).map_err(|e| {
        let line = 1 + bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        format!("{path}:{line}: the file is not valid UTF-8 text")
    })?;
    parse_points(path, text)
}

/// Parses CSV text; `name` is used in messages only.
pub fn parse_points(name: &str, text: &str) -> Result<Points, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut data = Vec::new();
    let mut dim: Option<(usize, usize)> = None; // (columns, line where first seen)
    let mut n = 0;
    for (i, raw) in text.lines().enumerate() {
        let line_no = i + 1;
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
                format!("{name}:{line_no}: column {col}: {field:?} is not a decimal number")
            })?;
            if !v.is_finite() {
                return Err(format!(
                    "{name}:{line_no}: column {col}: {field:?} is not a finite number"
                ));
            }
            data.push(v);
            cols += 1;
        }
        match dim {
            None => dim = Some((cols, line_no)),
            Some((d, first)) if d != cols => {
                return Err(format!(
                    "{name}:{line_no}: ragged rows: {cols} columns, but line {first} has {d}"
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_blank_lines_and_spaces() {
        let text = "# header\n\n 1.0 , 2 # trailing\n\t-3e-1,+4.5\r\n   \n#x\n";
        let p = parse_points("x.csv", text).unwrap();
        assert_eq!((p.len(), p.dim()), (2, 2));
        assert_eq!(p.as_slice(), &[1.0, 2.0, -0.3, 4.5]);
    }

    #[test]
    fn errors_name_file_line_and_column() {
        let cases = [
            ("1,2\n3,abc\n", "x.csv:2: column 2: \"abc\""),
            ("1,2\n3,NaN\n", "x.csv:2: column 2: \"NaN\" is not a finite"),
            ("1,inf\n", "x.csv:1: column 2: \"inf\" is not a finite"),
            (
                "1,2\n\n3\n",
                "x.csv:3: ragged rows: 1 columns, but line 1 has 2",
            ),
            ("1,,2\n", "x.csv:1: column 2: empty field"),
            ("1,2,\n", "x.csv:1: column 3: empty field"),
            ("# only a comment\n\n", "x.csv: no points"),
            ("", "x.csv: no points"),
        ];
        for (text, expected) in cases {
            let e = parse_points("x.csv", text).unwrap_err();
            assert!(e.starts_with(expected), "{text:?}: {e}");
        }
    }
}
