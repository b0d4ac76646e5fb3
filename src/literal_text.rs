//! Takes the long runs of literal text out of a tera template before tera
//! parses it, leaving in their place a lookup that renders the same bytes.
//!
//! Why: tera's lexer walks every byte of literal text twice (looking for the
//! next tag, then counting lines and columns char by char), and the parser
//! and compiler copy it twice more. The default template is 85% literal text,
//! and that walk was a fifth of the CPU time of `newsvc new`. A lookup of a
//! string is a few tags' worth of work, whatever the string's length.
//!
//! The rewrite is pure and conservative: it follows tera's own lexer (tags,
//! strings in tags, comments, raw blocks, whitespace control), leaves every
//! tag as it is, and gives up (returns `None`) on anything it does not
//! recognise, so that tera parses the original and reports its own errors.
//! Whitespace next to the literal text stays in the template, so that `{%-`
//! and `-%}` trim exactly what they trimmed before.

/// The context variable that holds the lifted texts of a batch of templates.
pub const TEXTS_VARIABLE: &str = "__newsvc_literal_text";

/// Literal runs shorter than this stay in the template: a lookup costs about
/// as much as lexing this many bytes.
const MIN_LIFTED_BYTES: usize = 48;

/// A template with its long literal runs replaced by lookups into `texts`
/// (indices continue from the `first_index` given to `lift`).
#[derive(Debug, PartialEq, Eq)]
pub struct Lifted<'t> {
    pub template: String,
    pub texts: Vec<&'t str>,
}

/// Tags whose bodies do not see the render's context: literal text inside
/// them cannot be looked up there, so such templates are left whole.
const OWN_SCOPE_TAGS: [&str; 2] = ["macro", "component"];

/// Rewrites `template`, numbering its lifted texts from `first_index`.
/// `None` when nothing is worth lifting, or when the template is not one
/// this rewrite understands (tera then parses the original: any syntax
/// error is reported as written).
pub fn lift(template: &str, first_index: usize) -> Option<Lifted<'_>> {
    let bytes = template.as_bytes();
    let mut lifted = Lifted {
        template: String::with_capacity(template.len() / 4),
        texts: Vec::new(),
    };
    let mut at = 0;
    loop {
        let tag_start = next_tag_start(bytes, at);
        let text_end = tag_start.unwrap_or(bytes.len());
        lifted.push_text(&template[at..text_end], first_index);
        let Some(start) = tag_start else { break };
        let end = match bytes[start + 1] {
            b'{' => expression_or_tag_end(bytes, body_start(bytes, start), b'}')?,
            b'%' => {
                let body = body_start(bytes, start);
                match raw_block_end(template, body) {
                    Some(end) => end?,
                    None => {
                        if OWN_SCOPE_TAGS.contains(&first_word(&template[body..])) {
                            return None;
                        }
                        expression_or_tag_end(bytes, body, b'%')?
                    }
                }
            }
            _ => comment_end(bytes, body_start(bytes, start))?,
        };
        lifted.template.push_str(&template[start..end]);
        at = end;
    }
    (!lifted.texts.is_empty()).then_some(lifted)
}

impl<'t> Lifted<'t> {
    /// Appends a run of literal text: its core replaced by a lookup when
    /// long enough, the whitespace around it kept for tera to trim.
    fn push_text(&mut self, text: &'t str, first_index: usize) {
        let core = text.trim();
        if core.len() < MIN_LIFTED_BYTES {
            self.template.push_str(text);
            return;
        }
        let lead = text.len() - text.trim_start().len();
        self.template.push_str(&text[..lead]);
        let index = first_index + self.texts.len();
        self.template
            .push_str(&format!("{{{{ {TEXTS_VARIABLE}[{index}] }}}}"));
        self.template.push_str(&text[lead + core.len()..]);
        self.texts.push(core);
    }
}

/// Where the next `{{`, `{%` or `{#` starts, from `at`.
fn next_tag_start(bytes: &[u8], mut at: usize) -> Option<usize> {
    while let Some(offset) = memchr::memchr(b'{', &bytes[at..]) {
        let brace = at + offset;
        if matches!(bytes.get(brace + 1), Some(b'{' | b'%' | b'#')) {
            return Some(brace);
        }
        at = brace + 1;
    }
    None
}

