//! The SVG badge of a level, in the flat style of shields.io (grey label on
//! the left, the level on a colour of its own on the right), sized from an
//! approximation of Verdana 11px so it needs no font files. Pure.

use super::report::level_name;
use super::rubric::Level;

/// The badge colour of a level.
pub fn color(level: Option<Level>) -> &'static str {
    match level {
        None => "#e05d44",
        Some(Level::Bronze) => "#cd7f32",
        Some(Level::Silver) => "#9f9f9f",
        Some(Level::Gold) => "#dfb317",
        Some(Level::Platinum) => "#6b8fae",
    }
}

/// Approximate width in pixels of `text` in Verdana 11px.
fn text_width(text: &str) -> f64 {
    text.chars()
        .map(|c| match c {
            'i' | 'l' | 'j' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' => 3.4,
            'f' | 't' | 'r' | ' ' | 'I' | '(' | ')' | '-' => 4.6,
            'm' | 'w' | 'M' | 'W' => 10.0,
            c if c.is_ascii_uppercase() => 7.5,
            c if c.is_ascii_digit() => 7.0,
            _ => 6.6,
        })
        .sum()
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The badge: `label | level`.
pub fn svg(label: &str, level: Option<Level>) -> String {
    let value = level_name(level);
    // Rounded to whole pixels, with 10px of padding on each side of each text.
    let label_w = (text_width(label) + 10.0).round();
    let value_w = (text_width(value) + 10.0).round();
    let total = label_w + value_w;
    let (label_x, value_x) = (label_w / 2.0, label_w + value_w / 2.0);
    let (label, title) = (escape(label), escape(&format!("{label}: {value}")));
    let fill = color(level);
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="20" role="img" aria-label="{title}">
  <title>{title}</title>
  <linearGradient id="s" x2="0" y2="100%">
    <stop offset="0" stop-color="#bbb" stop-opacity=".1"/>
    <stop offset="1" stop-opacity=".1"/>
  </linearGradient>
  <clipPath id="r">
    <rect width="{total}" height="20" rx="3" fill="#fff"/>
  </clipPath>
  <g clip-path="url(#r)">
    <rect width="{label_w}" height="20" fill="#555"/>
    <rect x="{label_w}" width="{value_w}" height="20" fill="{fill}"/>
    <rect width="{total}" height="20" fill="url(#s)"/>
  </g>
  <g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" text-rendering="geometricPrecision" font-size="11">
    <text x="{label_x}" y="15" fill="#010101" fill-opacity=".3">{label}</text>
    <text x="{label_x}" y="14">{label}</text>
    <text x="{value_x}" y="15" fill="#010101" fill-opacity=".3">{value}</text>
    <text x="{value_x}" y="14">{value}</text>
  </g>
</svg>
"##
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn badge_has_the_level_and_escapes_the_label() {
        let s = svg("a&b", Some(Level::Gold));
        assert!(s.contains(">gold</text>"), "{s}");
        assert!(s.contains("a&amp;b: gold"), "{s}");
        assert!(s.contains("#dfb317"));
        assert!(svg("grade", None).contains(">none</text>"));
        assert!(text_width("platinum") > text_width("gold"));
    }
}
