//! Which request-body fields carry a credential: what `permkit::dynamic` redacts in a dry run,
//! what the `permkit` command gives no flag (its build script includes this file) and what it
//! redacts in the tokens `create-token` prints (its source includes it too), so they can never
//! disagree.

/// Body fields whose values are credentials (compared in lower case, without `_` and `-`).
const SECRET_FIELDS: &[&str] = &[
    "password",
    "clientsecret",
    "refreshtoken",
    "accesstoken",
    "idtoken",
    "codeverifier",
    "apikey",
    "secret",
    "token",
];

/// Whether a body field's value is a credential (`code` counts in a form: OAuth's grant).
pub(crate) fn secret_field(name: &str, form: bool) -> bool {
    let name: String = name
        .chars()
        .filter(|c| *c != '_' && *c != '-')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    SECRET_FIELDS.contains(&name.as_str()) || (form && name == "code")
}
