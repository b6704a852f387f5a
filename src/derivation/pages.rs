//! Generated blocks inside hand-written pages: `<!-- generated:KEY -->` … `<!-- /generated -->`.

use super::DerivationError;

/// The opening marker of the generated block `key`.
pub fn open_marker(key: &str) -> String {
    format!("<!-- generated:{key} -->")
}

/// The closing marker of every generated block.
pub const CLOSE_MARKER: &str = "<!-- /generated -->";

/// The keys of the generated blocks of a page, in order of appearance.
pub fn block_keys(page: &str) -> Vec<String> {
    let mut keys = Vec::new();
    let mut rest = page;
    while let Some(i) = rest.find("<!-- generated:") {
        let after = &rest[i + "<!-- generated:".len()..];
        match after.find(" -->") {
            Some(j) => {
                keys.push(after[..j].to_string());
                rest = &after[j..];
            }
            None => break,
        }
    }
    keys
}

/// The page with the content of every generated block replaced by `content(key)` (the
/// hand-written text around the blocks is kept byte for byte).
pub fn replace_blocks(
    page: &str,
    mut content: impl FnMut(&str) -> Result<String, DerivationError>,
) -> Result<String, DerivationError> {
    let mut out = String::with_capacity(page.len());
    let mut rest = page;
    for key in block_keys(page) {
        let open = open_marker(&key);
        let i = rest
            .find(&open)
            .ok_or_else(|| DerivationError::Page(format!("marker {open} not found")))?;
        let after_open = i + open.len();
        let j = rest[after_open..].find(CLOSE_MARKER).ok_or_else(|| {
            DerivationError::Page(format!(
                "generated block {key} has no closing {CLOSE_MARKER}"
            ))
        })?;
        out.push_str(&rest[..after_open]);
        out.push('\n');
        out.push_str(content(&key)?.trim_end());
        out.push('\n');
        out.push_str(CLOSE_MARKER);
        rest = &rest[after_open + j + CLOSE_MARKER.len()..];
    }
    out.push_str(rest);
    Ok(out)
}
