//! Interactive answering on a terminal (dialoguer): one prompt per visible
//! unanswered question, inline validation with re-ask, then a summary to
//! confirm. Also decides whether prompting is possible at all.

use std::io::IsTerminal;

use dialoguer::theme::ColorfulTheme;
use dialoguer::{Confirm, Input, MultiSelect, Select};

use crate::answers::{self, Answers, Asker, Raw, Value};
use crate::error::{Error, Result};
use crate::manifest::{Question, QuestionType};

/// Whether both stdin and stderr are terminals (prompts read one, draw on the other).
pub fn can_prompt() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// The dialoguer-backed asker.
#[derive(Default)]
pub struct TerminalAsker {
    theme: ColorfulTheme,
}

fn interrupted(e: dialoguer::Error) -> Error {
    match e {
        dialoguer::Error::IO(io) if io.kind() == std::io::ErrorKind::Interrupted => {
            // Select and MultiSelect hide the cursor and leave it hidden on Ctrl-C.
            let _ = console::Term::stderr().show_cursor();
            Error::Cancelled
        }
        dialoguer::Error::IO(io) => Error::Other(format!("cannot read from the terminal: {io}")),
    }
}

impl Asker for TerminalAsker {
    fn ask(&mut self, q: &Question, default: Option<&Value>, earlier: &Answers) -> Result<Value> {
        crate::write::install_interrupt_cleanup();
        let prompt = match &q.help {
            Some(help) => format!("{} ({help})", q.prompt_text()),
            None => q.prompt_text().to_string(),
        };
        match q.kind {
            QuestionType::Choice => {
                let at = match default {
                    Some(Value::Str(d)) => q.choices.iter().position(|c| c == d).unwrap_or(0),
                    _ => 0,
                };
                let i = Select::with_theme(&self.theme)
                    .with_prompt(prompt)
                    .items(&q.choices)
                    .default(at)
                    .interact()
                    .map_err(interrupted)?;
                Ok(Value::Str(q.choices[i].clone()))
            }
            QuestionType::Multi => {
                let chosen: Vec<bool> = q
                    .choices
                    .iter()
                    .map(|c| matches!(default, Some(Value::List(d)) if d.contains(c)))
                    .collect();
                let picked = MultiSelect::with_theme(&self.theme)
                    .with_prompt(format!("{prompt} [space to toggle, enter to accept]"))
                    .items(&q.choices)
                    .defaults(&chosen)
                    .interact()
                    .map_err(interrupted)?;
                Ok(Value::List(
                    picked.into_iter().map(|i| q.choices[i].clone()).collect(),
                ))
            }
            QuestionType::Bool => {
                let d = matches!(default, Some(Value::Bool(true)));
                let v = Confirm::with_theme(&self.theme)
                    .with_prompt(prompt)
                    .default(d)
                    .interact()
                    .map_err(interrupted)?;
                Ok(Value::Bool(v))
            }
            QuestionType::String | QuestionType::Integer => {
                let mut input = Input::<String>::with_theme(&self.theme).with_prompt(prompt);
                if let Some(d) = default {
                    input = input.default(d.display());
                }
                let earlier_for_check = earlier.clone();
                let question = q.clone();
                let text = input
                    .allow_empty(!q.is_required())
                    .validate_with(move |s: &String| -> std::result::Result<(), String> {
                        answers::accept(&question, &Raw::Text(s.clone()), &earlier_for_check)
                            .map(|_| ())
                            .map_err(|e| match e {
                                Error::InvalidAnswer { value, reason, .. } => {
                                    format!("`{value}` {reason}")
                                }
                                other => other.to_string(),
                            })
                    })
                    .interact_text()
                    .map_err(interrupted)?;
                answers::accept(q, &Raw::Text(text), earlier)
            }
        }
    }
}

/// Shows the answers and asks to go on.
pub fn confirm_summary(title: &str, answers: &Answers) -> Result<bool> {
    crate::write::install_interrupt_cleanup();
    let width = answers.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    eprintln!("\n{title}");
    for (k, v) in answers.iter() {
        eprintln!("  {k:width$}  {}", v.display());
    }
    Confirm::with_theme(&ColorfulTheme::default())
        .with_prompt("Generate with these answers?")
        .default(true)
        .interact()
        .map_err(interrupted)
}
