//! Shrinks a template's text before tera parses it: each long run of plain
//! text between tags becomes a variable holding that text. Tera's lexer
//! walks plain text a character at a time (counting lines and columns), and
//! plain text is most of a service template, so parsing the skeleton is
//! markedly cheaper; rendering it gives the same bytes.
//!
//! Only templates made of the simple tags (`if`, `for`, `set`, `filter`,
//! `break`, `continue`, comments and `{{ }}`) are shrunk: a macro or a
//! component cannot see the variables, and `raw` text is not parsed. Anything
//! else, or anything this scanner is not sure it reads as tera does, leaves
//! the template as it is.

/// Plain text shorter than this stays in the template: a variable costs
/// about as much to parse as this much text.
const MIN_LITERAL_BYTES: usize = 128;

/// The tags a skeleton may hold: their bodies render in the template's own
/// scope, where the literal variables are visible.
const SIMPLE_TAGS: [&str; 13] = [
    "if",
    "elif",
    "else",
    "endif",
    "for",
    "endfor",
    "set",
    "set_global",
    "endset",
    "filter",
    "endfilter",
    "break",
    "continue",
];

/// A template with its long plain-text runs taken out.
#[derive(Debug, PartialEq, Eq)]
pub struct Skeleton<'t> {
    /// The template text, each long run replaced by `{{ NAME }}`.
    pub text: String,
    /// Each variable's name and the text it stands for, in order.
    pub literals: Vec<(String, &'t str)>,
}

/// The skeleton of `template`, its variables named `{prefix}0`, `{prefix}1`,
/// ...; `None` when nothing would be taken out or the template uses what a
/// skeleton cannot (see the module documentation).
pub fn of<'t>(template: &'t str, prefix: &str) -> Option<Skeleton<'t>> {
    let bytes = template.as_bytes();
    let mut text = String::with_capacity(template.len() / 4);
    let mut literals = Vec::new();
    // Where the plain text being read starts, and whether the tag before it
    // trims the whitespace at its start (`-%}`).
    let (mut at, mut trim_start) = (0, false);
    loop {
        let tag = next_tag(bytes, at);
        let plain = &template[at..tag.unwrap_or(bytes.len())];
        // `{%-` trims the whitespace at the end of the text before it.
        let trim_end = tag.is_some_and(|t| bytes.get(t + 2) == Some(&b'-'));
        let mut kept = plain;
        if trim_start {
            kept = kept.trim_start();
        }
        if trim_end {
            kept = kept.trim_end();
        }
        if kept.len() >= MIN_LITERAL_BYTES {
            // The trimming is done here: the variable's text is not trimmed.
            let name = format!("{prefix}{}", literals.len());
            text.push_str("{{ ");
            text.push_str(&name);
            text.push_str(" }}");
            literals.push((name, kept));
        } else {
            text.push_str(plain);
        }
        let Some(start) = tag else {
            break;
        };
        let end = tag_end(bytes, start)?;
        text.push_str(&template[start..end]);
        trim_start = bytes[end - 3] == b'-';
        at = end;
    }
    (!literals.is_empty()).then_some(Skeleton { text, literals })
}

/// Where the next tag (`{{`, `{%` or `{#`) at or after `from` starts.
fn next_tag(bytes: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    while let Some(offset) = memchr::memchr(b'{', &bytes[at..]) {
        let brace = at + offset;
        if matches!(bytes.get(brace + 1), Some(b'{' | b'%' | b'#')) {
            return Some(brace);
        }
        at = brace + 1;
    }
    None
}

/// Where the tag starting at `start` ends (just past its closing marker);
/// `None` if it is not closed or is not a tag a skeleton may hold.
fn tag_end(bytes: &[u8], start: usize) -> Option<usize> {
    let kind = bytes[start + 1];
    if kind == b'#' {
        let close = memchr::memmem::find(&bytes[start + 2..], b"#}")?;
        return Some(start + 2 + close + 2);
    }
    if kind == b'%' && !is_simple_tag(&bytes[start + 2..]) {
        return None;
    }
    let closing = if kind == b'%' { b'%' } else { b'}' };
    let mut at = start + 2;
    while at < bytes.len() {
        match bytes[at] {
            quote @ (b'"' | b'\'' | b'`') => {
                let close = memchr::memchr(quote, &bytes[at + 1..])?;
                // Tera unescapes `\` sequences: not read here.
                if bytes[at + 1..at + 1 + close].contains(&b'\\') {
                    return None;
                }
                at += close + 2;
            }
            // A map literal (or a nested brace) could hide the closing `}}`.
            b'{' | b'\\' => return None,
            b if b == closing && bytes.get(at + 1) == Some(&b'}') => return Some(at + 2),
            _ => at += 1,
        }
    }
    None
}