/// Where the body of the tag starting at `start` begins: after its two
/// opening characters and a `-` that trims the text before.
fn body_start(bytes: &[u8], start: usize) -> usize {
    if bytes.get(start + 2) == Some(&b'-') {
        start + 3
    } else {
        start + 2
    }
}

/// The first word of a tag body (after whitespace).
fn first_word(body: &str) -> &str {
    let body = body.trim_start_matches(|c: char| c.is_ascii_whitespace());
    let len = body
        .bytes()
        .take_while(|&c| c == b'_' || c.is_ascii_alphanumeric())
        .count();
    &body[..len]
}

/// The end (exclusive) of a `{{ … }}` or `{% … %}` whose body starts at
/// `at` and whose closing delimiter is `closer` followed by `}`, lexed
/// token by token as tera does, so that a closing delimiter inside a string
/// does not count. `None` if it never closes.
fn expression_or_tag_end(bytes: &[u8], mut at: usize, closer: u8) -> Option<usize> {
    loop {
        while bytes.get(at).is_some_and(u8::is_ascii_whitespace) {
            at += 1;
        }
        let rest = bytes.get(at..)?;
        match rest {
            [] => return None,
            [b'-', c, b'}', ..] if *c == closer => return Some(at + 3),
            [c, b'}', ..] if *c == closer => return Some(at + 2),
            [quote @ (b'"' | b'\'' | b'`'), ..] => at += string_len(rest, *quote)?,
            [c, ..] if c.is_ascii_digit() => at += number_len(rest),
            [c, ..] if *c == b'_' || c.is_ascii_alphabetic() => {
                at += rest
                    .iter()
                    .take_while(|&&c| c == b'_' || c.is_ascii_alphanumeric())
                    .count();
            }
            // Operators and punctuation: none has a second character that
            // could start a closing delimiter. Anything else is an error for
            // tera: leave the template to it.
            [c, ..] if c.is_ascii_punctuation() => at += 1,
            _ => return None,
        }
    }
}

/// The length of the string literal at the start of `rest`, quotes
/// included, with tera's backslash escapes; `None` if it never closes.
fn string_len(rest: &[u8], quote: u8) -> Option<usize> {
    let mut escaped = false;
    let inner = rest[1..]
        .iter()
        .take_while(|&&c| {
            if escaped {
                escaped = false;
                return true;
            }
            escaped = c == b'\\';
            escaped || c != quote
        })
        .count();
    (rest.get(1 + inner) == Some(&quote)).then_some(inner + 2)
}

/// The length of the number at the start of `rest`: digits and at most one
/// dot, as tera lexes it.
fn number_len(rest: &[u8]) -> usize {
    let mut dot = false;
    rest.iter()
        .take_while(|&&c| {
            if !dot && c == b'.' {
                dot = true;
                true
            } else {
                c.is_ascii_digit()
            }
        })
        .count()
}

/// The end of a comment whose body starts at `at`: after the first `#}`.
fn comment_end(bytes: &[u8], at: usize) -> Option<usize> {
    memchr::memmem::find(&bytes[at..], b"#}").map(|offset| at + offset + 2)
}

/// If the tag whose body starts at `body` is `raw`, the end of its block
/// (after `endraw`): `Some(None)` if it never ends. `None` if it is
/// another tag. Raw blocks are kept whole, as rare as they are.
fn raw_block_end(template: &str, body: usize) -> Option<Option<usize>> {
    let after_raw = tag_end_after_word(template, body, "raw")?;
    let mut at = after_raw;
    Some(loop {
        let Some(offset) = memchr::memmem::find(&template.as_bytes()[at..], b"{%") else {
            break None;
        };
        at += offset + 2;
        if let Some(end) = tag_end_after_word(template, at, "endraw") {
            break Some(end);
        }
    })
}

