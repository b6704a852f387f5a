//! Formatting of values inside user-facing messages: never Rust debug formats, never
//! unbounded echoes of input, never hundreds of digits.

/// Characters of an input field shown in a message; longer fields are cut with `…`.
pub const FIELD_CHARS: usize = 60;

/// Characters of a path shown in a message.
pub const PATH_CHARS: usize = 200;

/// `s` in double quotes, cut to `max` characters (then `…` before the closing quote), with
/// control characters, NUL, invisible formatting characters, `"` and `\` escaped (`\n`, `\t`,
/// `\r`, `\0`, `\"`, `\\`, otherwise `\u{XXXX}`), so that the message stays on one line and
/// shows exactly what was read.
pub fn quoted(s: &str, max: usize) -> String {
    format!("\"{}\"", escaped(s, max))
}

/// `s` as in [`quoted`], without the quotes.
pub fn escaped(s: &str, max: usize) -> String {
    let mut out = String::with_capacity(s.len().min(4 * max));
    let mut chars = s.chars();
    for c in chars.by_ref().take(max) {
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\0' => out.push_str("\\0"),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if invisible(c) => out.push_str(&format!("\\u{{{:04X}}}", c as u32)),
            c => out.push(c),
        }
    }
    if chars.next().is_some() {
        out.push('…');
    }
    out
}

/// Control characters and the invisible format characters that can disguise text (zero-width
/// characters, bidirectional overrides, byte-order mark).
fn invisible(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{FEFF}')
}

/// A path as shown in messages: [`escaped`], at most [`PATH_CHARS`] characters, no quotes.
pub fn path(p: &str) -> String {
    escaped(p, PATH_CHARS)
}

/// A number as shown in messages: the shortest round-trip decimal, switched to scientific
/// notation (`1e300`, `1e-300`) when the plain form would show more than 17 significant digits
/// or be longer than 21 characters.
pub fn num(v: f64) -> String {
    let plain = v.to_string();
    let significant = plain
        .bytes()
        .filter(u8::is_ascii_digit)
        .skip_while(|&b| b == b'0')
        .count();
    if significant > 17 || plain.len() > 21 {
        format!("{v:e}")
    } else {
        plain
    }
}

/// A byte count in binary units (`512 bytes`, `1.5 KiB`, `74.5 GiB`; beyond PiB in scientific
/// notation): the library's [`ntk_sphere::error::format_bytes`].
pub fn bytes(b: f64) -> String {
    ntk_sphere::error::format_bytes(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_escapes_and_truncates() {
        assert_eq!(quoted("abc", 60), "\"abc\"");
        assert_eq!(quoted("a\0b\n\t\"\\", 60), "\"a\\0b\\n\\t\\\"\\\\\"");
        assert_eq!(
            quoted("x\u{1b}[31m\u{202E}", 60),
            "\"x\\u{001B}[31m\\u{202E}\""
        );
        let long = "9".repeat(1000);
        let q = quoted(&long, FIELD_CHARS);
        assert_eq!(q.chars().count(), FIELD_CHARS + 3);
        assert!(q.ends_with("…\""));
        assert_eq!(
            quoted(&"é".repeat(60), 60),
            format!("\"{}\"", "é".repeat(60))
        );
    }

    #[test]
    fn numbers_in_messages() {
        assert_eq!(num(1e300), "1e300");
        assert_eq!(num(-1e300), "-1e300");
        assert_eq!(num(1e-300), "1e-300");
        assert_eq!(num(0.5), "0.5");
        assert_eq!(num(-0.1), "-0.1");
        assert_eq!(num(1e16), "10000000000000000");
        assert_eq!(num(1e17), "1e17");
        assert_eq!(num(f64::NAN), "NaN");
        assert_eq!(num(f64::NEG_INFINITY), "-inf");
        assert_eq!(num(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(num(1e-7), "0.0000001");
        assert_eq!(num(1.5e-20), "1.5e-20");
    }

    #[test]
    fn byte_counts() {
        assert_eq!(bytes(100.0), "100 bytes");
        assert_eq!(bytes(1536.0), "1.5 KiB");
        assert_eq!(bytes(8e10), "74.5 GiB");
        assert_eq!(bytes(16.0 * 1024f64.powi(3)), "16 GiB");
        assert_eq!(bytes(1e30), "1.000e30 bytes");
    }
}
