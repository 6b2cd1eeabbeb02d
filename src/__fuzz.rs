//! Entry points for the cargo-fuzz targets in `fuzz/`: not part of permkit's API.
//!
//! Compiled only with the undocumented `fuzzing` feature, which only `fuzz/Cargo.toml` turns
//! on. Each function takes the raw bytes libFuzzer generates, feeds them to crate-private code
//! (the error decoders, the page envelopes' `IntoPage`, the open enums, [`Timestamp`]) and
//! panics when an invariant does not hold: a panic is what libFuzzer reports as a crash.
//!
//! The error targets read an input shaped like an HTTP response, so the seeds in
//! `fuzz/corpus/` are readable text:
//!
//! ```text
//! 422 create_user            <- status, then (PERSCOM only) the operation id
//! retry-after: 3             <- headers, one per line, up to the first empty line
//!
//! {"error": {"message": "The name field is required.", "type": "ValidationException"}}
//! ```
//!
//! Without an empty line there are no headers and everything after the first line is the body.

use crate::error::{Api, BODY_EXCERPT_LIMIT, Error, ErrorKind};
use crate::timestamp::Timestamp;
use std::fmt::{Debug, Display};

/// A secret every error input carries in its `Authorization` and `Set-Cookie` headers: an
/// error's `Display` and `Debug` must never show it unless the fuzzer wrote it into the body or
/// into a header of its own.
const SENTINEL: &str = "permkit-fuzz-secret";

/// One error response, as the error targets read their input.
struct ErrorInput<'a> {
    status: u16,
    operation: Option<&'a str>,
    headers: http::HeaderMap,
    body: String,
    /// Whether the input itself could have spelled [`SENTINEL`].
    may_echo_sentinel: bool,
}

fn error_input(data: &[u8]) -> Option<ErrorInput<'_>> {
    let (first, rest) = split_line(data);
    let first = std::str::from_utf8(first).ok()?;
    let mut words = first.split_whitespace();
    let status: u16 = words.next()?.parse().ok()?;
    let operation = words.next();
    let (head, body) = match find(rest, b"\n\n") {
        Some(i) => (&rest[..i], &rest[i + 2..]),
        None => (&rest[..0], rest),
    };
    let mut headers = http::HeaderMap::new();
    let mut may_echo_sentinel = false;
    for line in head.split(|b| *b == b'\n') {
        let Some(colon) = line.iter().position(|b| *b == b':') else {
            continue;
        };
        let value = line[colon + 1..].trim_ascii();
        let (Ok(name), Ok(value)) = (
            http::HeaderName::from_bytes(line[..colon].trim_ascii()),
            http::HeaderValue::from_bytes(value),
        ) else {
            continue;
        };
        may_echo_sentinel |= find(value.as_bytes(), b"secret").is_some();
        headers.append(name, value);
    }
    for (name, value) in [
        ("authorization", format!("Bearer {SENTINEL}")),
        ("set-cookie", format!("session={SENTINEL}; HttpOnly")),
    ] {
        headers.append(name, value.parse().expect("a valid header value"));
    }
    // The transport reads bodies the same way.
    let body = String::from_utf8_lossy(body).into_owned();
    // A JSON escape (`\u0073`) can spell the sentinel without the bytes showing it.
    may_echo_sentinel |= body.contains("secret") || body.contains('\\');
    Some(ErrorInput {
        status,
        operation,
        headers,
        body,
        may_echo_sentinel,
    })
}