/// Whether a `{%` tag whose text starts `rest` is one of `SIMPLE_TAGS`.
fn is_simple_tag(rest: &[u8]) -> bool {
    let rest = rest.strip_prefix(b"-").unwrap_or(rest).trim_ascii_start();
    let word_len = rest
        .iter()
        .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
        .unwrap_or(rest.len());
    let word = &rest[..word_len];
    SIMPLE_TAGS.iter().any(|tag| tag.as_bytes() == word)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Renders `template` as it is and through its skeleton.
    fn both(template: &str, ctx: &tera::Context) -> (String, Option<String>) {
        let tera = crate::expr::engine();
        let plain = tera.render_str(template, ctx, false).unwrap();
        let through = of(template, "__lit_").map(|skeleton| {
            let mut tera = crate::expr::engine();
            tera.add_raw_template("t", &skeleton.text).unwrap();
            for (name, literal) in skeleton.literals {
                tera.global_context().insert_value(name, literal.into());
            }
            tera.render("t", ctx).unwrap()
        });
        (plain, through)
    }

    fn context() -> tera::Context {
        let mut ctx = tera::Context::new();
        ctx.insert("name", "billing-api");
        ctx.insert("items", &vec!["a", "b"]);
        ctx.insert("on", &true);
        ctx
    }

    #[test]
    fn renders_the_same_bytes_as_the_template() {
        let long = "plain text that goes on, {braces} and } and % signs\n".repeat(4);
        let cases = [
            format!("{long}{{{{ name }}}}{long}"),
            format!("{{% if on -%}}\n  {long}  \n{{%- endif %}}\nafter"),
            format!("{{% for i in items %}}{long}{{{{ i }}}}\n{{% endfor %}}"),
            format!("{{# a comment -#}}\n\n{long}{{#- another #}}"),
            format!("{{{{ \"}}}} in a string\" }}}}{long}{{{{- name -}}}}  {long}  "),
            format!(
                "{{% set x = name | upper %}}{long}{{{{ x }}}}{{% if not on %}}{long}{{% else %}}{long}{{% endif %}}"
            ),
        ];
        for template in &cases {
            let (plain, through) = both(template, &context());
            assert_eq!(Some(plain), through, "{template}");
        }
    }

    #[test]
    fn short_text_and_unsupported_templates_are_left_alone() {
        let long = "x".repeat(200);
        assert_eq!(of("short {{ name }} text", "v"), None);
        for template in [
            format!("{{% macro m() %}}{long}{{% endmacro %}}"),
            format!("{{% raw %}}{long}{{% endraw %}}"),
            format!("{{% include \"a\" %}}{long}"),
            format!("{{{{ {{\"a\": 1}} }}}}{long}"),
            format!("{{{{ \"esc\\\"aped\" }}}}{long}"),
            format!("{long}{{{{ unclosed"),
        ] {
            assert_eq!(of(&template, "v"), None, "{template}");
        }
    }

    #[test]
    fn names_and_texts_of_the_literals() {
        let long = "y".repeat(150);
        let template = format!("{long}{{{{ name }}}}\n{{%- if on %}}{long}  {{%- endif %}}");
        let skeleton = of(&template, "p").unwrap();
        assert_eq!(
            skeleton.text,
            "{{ p0 }}{{ name }}\n{%- if on %}{{ p1 }}{%- endif %}"
        );
        assert_eq!(
            skeleton.literals,
            vec![
                ("p0".to_string(), long.as_str()),
                ("p1".to_string(), long.as_str())
            ]
        );
    }
}
