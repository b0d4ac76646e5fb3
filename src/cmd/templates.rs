//! `newsvc templates list|show`: what templates exist and what they ask.

use crate::Outcome;
use crate::cli::{TemplateArgs, TemplatesCommand};
use crate::config::UserConfig;
use crate::error::Result;
use crate::source;

pub fn run(command: TemplatesCommand) -> Result<Outcome> {
    let config = UserConfig::load()?;
    match command {
        TemplatesCommand::List => {
            for name in source::embedded_names() {
                let set = source::load_embedded(&name)?;
                println!("{name:<12} {:<8} (built in) {}", set.manifest.version, set.manifest.description.as_deref().unwrap_or("").trim());
            }
            let default = super::template_source(std::env::var("NEWSVC_TEMPLATE").ok().as_deref(), &config);
            println!("\ndefault template: {default}");
            Ok(Outcome::Ok)
        }
        TemplatesCommand::Show { source, offline } => {
            let set = super::load_template(&TemplateArgs { template: source, offline }, &config)?;
            let m = &set.manifest;
            println!("{} {}", m.name, m.version);
            println!("source: {}{}", set.origin.source, set.origin.commit.as_ref().map_or(String::new(), |c| format!(" ({c})")));
            if let Some(d) = &m.description {
                println!("{}", d.trim());
            }
            println!("\nquestions:");
            for q in &m.questions {
                let mut line = format!("  {:<26} {:<8}", q.name, q.kind.as_str());
                if !q.choices.is_empty() {
                    line.push_str(&format!(" [{}]", q.choices.join("|")));
                }
                if let Some(d) = &q.default {
                    let d = serde_norway::to_string(d).unwrap_or_default();
                    line.push_str(&format!(" default: {}", d.trim()));
                }
                if let Some(w) = &q.when {
                    line.push_str(&format!(" when: {w}"));
                }
                println!("{line}");
                if let Some(p) = &q.prompt {
                    println!("  {:<26} {p}", "");
                }
            }
            if !m.computed.is_empty() {
                println!("\ncomputed: {}", m.computed.keys().cloned().collect::<Vec<_>>().join(", "));
            }
            if !m.cases.is_empty() {
                println!("cases: {}", m.cases.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(", "));
            }
            Ok(Outcome::Ok)
        }
    }
}