fn split_line(data: &[u8]) -> (&[u8], &[u8]) {
    match data.iter().position(|b| *b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &data[..0]),
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// What holds for every error a decoder returns, whatever the response.
fn check_error(e: &Error, api: Api, input: &ErrorInput<'_>) {
    assert_eq!(e.status(), Some(input.status), "status: {e:?}");
    assert_eq!(e.api(), Some(api), "api: {e:?}");
    // A server answered: never a kind that means no answer arrived.
    assert!(
        !matches!(
            e.kind(),
            ErrorKind::Transport
                | ErrorKind::Io
                | ErrorKind::InvalidRequest
                | ErrorKind::Decode
                | ErrorKind::Pagination
        ),
        "kind {:?} for a server's answer",
        e.kind()
    );
    let line = e.to_string();
    assert!(!line.contains(['\n', '\r']), "not one line: {line:?}");
    let debug = format!("{e:?}");
    assert!(
        line.contains(&input.status.to_string()),
        "no status in {line:?}"
    );
    if !input.may_echo_sentinel {
        assert!(!line.contains(SENTINEL), "a header's secret in {line:?}");
        assert!(!debug.contains(SENTINEL), "a header's secret in {debug}");
    }
    if let Some(excerpt) = e.body_excerpt() {
        assert!(
            excerpt.len() <= BODY_EXCERPT_LIMIT + '…'.len_utf8(),
            "excerpt of {} bytes",
            excerpt.len()
        );
        assert!(
            !excerpt.chars().any(|c| c.is_whitespace() && c != ' '),
            "excerpt is not one line: {excerpt:?}"
        );
    }
    for f in e.field_errors() {
        let _ = f.to_string();
    }
    let _ = (e.is_retryable(), e.retry_after(), e.code(), e.message());
}

/// Permission Assist's error decoder on one response (see the [module docs](self)).
#[cfg(feature = "permission-assist")]
pub fn permission_assist_error(data: &[u8]) {
    let Some(input) = error_input(data) else {
        return;
    };
    let e = crate::permission_assist::errors::decode(input.status, &input.headers, &input.body);
    check_error(&e, Api::PermissionAssist, &input);
}

/// PERSCOM's error decoder on one response; the first line may name the operation, whose
/// scope a 403 reports.
#[cfg(feature = "perscom")]
pub fn perscom_error(data: &[u8]) {
    let Some(input) = error_input(data) else {
        return;
    };
    let e = crate::perscom::errors::decode_for(
        input.status,
        &input.headers,
        &input.body,
        input.operation,
    );
    check_error(&e, Api::Perscom, &input);
    let scope = input
        .operation
        .and_then(crate::perscom::required_scope)
        .filter(|_| input.status == 403);
    assert_eq!(e.required_scope(), scope.map(|s| s.as_str()), "{e:?}");
}

/// Intacct's REST error decoder on one response.
#[cfg(feature = "intacct")]
pub fn intacct_error(data: &[u8]) {
    let Some(input) = error_input(data) else {
        return;
    };
    let e = crate::intacct::errors::decode(input.status, &input.headers, &input.body);
    check_error(&e, Api::Intacct, &input);
}

/// Intacct's token-endpoint error decoder on one response: a 400, 401 or 403 is always
/// [`ErrorKind::Unauthorized`] unless the body names another code.
#[cfg(feature = "intacct")]
pub fn intacct_oauth_error(data: &[u8]) {
    let Some(input) = error_input(data) else {
        return;
    };
    let e = crate::intacct::errors::decode_oauth(input.status, &input.headers, &input.body);
    check_error(&e, Api::Intacct, &input);
    if matches!(input.status, 400 | 401 | 403) && e.code().is_none() {
        assert_eq!(e.kind(), ErrorKind::Unauthorized, "{e:?}");
    }
}

/// A check by name: a list envelope or an open enum, and the function that checks one input.
type Check = (&'static str, fn(&[u8]));

fn check_page<E>(json: &[u8], numbered: bool, count: fn(&E) -> usize)
where
    E: serde::de::DeserializeOwned + serde::Serialize + crate::pagination::IntoPage,
{
    let Ok(envelope) = serde_json::from_slice::<E>(json) else {
        return;
    };
    let n = count(&envelope);
    let written = serde_json::to_vec(&envelope);
    let page = envelope.into_page();
    assert_eq!(page.items.len(), n, "items lost");
    if numbered {
        // The pager stops at an empty page, at the last page, and never goes back.
        assert!(
            page.next.is_none_or(|next| next > page.cursor),
            "next {:?} after {}",
            page.next,
            page.cursor
        );
        if page.items.is_empty() {
            assert_eq!(page.next, None, "a page after an empty one");
        }
        if page.total_pages.is_some_and(|last| page.cursor >= last) {
            assert_eq!(page.next, None, "a page after the last");
        }
    }
    let written = written.expect("a decoded envelope serialises");
    let again = match serde_json::from_slice::<E>(&written) {
        Ok(e) => e.into_page(),
        Err(err) => panic!(
            "an envelope permkit wrote does not read back ({err}): {}",
            String::from_utf8_lossy(&written)
        ),
    };
    let meta = |p: &crate::Page<E::Item>| {
        (
            p.items.len(),
            p.cursor,
            p.next,
            p.total_pages,
            p.total_count,
            p.reported,
        )
    };
    assert_eq!(
        meta(&again),
        meta(&page),
        "the page changed on a round trip"
    );
}

/// Every list envelope of the enabled APIs, by type name.
fn page_checks() -> Vec<Check> {
    #[allow(unused_mut)]
    let mut checks: Vec<Check> = Vec::new();
    #[cfg(feature = "permission-assist")]
    {
        use crate::permission_assist::types;
        macro_rules! pa {
            ($($env:ident),* $(,)?) => {
                $(checks.push((stringify!($env), |d| {
                    check_page::<types::$env>(d, true, |e| e.items.len())
                }));)*
            };
        }
        pa!(
            AccessRequestPage,
            ApplicationImportPage,
            ApplicationPage,
            IdentityPage,
            PersonnelEventPage,
        );
    }
    #[cfg(feature = "perscom")]
    {
        use crate::perscom::types;
        macro_rules! perscom {
            ($($env:ident),* $(,)?) => {
                $(checks.push((stringify!($env), |d| {
                    check_page::<types::$env>(d, true, |e| e.data.len())
                }));)*
            };
        }
        perscom!(
            AnnouncementList,
            AssignmentRecordList,
            AttachmentList,
            AwardList,
            AwardRecordList,
            CalendarList,
            CategoryList,
            CombatRecordList,
            CommentList,
            CompetencyList,
            CredentialList,
            DocumentList,
            EventList,
            FieldList,
            FormList,
            GroupList,
            ImageList,
            IssuerList,
            MessageList,
            NewsfeedItemList,
            PositionList,
            QualificationList,
            QualificationRecordList,
            RankList,
            RankRecordList,
            ServiceRecordList,
            SettingList,
            SlotList,
            SpecialtyList,
            StatusList,
            SubmissionList,
            TaskList,
            TrainingRecordList,
            UnitList,
            UserList,
        );
    }
    #[cfg(feature = "intacct")]
    {
        use crate::intacct::types;
        macro_rules! intacct {
            ($($env:ident),* $(,)?) => {
                $(checks.push((stringify!($env), |d| {
                    // Offsets come from the server (`ia::meta.next`): the pager, not the
                    // envelope, refuses one that does not advance.
                    check_page::<types::$env>(d, false, |e| e.ia_result.len())
                }));)*
            };
        }
        intacct!(ObjectReferenceListResponse, QueryResponse);
    }
    checks
}

/// One page envelope: the first line names the envelope type (`UserList`) and the rest is its
/// JSON. When the first line names none, a hash of the bytes picks one and all of it is JSON.
pub fn page_envelopes(data: &[u8]) {
    pick(&page_checks(), data);
}

fn check_str_enum<T>(data: &[u8], as_str: fn(&T) -> &str, is_known: fn(&T) -> bool, known: &[&str])
where
    T: serde::Serialize
        + serde::de::DeserializeOwned
        + PartialEq
        + Debug
        + Display
        + for<'a> From<&'a str>,
{
    let check = |value: &T| {
        let spelling = as_str(value);
        assert_eq!(value.to_string(), spelling);
        assert_eq!(is_known(value), known.contains(&spelling), "{value:?}");
        assert_eq!(&T::from(spelling), value, "the spelling reads back");
        let json = serde_json::to_string(value).expect("an open enum serialises");
        let back: T = serde_json::from_str(&json).expect("an open enum deserialises what it wrote");
        assert_eq!(&back, value, "serde round trip of {json}");
        if is_known(value) {
            // Documented: matching ignores case and white space.
            let spaced: String = spelling.chars().flat_map(|c| [' ', c]).collect();
            for variant in [spelling.to_uppercase(), spelling.to_lowercase(), spaced] {
                assert_eq!(&T::from(variant.as_str()), value, "{variant:?}");
            }
        }
    };
    if let Ok(text) = std::str::from_utf8(data) {
        let value = T::from(text);
        check(&value);
        if is_known(&value) {
            for variant in [text.to_uppercase(), text.to_lowercase()] {
                assert_eq!(T::from(variant.as_str()), value, "{variant:?}");
            }
        }
        // `FromStr` and serde agree.
        let json = serde_json::to_string(text).expect("a string serialises");
        let decoded: T = serde_json::from_str(&json).expect("an open enum reads any string");
        assert_eq!(decoded, value);
    }
    if let Ok(value) = serde_json::from_slice::<T>(data) {
        check(&value);
    }
}

fn check_int_enum<T>(data: &[u8], value_of: fn(T) -> i64, known: &[i64])
where
    T: serde::Serialize
        + serde::de::DeserializeOwned
        + PartialEq
        + Debug
        + Display
        + Copy
        + From<i64>,
{
    let check = |value: T| {
        let n = value_of(value);
        assert_eq!(T::from(n), value, "the number reads back");
        let _ = value.to_string();
        let json = serde_json::to_string(&value).expect("an open int enum serialises");
        assert_eq!(json, n.to_string());
        let back: T = serde_json::from_str(&json).expect("an open int enum reads what it wrote");
        assert_eq!(back, value);
        let quoted: T = serde_json::from_str(&format!("\"{n}\"")).expect("a numeric string reads");
        assert_eq!(quoted, value);
        let _ = known.contains(&n);
    };
    if let Ok(value) = serde_json::from_slice::<T>(data) {
        check(value);
    }
    if let Some(n) = std::str::from_utf8(data)
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
    {
        let value = T::from(n);
        assert_eq!(value_of(value), n);
        check(value);
    }
}

/// Every open enum of the enabled APIs, by type name.
fn enum_checks() -> Vec<Check> {
    #[allow(unused_mut)]
    let mut checks: Vec<Check> = Vec::new();
    macro_rules! str_enums {
        ($($name:ident),* $(,)?) => {
            $(checks.push((stringify!($name), |d| {
                check_str_enum::<$name>(d, $name::as_str, $name::is_known, $name::KNOWN)
            }));)*
        };
    }
    #[cfg(feature = "permission-assist")]
    {
        use crate::permission_assist::enums::*;
        str_enums!(
            AccessAction,
            AccessTargetType,
            ApplicationPriority,
            ErrorCode,
            IdentityStatus,
            IdentityType,
            IdentityTypeInput,
            ImportStatus,
            ImportType,
            PersonnelEventType,
            PersonnelEventTypeFilter,
            WorkflowStatus,
        );
    }
    #[cfg(feature = "perscom")]
    {
        use crate::perscom::enums::*;
        str_enums!(
            ApiVersion,
            AssignmentRecordType,
            CredentialType,
            FieldOptionsType,
            FieldType,
            MethodOverride,
            NotificationChannel,
            NotificationInterval,
            RosterType,
            SearchFilterType,
            SearchOperator,
            SortDirection,
            WidgetName,
        );
        checks.push(("RankRecordType", |d| {
            check_int_enum::<RankRecordType>(d, RankRecordType::value, RankRecordType::KNOWN)
        }));
    }
    #[cfg(feature = "intacct")]
    {
        use crate::intacct::enums::*;
        str_enums!(
            AdminPrivileges,
            AgentPermissionGroup,
            CustomPermissionGroup,
            OAuthGrantType,
            PermissionAccessRight,
            PermissionGroup,
            PermissionModule,
            PermissionName,
            RoleApplyTo,
            RoleType,
            SortOrder,
            TrustedDevices,
            UserStatus,
            UserType,
        );
    }
    checks
}

/// One open enum: the first line names the enum (`WorkflowStatus`) and the rest is the value,
/// read as a raw string (`From<&str>`) and as JSON (serde), with round trips through the
/// vendor's spelling and through serde. When the first line names none, a hash of the bytes
/// picks one and all of it is the value.
pub fn open_enums(data: &[u8]) {
    pick(&enum_checks(), data);
}

/// Runs the check the first line of `data` names on the rest, or one picked by a hash of the
/// bytes on all of `data`.
fn pick(checks: &[Check], data: &[u8]) {
    if checks.is_empty() {
        return;
    }
    let (first, rest) = split_line(data);
    let named = std::str::from_utf8(first)
        .ok()
        .and_then(|name| checks.iter().find(|(n, _)| *n == name.trim()));
    match named {
        Some((_, check)) => check(rest),
        None => {
            let hash = data.iter().fold(0usize, |h, b| h.wrapping_add(*b as usize));
            (checks[hash % checks.len()].1)(data)
        }
    }
}

fn check_timestamp(t: Timestamp) {
    let written = t.to_string();
    let back: Timestamp = written
        .parse()
        .unwrap_or_else(|e| panic!("{t:?} wrote {written:?}, which does not parse: {e}"));
    assert_eq!(back, t, "{written:?} read back as another instant");
    assert_eq!(back.offset(), t.offset(), "{written:?} lost its offset");
    assert_eq!(
        back.naive(),
        t.naive(),
        "{written:?} lost its wall-clock time"
    );
    assert_eq!(
        back.to_string(),
        written,
        "{written:?} is not written back the same"
    );
    assert_eq!(back.cmp(&t), std::cmp::Ordering::Equal);
    let json = serde_json::to_string(&t).expect("a timestamp serialises");
    let from_json: Timestamp = serde_json::from_str(&json).expect("a timestamp reads its JSON");
    assert_eq!(from_json, t, "{json}");
}

/// [`Timestamp`] on one input, as text (`FromStr`) and as JSON: whatever reads is written as
/// text that reads back as the same instant, offset and wall-clock time.
pub fn timestamp(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(t) = text.parse::<Timestamp>()
    {
        check_timestamp(t);
    }
    if let Ok(t) = serde_json::from_slice::<Timestamp>(data) {
        check_timestamp(t);
    }
}

/// The credential the `error_display` target's requests carried: with a `/`, so that its
/// JSON-escaped spelling (`\/`) differs from it.
const DISPLAY_SECRET: &str = "permkit/fuzz-display-secret";

/// `Error`'s `Display` over hostile field values: the input is split at `\x1f` into the
/// message, code, field, field message, field code, correlation, request, support and error
/// ids, required scope and a body excerpt; `{S}` in a piece is replaced by the credential and
/// `{E}` by its JSON-escaped spelling. The error is scrubbed of the credential as the
/// transport does, then its `Display` must be one line with no control character (nor a
/// bidirectional override) and no credential, and its `Debug` must hold no credential.
pub fn error_display(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let escaped = DISPLAY_SECRET.replace('/', "\\/");
    let mut pieces = text
        .split('\u{1f}')
        .map(|p| p.replace("{S}", DISPLAY_SECRET).replace("{E}", &escaped));
    let mut next = || pieces.next().unwrap_or_default();
    let message = next();
    let mut e = Error::new(ErrorKind::Validation, message);
    let code = next();
    if !code.is_empty() {
        e = e.with_code(code);
    }
    let (field, field_message, field_code) = (next(), next(), next());
    e = e.with_field_errors([crate::FieldError::new(field, field_message).with_code(field_code)]);
    e = e
        .with_correlation_id(next())
        .with_request_id(next())
        .with_support_id(next())
        .with_error_id(next())
        .with_required_scope(next())
        .with_body_excerpt(&next())
        .with_api(Api::Perscom)
        .with_status(422);
    let credential = http::HeaderValue::from_str(&format!("Bearer {DISPLAY_SECRET}"))
        .expect("a valid header value");
    let e = crate::transport::scrub_credential(e, Some(&credential));
    let line = e.to_string();
    assert!(
        !line.chars().any(crate::error::unsafe_char),
        "a control character in {line:?}"
    );
    for secret in [DISPLAY_SECRET, escaped.as_str()] {
        assert!(!line.contains(secret), "the credential in {line:?}");
        assert!(
            !format!("{e:?}").contains(secret),
            "the credential in {e:?}"
        );
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn error_display_holds_on_its_seeds() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/corpus/error_display");
        for entry in std::fs::read_dir(dir).expect("the seeds") {
            super::error_display(&std::fs::read(entry.expect("a seed").path()).expect("a seed"));
        }
        super::error_display("{S}\x1f{E}\x1f{S}\x1f\u{1b}[1m{E}\x1f{S}".as_bytes());
    }
}