/// If the tag body at `body` is exactly `-? word -?%}` (with any
/// whitespace), where it ends; as tera's lexer matches `raw` and `endraw`.
fn tag_end_after_word(template: &str, body: usize, word: &str) -> Option<usize> {
    let mut rest = &template[body..];
    rest = rest.strip_prefix('-').unwrap_or(rest);
    rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace());
    rest = rest.strip_prefix(word)?;
    rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace());
    rest = rest.strip_prefix('-').unwrap_or(rest);
    rest = rest.strip_prefix("%}")?;
    Some(template.len() - rest.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    const LONG: &str = "a literal run of text well over the lifting threshold, on one line";

    fn engine() -> tera::Tera {
        crate::expr::engine()
    }

    /// Renders `template` as written and lifted, with `x` = "X".
    fn both(template: &str) -> (Result<String, String>, Result<String, String>) {
        let mut ctx = tera::Context::new();
        ctx.insert("x", "X");
        ctx.insert("items", &vec!["a", "b"]);
        let render = |source: &str, ctx: &tera::Context| {
            let mut tera = engine();
            tera.add_raw_template("t", source)
                .and_then(|()| tera.render("t", ctx))
                .map_err(|e| e.to_string())
        };
        let original = render(template, &ctx);
        let lifted = match lift(template, 0) {
            Some(lifted) => {
                let mut ctx = ctx.clone();
                ctx.insert(TEXTS_VARIABLE, &lifted.texts);
                render(&lifted.template, &ctx)
            }
            None => original.clone(),
        };
        (original, lifted)
    }

    fn assert_same(template: &str) {
        let (original, lifted) = both(template);
        assert!(
            original.is_ok(),
            "{template:?} does not render: {original:?}"
        );
        assert_eq!(original, lifted, "{template:?}");
    }

    #[test]
    fn long_runs_are_lifted_and_short_ones_kept() {
        let template = format!("{LONG}\n{{{{ x }}}} short {{{{ x }}}}\n  {LONG}  \n");
        let lifted = lift(&template, 7).expect("lifted");
        assert_eq!(lifted.texts, vec![LONG, LONG]);
        assert_eq!(
            lifted.template,
            format!(
                "{{{{ {TEXTS_VARIABLE}[7] }}}}\n{{{{ x }}}} short {{{{ x }}}}\n  {{{{ {TEXTS_VARIABLE}[8] }}}}  \n"
            )
        );
        assert_same(&template);
    }

    #[test]
    fn nothing_worth_lifting_gives_none() {
        assert_eq!(lift("short {{ x }} text", 0), None);
        assert_eq!(lift("", 0), None);
    }

    #[test]
    fn whitespace_control_trims_the_same() {
        assert_same(&format!("{{{{ x -}}}}\n\n  {LONG}\n\n{{{{- x }}}}"));
        assert_same(&format!("{{% if true -%}}\n {LONG} \n{{%- endif %}}|"));
        assert_same(&format!("{{# c -#}}\n {LONG}\n{{#- c #}}|"));
        assert_same(&format!(
            "{{% for i in items -%}}\n {LONG} {{{{ i }}}}\n{{% endfor %}}"
        ));
    }

    #[test]
    fn closing_delimiters_inside_strings_do_not_end_a_tag() {
        let template =
            format!("{{{{ \"}}}} %}} {LONG}\" }}}}{LONG}{{% set y = '%}}\\'' %}}{{{{ y }}}}");
        let lifted = lift(&template, 0).expect("lifted");
        assert_eq!(lifted.texts, vec![LONG]);
        assert_same(&template);
    }

    #[test]
    fn comments_and_raw_blocks_are_kept_whole() {
        let template =
            format!("{{# {LONG} {{{{ #}}{{% raw -%}} {{{{ {LONG} }}}} {{%- endraw %}}{LONG}");
        let lifted = lift(&template, 0).expect("lifted");
        assert_eq!(lifted.texts, vec![LONG]);
        assert_same(&template);
    }

    #[test]
    fn templates_with_macros_or_unclosed_tags_are_left_to_tera() {
        assert_eq!(
            lift(&format!("{{% macro m() %}}{LONG}{{% endmacro %}}"), 0),
            None
        );
        assert_eq!(lift(&format!("{LONG}{{{{ x "), 0), None);
        assert_eq!(lift(&format!("{LONG}{{{{ \"x }}}}"), 0), None);
        assert_eq!(lift(&format!("{LONG}{{# x"), 0), None);
        assert_eq!(lift(&format!("{LONG}{{% raw %}}x"), 0), None);
        assert_eq!(lift(&format!("{LONG}{{{{ x § }}}}"), 0), None);
    }

    /// Renders every text file of the default template for `pairs`, as
    /// written and lifted; returns how many files were lifted.
    fn default_template_renders_the_same_lifted(pairs: &[(&str, &str)]) -> usize {
        use crate::answers::{Provided, ProvidedAnswers, Raw};
        let set = crate::source::load_embedded("service").expect("default template");
        let provided: ProvidedAnswers = pairs
            .iter()
            .map(|(k, v)| {
                let raw = Raw::Text((*v).to_string());
                (
                    (*k).to_string(),
                    Provided {
                        raw,
                        origin: "t".into(),
                    },
                )
            })
            .collect();
        let resolved = crate::answers::resolve_set(&set, &provided, &ProvidedAnswers::new(), None)
            .expect("answers");
        let ctx = crate::render::context(&set, &resolved)
            .expect("context")
            .to_context();
        let mut lifted_files = 0;
        for file in &set.files {
            let Ok(text) = std::str::from_utf8(&file.bytes) else {
                continue;
            };
            let Some(lifted) = lift(text, 0) else {
                continue;
            };
            lifted_files += 1;
            let mut lifted_ctx = ctx.clone();
            lifted_ctx.insert(TEXTS_VARIABLE, &lifted.texts);
            let render = |source: &str, ctx: &tera::Context| {
                let mut tera = engine();
                tera.add_raw_template("t", source)
                    .and_then(|()| tera.render("t", ctx))
                    .map_err(|e| e.to_string())
            };
            let original = render(text, &ctx);
            assert!(original.is_ok(), "{}: {original:?}", file.path);
            assert_eq!(
                original,
                render(&lifted.template, &lifted_ctx),
                "{}",
                file.path
            );
        }
        lifted_files
    }

    #[test]
    fn every_default_template_file_renders_the_same_lifted() {
        for language in ["python", "java", "scala", "rust"] {
            for kind in ["web", "worker"] {
                let lifted = default_template_renders_the_same_lifted(&[
                    ("service_name", "billing-api"),
                    ("owner", "payments"),
                    ("language", language),
                    ("kind", kind),
                    ("datastores", "postgres,redis,dynamodb"),
                ]);
                assert!(lifted > 100, "only {lifted} files lifted");
            }
        }
    }

    proptest::proptest! {
        /// Any mix of literal text, whitespace, expressions, tags,
        /// comments and whitespace control renders the same lifted.
        #[test]
        fn lifted_templates_render_as_written(
            pieces in proptest::collection::vec(proptest::prop_oneof![
                proptest::strategy::Just(LONG.to_string()),
                "[ \\n\\t]{0,3}",
                "[a-z ]{0,60}",
                proptest::strategy::Just("\u{a0}\u{2003}".to_string()),
                proptest::strategy::Just("{{ x }}".to_string()),
                proptest::strategy::Just("{{- x -}}".to_string()),
                proptest::strategy::Just("{{ \"}}\" }}".to_string()),
                proptest::strategy::Just("{% if true -%}".to_string()),
                proptest::strategy::Just("{%- if x == '%}' %}".to_string()),
                proptest::strategy::Just("{%- endif -%}".to_string()),
                proptest::strategy::Just("{% endif %}".to_string()),
                proptest::strategy::Just("{# note -#}".to_string()),
                proptest::strategy::Just("{#- note #}".to_string()),
                proptest::strategy::Just("{% raw -%} {{ x }} {%- endraw %}".to_string()),
                proptest::strategy::Just("{".to_string()),
                proptest::strategy::Just("}".to_string()),
            ], 0..16)
        ) {
            let template: String = pieces.concat();
            let (original, lifted) = both(&template);
            // Errors are told by the original (see `render`): the lifted
            // template must fail where it fails, and render the same bytes
            // where it renders.
            proptest::prop_assert_eq!(original.is_ok(), lifted.is_ok(), "{:?}", template);
            if original.is_ok() {
                proptest::prop_assert_eq!(original, lifted, "{:?}", template);
            }
        }
    }
}
