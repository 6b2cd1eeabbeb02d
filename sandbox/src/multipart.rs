//! `multipart/form-data` bodies (RFC 7578), as the Permission Assist and PERSCOM mocks read
//! their uploads.

use wiremock::Request;

/// One part of a multipart body: name, file name, bytes.
pub(crate) type FormPart = (String, Option<String>, Vec<u8>);

/// The parts of the request's `multipart/form-data` body, or `None` if it is not one.
pub(crate) fn parts(request: &Request) -> Option<Vec<FormPart>> {
    let ct = request.headers.get("content-type")?.to_str().ok()?;
    form_parts(ct, &request.body)
}

/// The parts of a `multipart/form-data` body (RFC 7578) sent with `content_type`, or `None` if
/// it is not one: each part's name and file name from its `Content-Disposition` (a token or a
/// quoted string with backslash escapes; `filename*` in RFC 5987's `UTF-8''` form too), whatever
/// other headers it carries (`Content-Type` and the like are read past) and in whatever case.
/// A part without a name is left out.
fn form_parts(content_type: &str, body: &[u8]) -> Option<Vec<FormPart>> {
    let mut params = content_type.split(';');
    if !params
        .next()?
        .trim()
        .eq_ignore_ascii_case("multipart/form-data")
    {
        return None;
    }
    let boundary = params.find_map(|p| {
        let (key, value) = p.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| value.trim().trim_matches('"').to_string())
    })?;
    if boundary.is_empty() {
        return None;
    }
    let find = |from: usize, needle: &[u8]| {
        body.get(from..)?
            .windows(needle.len())
            .position(|w| w == needle)
            .map(|p| p + from)
    };
    let dash = format!("--{boundary}");
    // The first delimiter may open the body; every later one starts a line.
    let mut at = if body.starts_with(dash.as_bytes()) {
        dash.len()
    } else {
        find(0, format!("\r\n{dash}").as_bytes())? + 2 + dash.len()
    };
    let delimiter = format!("\r\n{dash}");
    let mut parts = Vec::new();
    loop {
        let rest = &body[at..];
        if rest.starts_with(b"--") {
            break;
        }
        // Transport padding, then the end of the delimiter's line.
        let line_end = find(at, b"\r\n")?;
        let start = line_end + 2;
        let end = find(start, delimiter.as_bytes())?;
        let chunk = &body[start..end];
        at = end + delimiter.len();
        let (head, content) = if chunk.starts_with(b"\r\n") {
            (&[][..], &chunk[2..])
        } else {
            match chunk.windows(4).position(|w| w == b"\r\n\r\n") {
                Some(split) => (&chunk[..split], &chunk[split + 4..]),
                None => continue,
            }
        };
        let head = String::from_utf8_lossy(head);
        let disposition = header_lines(&head).into_iter().find_map(|(name, value)| {
            name.eq_ignore_ascii_case("content-disposition")
                .then(|| disposition_params(&value))
        });
        let Some(disposition) = disposition else {
            continue;
        };
        let param = |key: &str| {
            disposition
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| v.clone())
        };
        let file_name = param("filename*")
            .and_then(|v| ext_value(&v))
            .or_else(|| param("filename"));
        if let Some(name) = param("name") {
            parts.push((name, file_name, content.to_vec()));
        }
    }
    Some(parts)
}

/// A part's header lines as (name, value), folded lines joined.
fn header_lines(head: &str) -> Vec<(String, String)> {
    let mut lines: Vec<(String, String)> = Vec::new();
    for line in head.split("\r\n") {
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = lines.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            lines.push((name.trim().to_string(), value.trim().to_string()));
        }
    }
    lines
}

/// The parameters of a `Content-Disposition` value (`form-data; name="a"; filename="b.csv"`),
/// as (key, value) with quoted strings unquoted and unescaped; the disposition type is left out.
fn disposition_params(value: &str) -> Vec<(String, String)> {
    let mut params = Vec::new();
    let mut chars = value.chars().peekable();
    // The disposition type.
    while chars.next_if(|c| *c != ';').is_some() {}
    while chars.next().is_some() {
        let mut key = String::new();
        while let Some(c) = chars.next_if(|c| *c != '=' && *c != ';') {
            key.push(c);
        }
        let mut text = String::new();
        if chars.next_if_eq(&'=').is_some() {
            while chars.next_if(|c| c.is_whitespace()).is_some() {}
            if chars.next_if_eq(&'"').is_some() {
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => text.extend(chars.next()),
                        c => text.push(c),
                    }
                }
                while chars.next_if(|c| *c != ';').is_some() {}
            } else {
                while let Some(c) = chars.next_if(|c| *c != ';') {
                    text.push(c);
                }
                text = text.trim().to_string();
            }
        }
        let key = key.trim();
        if !key.is_empty() {
            params.push((key.to_string(), text));
        }
    }
    params
}

/// An RFC 5987 extended value (`UTF-8''%e2%82%ac.csv`) decoded, if it is one in UTF-8.
fn ext_value(value: &str) -> Option<String> {
    let (charset, rest) = value.split_once('\'')?;
    let (_, encoded) = rest.split_once('\'')?;
    if !charset.eq_ignore_ascii_case("utf-8") {
        return None;
    }
    let bytes = encoded.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}
