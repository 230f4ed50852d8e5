//! `fermyon:spin/variables@2.0.0` over a fixed map built at startup.

use std::collections::HashMap;

use super::SpinCtxView;
use super::bindings::fermyon::spin::variables::{Error, Host};

/// Deployment variables, by name.
#[derive(Debug, Clone, Default)]
pub struct Variables(HashMap<String, String>);

/// Spin's variable name rule: lowercase ASCII letters, digits and
/// underscores, starting with a letter.
fn valid_name(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

impl Variables {
    /// Sets `name` (validated) to `value`.
    pub fn set(&mut self, name: &str, value: String) -> anyhow::Result<()> {
        anyhow::ensure!(
            valid_name(name),
            "invalid variable name {name:?}: use lowercase letters, digits and _ (starting with a letter)"
        );
        self.0.insert(name.to_owned(), value);
        Ok(())
    }

    /// Looks `name` up.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// The defined names, sorted (for the startup log).
    pub fn names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.0.keys().map(String::as_str).collect();
        names.sort_unstable();
        names
    }
}

impl Host for SpinCtxView<'_> {
    async fn get(&mut self, name: String) -> wasmtime::Result<Result<String, Error>> {
        if !valid_name(&name) {
            return Ok(Err(Error::InvalidName(name)));
        }
        Ok(match self.ctx.backends.variables.get(&name) {
            Some(value) => Ok(value.to_owned()),
            None => Err(Error::Undefined(name)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_spin_rules() {
        assert!(valid_name("tenant_pin"));
        assert!(valid_name("a1"));
        assert!(!valid_name("Tenant"));
        assert!(!valid_name("1a"));
        assert!(!valid_name(""));
        assert!(!valid_name("a-b"));
    }
}
