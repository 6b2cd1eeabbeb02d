//! Named profiles: sets of the same variables the environment gives, in a config file only its
//! owner can read, and secrets read from a file or stdin (`--token-file`).
//!
//! The file is `$PERMKIT_CONFIG`, else `$XDG_CONFIG_HOME/permkit/config`, else
//! `~/.config/permkit/config`:
//!
//! ```text
//! # comments start with #
//! [prod]
//! PERMISSION_ASSIST_URL = https://pa.example.com/api
//! PERMISSION_ASSIST_TOKEN = pa_...
//! PERSCOM_URL = https://api.perscom.io
//! PERSCOM_API_KEY = eyJ...
//! ```
//!
//! Keys are the variables' names (any case). A profile is chosen with `--profile NAME` or
//! `PERMKIT_PROFILE`; its values come first, the environment fills in what it lacks. On Unix a
//! file that its group or others can read (or write) is refused, as ssh refuses a private key.

use crate::Failure;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One profile's values, keys upper case.
#[derive(Clone, Default)]
pub struct Profile {
    values: BTreeMap<String, String>,
}

impl std::fmt::Debug for Profile {
    /// The keys only: the values may be secrets.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.values.keys()).finish()
    }
}

impl Profile {
    pub fn get(&self, name: &str) -> Option<String> {
        self.values.get(&name.to_ascii_uppercase()).cloned()
    }
}

/// The config file's path.
pub fn path() -> Option<PathBuf> {
    let var = |n: &str| {
        std::env::var_os(n)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    var("PERMKIT_CONFIG")
        .or_else(|| var("XDG_CONFIG_HOME").map(|d| d.join("permkit").join("config")))
        .or_else(|| var("HOME").map(|h| h.join(".config").join("permkit").join("config")))
}

/// The profile `--profile` or `PERMKIT_PROFILE` names, if any.
pub fn selected(flag: Option<&str>) -> Result<Option<Profile>, Failure> {
    let env = std::env::var("PERMKIT_PROFILE")
        .ok()
        .filter(|v| !v.trim().is_empty());
    let Some(name) = flag.map(str::to_string).or(env) else {
        return Ok(None);
    };
    let path =
        path().ok_or_else(|| Failure::usage("no config file: set PERMKIT_CONFIG or HOME"))?;
    load(&path, &name).map(Some)
}

/// Profile `name` of the file at `path`, after checking who may read it.
pub fn load(path: &Path, name: &str) -> Result<Profile, Failure> {
    let shown = path.display();
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::usage(format!("profile {name}: cannot read {shown}: {e}")))?;
    check_permissions(path)?;
    let profiles = parse(&text).map_err(|e| Failure::usage(format!("{shown}: {e}")))?;
    profiles
        .get(name)
        .cloned()
        .ok_or_else(|| Failure::usage(format!("{shown} has no profile [{name}]")))
}

#[cfg(unix)]
fn check_permissions(path: &Path) -> Result<(), Failure> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)
        .map_err(|e| Failure::usage(format!("{}: {e}", path.display())))?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        return Err(Failure::usage(format!(
            "{} holds credentials but its group or others may access it (mode {:o}): run chmod 600 {}",
            path.display(),
            mode & 0o777,
            path.display()
        )));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_permissions(_path: &Path) -> Result<(), Failure> {
    Ok(())
}

/// The keys a profile may set: the variables the clients read (`client.rs`, whose reads are
/// checked against this list).
pub const KEYS: &[&str] = &[
    "PERMISSION_ASSIST_URL",
    "PERMISSION_ASSIST_TOKEN",
    "PERSCOM_URL",
    "PERSCOM_API_KEY",
    "PERSCOM_ID",
    "INTACCT_URL",
    "INTACCT_TOKEN",
    "INTACCT_CLIENT_ID",
    "INTACCT_CLIENT_SECRET",
    "INTACCT_USERNAME",
    "INTACCT_ENTITY",
];

/// Every profile of a config file's text. Errors name the line, never a value. A key no client
/// reads (a misspelt one) and a key set twice in a profile are refused rather than one of them
/// ignored.
pub fn parse(text: &str) -> Result<BTreeMap<String, Profile>, String> {
    let mut profiles: BTreeMap<String, Profile> = BTreeMap::new();
    let mut current: Option<String> = None;
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            let name = name.trim().to_string();
            if name.is_empty() {
                return Err(format!("line {}: a profile needs a name", n + 1));
            }
            profiles.entry(name.clone()).or_default();
            current = Some(name);
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            return Err(format!("line {}: expected KEY = value or [profile]", n + 1));
        };
        let Some(profile) = current.as_ref().and_then(|c| profiles.get_mut(c)) else {
            return Err(format!("line {}: a value before any [profile]", n + 1));
        };
        let value = value.trim();
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(value);
        let key = key.trim().to_ascii_uppercase();
        if !KEYS.contains(&key.as_str()) {
            return Err(format!(
                "line {}: unknown key {key}; a profile sets {}",
                n + 1,
                KEYS.join(", ")
            ));
        }
        if profile.values.contains_key(&key) {
            return Err(format!(
                "line {}: {key} is set twice in this profile",
                n + 1
            ));
        }
        profile.values.insert(key, value.to_string());
    }
    Ok(profiles)
}

/// A secret from a file, or from stdin with `-`: its first line, trimmed.
pub fn read_secret(path: &str) -> Result<String, Failure> {
    let text = if path == "-" {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
            .map_err(|e| Failure::usage(format!("--token-file -: cannot read stdin: {e}")))?;
        s
    } else {
        std::fs::read_to_string(path)
            .map_err(|e| Failure::usage(format!("--token-file {path}: {e}")))?
    };
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let secret = lines.next().unwrap_or_default().to_string();
    if secret.is_empty() {
        return Err(Failure::usage(format!("--token-file {path}: empty")));
    }
    // Only one line is read: more would be ignored, and which one is the token is a guess.
    if lines.next().is_some() {
        return Err(Failure::usage(format!(
            "--token-file {path}: more than one line; it holds the token alone"
        )));
    }
    Ok(secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_parse_and_errors_name_no_value() {
        let text = "# mine\n[prod]\nperscom_url = https://x\nPERSCOM_API_KEY = \"k1\"\n\n[test]\nPERSCOM_URL=http://y\n";
        let p = parse(text).unwrap();
        assert_eq!(p["prod"].get("PERSCOM_URL").as_deref(), Some("https://x"));
        assert_eq!(p["prod"].get("perscom_api_key").as_deref(), Some("k1"));
        assert_eq!(p["test"].get("PERSCOM_URL").as_deref(), Some("http://y"));
        assert!(!format!("{:?}", p["prod"]).contains("k1"));
        let e = parse("SECRET = s3cr3t\n").unwrap_err();
        assert!(!e.contains("s3cr3t"), "{e}");
        assert!(parse("[a]\nno equals sign\n").is_err());
    }

    #[test]
    fn a_misspelt_or_repeated_key_is_refused_without_its_value() {
        let e = parse("[prod]\nPERSCOM_APIKEY = k1\n").unwrap_err();
        assert!(e.starts_with("line 2: unknown key PERSCOM_APIKEY;"), "{e}");
        assert!(e.contains("PERSCOM_API_KEY") && !e.contains("k1"), "{e}");
        let e = parse("[prod]\nperscom_api_key = k1\n[prod]\nPERSCOM_API_KEY = k2\n").unwrap_err();
        assert_eq!(e, "line 4: PERSCOM_API_KEY is set twice in this profile");
    }
}
