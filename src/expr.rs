//! Tera, set up the way newsvc uses it: one engine with our case-conversion
//! filters, plus helpers to evaluate `when` conditions and default
//! expressions and to list the variables a template or expression uses.
//! Conditions are tera expressions, evaluated by tera: no second language.

use tera::{Context, Kwargs, State, Tera};

/// A tera engine with newsvc's filters registered and autoescaping off
/// (templates produce code and config, never HTML to escape).
pub fn engine() -> Tera {
    let mut tera = Tera::default();
    tera.autoescape_on(Vec::<&'static str>::new());
    tera.register_filter("snake_case", |s: &str, _: Kwargs, _: &State| {
        words(s).join("_")
    });
    tera.register_filter("upper_snake_case", |s: &str, _: Kwargs, _: &State| {
        words(s).join("_").to_uppercase()
    });
    tera.register_filter("kebab_case", |s: &str, _: Kwargs, _: &State| {
        words(s).join("-")
    });
    tera.register_filter("pascal_case", |s: &str, _: Kwargs, _: &State| {
        words(s).iter().map(|w| capitalize(w)).collect::<String>()
    });
    tera.register_filter("camel_case", |s: &str, _: Kwargs, _: &State| {
        let parts = words(s);
        parts
            .iter()
            .enumerate()
            .map(|(i, w)| if i == 0 { w.clone() } else { capitalize(w) })
            .collect::<String>()
    });
    tera
}

/// One engine, built on first use, for evaluating conditions, defaults and
/// computed values: building one (tera's built-in filters, tests and
/// functions) costs more than the few one-line templates a command evaluates
/// with it. Rendering template files needs engines of their own (`engine`),
/// as each holds the templates it parsed.
pub fn shared() -> &'static Tera {
    static SHARED: std::sync::OnceLock<Tera> = std::sync::OnceLock::new();
    SHARED.get_or_init(engine)
}

/// Splits an identifier-ish string into lowercase words at `-`, `_`, spaces,
/// dots and lower→upper case changes.
fn words(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in s.chars() {
        if c == '-' || c == '_' || c == ' ' || c == '.' {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            previous_lower = false;
            continue;
        }
        if c.is_uppercase() && previous_lower && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_lowercase() || c.is_ascii_digit();
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// Wraps an expression so that rendering it yields `1` when true.
pub fn condition_template(expression: &str) -> String {
    format!("{{% if {expression} %}}1{{% endif %}}")
}

/// Evaluates a tera expression as a condition.
pub fn eval_condition(tera: &Tera, expression: &str, context: &Context) -> Result<bool, String> {
    tera.render_str(&condition_template(expression), context, false)
        .map(|out| out == "1")
        .map_err(|e| flatten(&e))
}

/// Renders a one-off template string.
pub fn render_str(tera: &Tera, template: &str, context: &Context) -> Result<String, String> {
    tera.render_str(template, context, false)
        .map_err(|e| flatten(&e))
}

/// Whether a string is a template (holds tera tags) rather than a literal.
pub fn is_template(s: &str) -> bool {
    s.contains("{{") || s.contains("{%")
}

/// The top-level variables an expression uses.
pub fn variables_of_expression(expression: &str) -> Result<Vec<String>, String> {
    variables_of_template(&condition_template(expression))
}

/// The top-level variables a template uses (parses it; errors if it does not).
pub fn variables_of_template(template: &str) -> Result<Vec<String>, String> {
    thread_local! {
        // One scratch engine per thread: a manifest check calls this for
        // every `when` and computed value, and an engine costs more to build
        // and drop than a one-line template costs to parse.
        static SCRATCH: std::cell::RefCell<Tera> = std::cell::RefCell::new(engine());
    }
    SCRATCH.with_borrow_mut(|tera| {
        tera.add_raw_template("expression", template)
            .map_err(|e| flatten(&e))?;
        let mut vars: Vec<String> = tera
            .get_template_variables("expression")
            .map_err(|e| flatten(&e))?
            .into_iter()
            .map(str::to_string)
            .collect();
        vars.sort();
        Ok(vars)
    })
}

/// A tera error as one readable string, including its source chain.
pub fn flatten(err: &tera::Error) -> String {
    let mut message = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(template: &str) -> String {
        let mut ctx = Context::new();
        ctx.insert("name", "billing-api");
        render_str(&engine(), template, &ctx).unwrap()
    }

    #[test]
    fn case_filters() {
        assert_eq!(render("{{ name | snake_case }}"), "billing_api");
        assert_eq!(render("{{ name | pascal_case }}"), "BillingApi");
        assert_eq!(render("{{ name | camel_case }}"), "billingApi");
        assert_eq!(render("{{ name | upper_snake_case }}"), "BILLING_API");
        assert_eq!(render("{{ 'FooBar baz' | kebab_case }}"), "foo-bar-baz");
    }

    #[test]
    fn conditions_and_variables() {
        let mut ctx = Context::new();
        ctx.insert("kind", "web");
        ctx.insert("stores", &vec!["redis"]);
        let tera = engine();
        assert!(eval_condition(&tera, "kind == \"web\"", &ctx).unwrap());
        assert!(!eval_condition(&tera, "\"postgres\" in stores", &ctx).unwrap());
        assert_eq!(
            variables_of_expression("kind == \"web\" and x").unwrap(),
            vec!["kind", "x"]
        );
        assert!(variables_of_expression("kind ==").is_err());
    }
}
