//! Named built-in validators a question can ask for with `validate: NAME`.
//! Pure functions: a value (and the answers so far) in, a reason out.

use crate::answers::{Answers, Value};

/// Fargate task sizes: CPU units and the memory (MiB) each allows.
pub const FARGATE_SIZES: &[(i64, &[i64])] = &[
    (256, &[512, 1024, 2048]),
    (512, &[1024, 2048, 3072, 4096]),
    (1024, &[2048, 3072, 4096, 5120, 6144, 7168, 8192]),
    (
        2048,
        &[
            4096, 5120, 6144, 7168, 8192, 9216, 10240, 11264, 12288, 13312, 14336, 15360, 16384,
        ],
    ),
    (
        4096,
        &[
            8192, 9216, 10240, 11264, 12288, 13312, 14336, 15360, 16384, 17408, 18432, 19456,
            20480, 21504, 22528, 23552, 24576, 25600, 26624, 27648, 28672, 29696, 30720,
        ],
    ),
];

/// The memory values Fargate allows for `cpu`, if `cpu` is a Fargate size.
pub fn fargate_memory_for(cpu: i64) -> Option<&'static [i64]> {
    FARGATE_SIZES
        .iter()
        .find(|(c, _)| *c == cpu)
        .map(|(_, m)| *m)
}

/// A validator named in a manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NamedValidator {
    ServiceName,
    FargateCpu,
    FargateMemory,
}

impl NamedValidator {
    pub const NAMES: &'static [&'static str] = &["service_name", "fargate_cpu", "fargate_memory"];

    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "service_name" => Some(Self::ServiceName),
            "fargate_cpu" => Some(Self::FargateCpu),
            "fargate_memory" => Some(Self::FargateMemory),
            _ => None,
        }
    }

    /// Checks `value`; `Err` carries the reason, phrased to follow the value.
    pub fn check(self, value: &Value, earlier: &Answers) -> Result<(), String> {
        match (self, value) {
            (Self::ServiceName, Value::Str(s)) => service_name(s),
            (Self::FargateCpu, Value::Int(cpu)) => {
                if fargate_memory_for(*cpu).is_some() {
                    Ok(())
                } else {
                    Err(format!(
                        "is not a Fargate CPU size; use one of {}",
                        FARGATE_SIZES
                            .iter()
                            .map(|(c, _)| c.to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                }
            }
            (Self::FargateMemory, Value::Int(memory)) => match earlier.get("cpu") {
                Some(Value::Int(cpu)) => match fargate_memory_for(*cpu) {
                    Some(allowed) if allowed.contains(memory) => Ok(()),
                    Some(allowed) => Err(format!(
                        "MiB is not valid with {cpu} CPU units on Fargate; allowed: {}",
                        allowed
                            .iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                    None => Ok(()),
                },
                _ => Ok(()),
            },
            (validator, other) => Err(format!(
                "cannot be checked by `{validator:?}` (it is a {})",
                other.type_name()
            )),
        }
    }
}

/// The service name rule (templates brief §0): lowercase kebab-case, 3–20
/// characters, not starting with `internal`. Each failure says which AWS
/// naming limit the name would break.
pub fn service_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("is empty; a service name is 3 to 20 characters of lowercase letters, digits and hyphens".into());
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        let why = if bad.is_ascii_uppercase() {
            "has uppercase letters; ECR repository names must be lowercase".to_string()
        } else if bad == ' ' {
            "contains a space; load balancer and target group names allow only letters, digits and `-`".to_string()
        } else {
            format!(
                "contains `{bad}`; load balancer and target group names allow only letters, digits and `-`"
            )
        };
        return Err(format!(
            "{why} (rule: lowercase kebab-case such as `billing-api`)"
        ));
    }
    let length = name.chars().count();
    if length < 3 {
        return Err(format!(
            "is {length} characters; a service name needs at least 3"
        ));
    }
    if length > 20 {
        return Err(format!(
            "is {length} characters; the limit is 20 so that the longest derived name, the target group `<service>-<env>-<4 hex>`, fits the 32-character limit of ALB and target group names"
        ));
    }
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Err("must start with a letter; load balancer names cannot begin with `-`, and a leading digit breaks package names".into());
    }
    if name.ends_with('-') {
        return Err(
            "ends with `-`; load balancer and target group names cannot end with a hyphen".into(),
        );
    }
    if name.contains("--") {
        return Err("contains `--`; use single hyphens between words".into());
    }
    if name.starts_with("internal") {
        return Err(
            "starts with `internal`; AWS refuses load balancer names that begin with `internal-`"
                .into(),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_names() {
        for good in [
            "abc",
            "billing-api",
            "a1-b2",
            "x23456789012345678901"[..20].to_string().as_str(),
        ] {
            assert!(service_name(good).is_ok(), "{good}");
        }
        let cases = [
            ("", "is empty"),
            ("Billing", "lowercase"),
            ("billing api", "space"),
            ("../x", "contains `.`"),
            ("ab", "at least 3"),
            ("abcdefghijklmnopqrstu", "32-character"),
            ("1abc", "start with a letter"),
            ("-abc", "start with a letter"),
            ("abc-", "ends with `-`"),
            ("a--b", "`--`"),
            ("internal-x", "internal-"),
            ("billing_api", "contains `_`"),
        ];
        for (bad, expected) in cases {
            let err = service_name(bad).unwrap_err();
            assert!(err.contains(expected), "{bad}: {err}");
        }
    }

    #[test]
    fn fargate_pairs() {
        let mut earlier = Answers::default();
        earlier.insert("cpu", Value::Int(512));
        assert!(
            NamedValidator::FargateMemory
                .check(&Value::Int(2048), &earlier)
                .is_ok()
        );
        let err = NamedValidator::FargateMemory
            .check(&Value::Int(512), &earlier)
            .unwrap_err();
        assert!(err.contains("1024, 2048, 3072, 4096"), "{err}");
        assert!(
            NamedValidator::FargateCpu
                .check(&Value::Int(300), &earlier)
                .is_err()
        );
    }
}
