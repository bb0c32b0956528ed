//! `multipart/form-data` as Django's `MultiPartParser` reads it.
//!
//! Written here rather than taken from a multipart crate because DRF's answers depend on
//! Django's leniency byte for byte: a body that stops without its closing boundary keeps the
//! parts read so far (the last one running to the end of the body, its trailing CRLF
//! included), a part whose headers do not end is skipped, text before the first boundary is
//! a part like any other, and only a few faults are errors (their texts are Django's, behind
//! DRF's `Multipart form parse error - `).

use bytes::Bytes;

use super::{UploadLimits, UploadedFile};
use crate::pycompat::codecs::{self, Codec};

/// Django's `MAX_TOTAL_HEADER_SIZE`: a part's headers must end within its first 1024 bytes.
const MAX_HEADER_SIZE: usize = 1024;

/// The fields (in order, repeated names kept) and files of a multipart body.
#[derive(Debug, Default)]
pub(super) struct Multipart {
    pub(super) fields: Vec<(String, String)>,
    pub(super) files: Vec<UploadedFile>,
}

/// Parses `body` as Django does for the request's `Content-Type` value `content_type`.
/// `Err` is the text of Django's `MultiPartParserError`.
///
/// Field values are decoded with `codec` (the request's charset), an undecodable sequence
/// becoming U+FFFD, as Django's `force_str(data, encoding, errors="replace")`.
pub(super) fn parse(
    content_type: &str,
    body: &Bytes,
    codec: Codec,
    limits: UploadLimits,
) -> Result<Multipart, Refusal> {
    parse_parts(content_type, body, codec, limits)
}

/// Why a multipart body is refused.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Refusal {
    /// Django's `MultiPartParserError`, with its text.
    Malformed(String),
    /// More parts than `DATA_UPLOAD_MAX_NUMBER_FIELDS` (Django's `TooManyFieldsSent`).
    TooManyFields,
    /// More files than `DATA_UPLOAD_MAX_NUMBER_FILES` (Django's `TooManyFilesSent`).
    TooManyFiles,
}

impl From<String> for Refusal {
    fn from(text: String) -> Self {
        Self::Malformed(text)
    }
}

/// What one part turned out to be, for Django's counts.
enum Part {
    /// A field or a raw part (counted against `DATA_UPLOAD_MAX_NUMBER_FIELDS`).
    Counted,
    /// A part with a file name (counted against `DATA_UPLOAD_MAX_NUMBER_FILES`); `None` when
    /// its name sanitizes to nothing.
    File(Option<UploadedFile>),
    /// A file part without a field name: skipped before Django counts it.
    Uncounted,
}

fn parse_parts(
    content_type: &str,
    body: &Bytes,
    codec: Codec,
    limits: UploadLimits,
) -> Result<Multipart, Refusal> {
    if !content_type.starts_with("multipart/") {
        return Err(format!("Invalid Content-Type: {content_type}").into());
    }
    if !content_type.is_ascii() {
        return Err(format!("Invalid non-ASCII Content-Type in multipart: {content_type}").into());
    }
    let boundary = header_params(content_type)
        .into_iter()
        .rev()
        .find(|(k, _)| k == "boundary")
        .map(|(_, v)| v);
    let boundary = match boundary {
        Some(b) if valid_boundary(&b) => b,
        other => {
            return Err(format!(
                "Invalid boundary in multipart: {}",
                other.as_deref().unwrap_or("None")
            )
            .into());
        }
    };
    let separator = format!("--{boundary}");
    let separator = separator.as_bytes();
    let mut out = Multipart::default();
    let mut pending = None;
    let (mut keys, mut files) = (0usize, 0usize);
    let mut rest: &[u8] = body;
    // Django's `InterBoundaryIter`/`BoundaryIter`: each stretch up to the next separator (one
    // `\n`, then one `\r`, before it dropped) is a part; after the last separator found, the
    // rest of the body is the last part, as it is.
    while !rest.is_empty() {
        let segment = match find(rest, separator) {
            Some(at) => {
                let mut end = at;
                if end > 0 && rest[end - 1] == b'\n' {
                    end -= 1;
                }
                if end > 0 && rest[end - 1] == b'\r' {
                    end -= 1;
                }
                let segment = &rest[..end];
                rest = &rest[at + separator.len()..];
                segment
            }
            None => std::mem::take(&mut rest),
        };
        // Django completes a file when the next part begins: the last part of a body that
        // stops without its closing boundary, if it is a file, is dropped.
        if let Some(file) = pending.take() {
            out.files.push(file);
        }
        match read_part(segment, body, codec, &mut out)? {
            Part::Counted => {
                keys += 1;
                // Django allows two more, for the empty raw parts around the last boundary.
                if limits
                    .fields
                    .is_some_and(|max| max.saturating_add(2) < keys)
                {
                    return Err(Refusal::TooManyFields);
                }
            }
            Part::File(file) => {
                files += 1;
                if limits.files.is_some_and(|max| files > max) {
                    return Err(Refusal::TooManyFiles);
                }
                pending = file;
            }
            Part::Uncounted => {}
        }
    }
    Ok(out)
}

/// Django's `boundary_re`: `[ -~]{0,200}[!-~]`, matched in full.
fn valid_boundary(b: &str) -> bool {
    let bytes = b.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 201
        && bytes.iter().all(|c| (b' '..=b'~').contains(c))
        && bytes[bytes.len() - 1] != b' '
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// `bytes.split(b"\r\n")`.
fn split_crlf(mut bytes: &[u8]) -> Vec<&[u8]> {
    let mut lines = Vec::new();
    while let Some(at) = find(bytes, b"\r\n") {
        lines.push(&bytes[..at]);
        bytes = &bytes[at + 2..];
    }
    lines.push(bytes);
    lines
}

/// One part (`parse_boundary_stream`, then what `MultiPartParser._parse` does with it): a
/// field goes into `out`, a file is returned (it is kept once another part follows).
fn read_part(
    segment: &[u8],
    whole: &Bytes,
    codec: Codec,
    out: &mut Multipart,
) -> Result<Part, String> {
    let window = &segment[..segment.len().min(MAX_HEADER_SIZE)];
    let Some(header_end) = find(window, b"\r\n\r\n") else {
        if segment.len() < MAX_HEADER_SIZE {
            // A raw part: skipped.
            return Ok(Part::Counted);
        }
        return Err("Request max total header size exceeded.".to_owned());
    };
    let content = &segment[header_end + 4..];
    let mut disposition: Option<Vec<(String, String)>> = None;
    let mut transfer_encoding = None;
    let mut content_type = None;
    for line in split_crlf(&segment[..header_end]) {
        let Ok(line) = std::str::from_utf8(line) else {
            continue;
        };
        let (main, params) = match line.split_once(';') {
            None => (line.trim().to_lowercase(), Vec::new()),
            Some((main, _)) => (main.trim().to_lowercase(), header_params(line)),
        };
        let Some((name, value)) = main.split_once(':') else {
            continue;
        };
        match name {
            "content-disposition" => disposition = Some(params),
            "content-transfer-encoding" => transfer_encoding = Some(value.trim().to_owned()),
            "content-type" => content_type = Some(value.trim().to_owned()),
            _ => {}
        }
    }
    let Some(disposition) = disposition else {
        return Ok(Part::Counted);
    };
    let param = |key: &str| {
        disposition
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    let is_file = param("filename").is_some_and(|f| !f.is_empty());
    let Some(name) = param("name") else {
        return Ok(if is_file {
            Part::Uncounted
        } else {
            Part::Counted
        });
    };
    let name = name.trim_matches(|c: char| c.is_ascii_whitespace() || c == '\x0b');
    let base64 = transfer_encoding.as_deref() == Some("base64");
    match param("filename").filter(|f| !f.is_empty()) {
        None => {
            let data = if base64 {
                crate::pycompat::b64decode(content).unwrap_or_else(|| content.to_vec())
            } else {
                content.to_vec()
            };
            out.fields
                .push((name.to_owned(), codecs::decode_replace(codec, &data)));
        }
        Some(file_name) => {
            let Some(file_name) = sanitize_file_name(file_name) else {
                return Ok(Part::File(None));
            };
            let content = if base64 {
                let stripped: Vec<u8> = content
                    .iter()
                    .copied()
                    .filter(|b| !b.is_ascii_whitespace())
                    .collect();
                if stripped.len() % 4 != 0 {
                    return Err("Could not decode base64 data.".to_owned());
                }
                Bytes::from(
                    crate::pycompat::b64decode(&stripped)
                        .ok_or_else(|| "Could not decode base64 data.".to_owned())?,
                )
            } else {
                whole.slice_ref(content)
            };
            return Ok(Part::File(Some(UploadedFile {
                field: name.to_owned(),
                file_name: Some(file_name),
                content_type: content_type
                    .map(|ct| ct.split(';').next().unwrap_or("").trim().to_owned()),
                content,
            })));
        }
    }
    Ok(Part::Counted)
}

/// Django's `sanitize_file_name`: the last path component, printable characters only;
/// `None` for nothing, `.` or `..` (such a file is skipped).
fn sanitize_file_name(name: &str) -> Option<String> {
    let name = unescape_basic_entities(name);
    let name = name.rsplit('/').next().unwrap_or("");
    let name = name.rsplit('\\').next().unwrap_or("");
    let name: String = name
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '\u{2028}' | '\u{2029}' | '\u{ad}'))
        .collect();
    (!matches!(name.as_str(), "" | "." | "..")).then_some(name)
}

/// The entities of `html.unescape` that matter in a file name.
fn unescape_basic_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    s.replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The `; key=value` parameters of a header value (the first `;`-separated item is the main
/// value and is skipped): keys lower-cased, values unquoted, as `email.message`'s
/// `get_params` gives them for ordinary input.
pub(super) fn header_params(value: &str) -> Vec<(String, String)> {
    let mut items = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut escaped = false;
    for c in value.chars() {
        if escaped {
            current.push(c);
            escaped = false;
            continue;
        }
        match c {
            '\\' if quoted => {
                current.push(c);
                escaped = true;
            }
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            ';' if !quoted => items.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    items.push(current);
    items
        .into_iter()
        .skip(1)
        .filter_map(|item| {
            let (k, v) = item.split_once('=')?;
            let k = k.trim().to_lowercase();
            let v = v.trim();
            let v = match v.strip_prefix('"') {
                Some(inner) => {
                    let inner = inner.strip_suffix('"').unwrap_or(inner);
                    let mut out = String::with_capacity(inner.len());
                    let mut chars = inner.chars();
                    while let Some(c) = chars.next() {
                        if c == '\\' {
                            if let Some(next) = chars.next() {
                                out.push(next);
                            }
                        } else {
                            out.push(c);
                        }
                    }
                    out
                }
                None => v.to_owned(),
            };
            (!k.is_empty()).then_some((k, v))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(ct: &str, body: &'static [u8]) -> Result<Vec<(String, String)>, String> {
        parse(
            ct,
            &Bytes::from_static(body),
            Codec::Utf8,
            UploadLimits::DJANGO,
        )
        .map(|m| m.fields)
        .map_err(|e| match e {
            Refusal::Malformed(m) => m,
            other => format!("{other:?}"),
        })
    }

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    const CT: &str = "multipart/form-data; boundary=XyZ";
    const PART: &[u8] = b"--XyZ\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\n";

    /// Every answer below was printed by Django 5.2's `MultiPartParser` (through DRF 3.18).
    #[test]
    fn unterminated_bodies_keep_what_was_read() {
        let with = |tail: &'static [u8]| {
            let body: &'static [u8] = Vec::leak([PART, tail].concat());
            fields(CT, body)
        };
        assert_eq!(with(b"x\r\n"), Ok(pairs(&[("username", "x\r\n")])));
        assert_eq!(with(b"x"), Ok(pairs(&[("username", "x")])));
        assert_eq!(with(b"\r\n"), Ok(pairs(&[("username", "\r\n")])));
        assert_eq!(with(b""), Ok(pairs(&[("username", "")])));
        assert_eq!(with(b"x\r\n--XyZ"), Ok(pairs(&[("username", "x")])));
        assert_eq!(with(b"x\r\n--Xy"), Ok(pairs(&[("username", "x\r\n--Xy")])));
        assert_eq!(
            with(b"x\r\n--XyZ\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\ny\r\n"),
            Ok(pairs(&[("username", "x"), ("password", "y\r\n")]))
        );
        // Headers that never end: the part is skipped.
        assert_eq!(
            fields(
                CT,
                b"--XyZ\r\nContent-Disposition: form-data; name=\"username\"\r\n"
            ),
            Ok(vec![])
        );
        // A preamble is a part without headers.
        assert_eq!(
            fields(
                CT,
                b"junk\r\n--XyZ\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\nx\r\n--XyZ--"
            ),
            Ok(pairs(&[("username", "x")]))
        );
    }

    #[test]
    fn content_type_and_boundary_faults_are_djangos() {
        assert_eq!(
            fields("Multipart/form-data; boundary=XyZ", PART),
            Err("Invalid Content-Type: Multipart/form-data; boundary=XyZ".into())
        );
        assert_eq!(
            fields("multipart/form-data", PART),
            Err("Invalid boundary in multipart: None".into())
        );
        assert_eq!(
            fields("multipart/form-data; boundary=\"a \"", PART),
            Err("Invalid boundary in multipart: a ".into())
        );
        assert!(fields("multipart/form-data; boundary=\"a b\"", b"").is_ok());
        assert!(
            fields(
                &format!("multipart/form-data; boundary={}", "b".repeat(201)),
                b""
            )
            .is_ok()
        );
        assert!(
            fields(
                &format!("multipart/form-data; boundary={}", "b".repeat(202)),
                b""
            )
            .is_err()
        );
    }

    #[test]
    fn files_base64_and_oversized_headers() {
        let body = b"--B\r\nContent-Disposition: form-data; name=\"f\"; filename=\"../a.txt\"\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nhello\r\n--B\r\nContent-Disposition: form-data; name=\"g\"; filename=\"..\"\r\n\r\nskipped\r\n--B\r\nContent-Disposition: form-data; name=\"t\"\r\nContent-Transfer-Encoding: base64\r\n\r\naMOp\r\n--B--\r\n";
        let m = parse(
            "multipart/form-data; boundary=B",
            &Bytes::from_static(body),
            Codec::Utf8,
            UploadLimits::DJANGO,
        )
        .unwrap();
        assert_eq!(m.fields, pairs(&[("t", "hé")]));
        assert_eq!(m.files.len(), 1);
        assert_eq!(m.files[0].file_name.as_deref(), Some("a.txt"));
        assert_eq!(m.files[0].content_type.as_deref(), Some("text/plain"));
        assert_eq!(&m.files[0].content[..], b"hello");
        let long = [b"--B\r\nX-Long: ".as_slice(), &[b'a'; 2000], b"\r\n\r\nv"].concat();
        assert_eq!(
            parse(
                "multipart/form-data; boundary=B",
                &Bytes::from(long),
                Codec::Utf8,
                UploadLimits::DJANGO,
            )
            .map(|m| m.fields),
            Err(Refusal::Malformed(
                "Request max total header size exceeded.".into()
            ))
        );
    }

    #[test]
    fn parameters_unquote() {
        assert_eq!(
            header_params("form-data; name=\"a\\\"b\"; filename=x.txt; Empty"),
            pairs(&[("name", "a\"b"), ("filename", "x.txt")])
        );
    }

    /// Django 5.2 through DRF 3.18: a file is completed when the next part begins, so a file
    /// that is the last part of an unterminated body is lost; anything after its boundary
    /// (the closing `--`, even a raw part) keeps it.
    #[test]
    fn a_file_is_kept_once_another_part_follows() {
        let head: &[u8] = b"--B\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\nbob\r\n--B\r\nContent-Disposition: form-data; name=\"password\"; filename=\"f.txt\"\r\nContent-Type: text/plain\r\n\r\n";
        let files = |tail: &[u8]| {
            let body = Bytes::from([head, tail].concat());
            let m = parse(
                "multipart/form-data; boundary=B",
                &body,
                Codec::Utf8,
                UploadLimits::DJANGO,
            )
            .unwrap();
            assert_eq!(m.fields, pairs(&[("username", "bob")]));
            m.files.len()
        };
        for lost in [&b""[..], b"x", b"\r\n", b"x\r\n"] {
            assert_eq!(files(lost), 0, "{lost:?}");
        }
        for kept in [
            &b"x\r\n--B--\r\n"[..],
            b"\r\n--B--\r\n",
            b"x\r\n--B--",
            b"x\r\n--Bjunk",
        ] {
            assert_eq!(files(kept), 1, "{kept:?}");
        }
    }

    #[test]
    fn field_values_are_decoded_with_the_request_charset() {
        let body = Bytes::from_static(
            b"--B\r\nContent-Disposition: form-data; name=\"u\"\r\n\r\n\xfcn\xef\r\n--B--\r\n",
        );
        let with = |codec| {
            parse(
                "multipart/form-data; boundary=B",
                &body,
                codec,
                UploadLimits::DJANGO,
            )
            .unwrap()
            .fields
        };
        assert_eq!(with(Codec::Latin1), pairs(&[("u", "\u{fc}n\u{ef}")]));
        assert_eq!(with(Codec::Utf8), pairs(&[("u", "\u{fffd}n\u{fffd}")]));
    }

    /// Django 5.2's counts: fields and raw parts (two more allowed, for the empty ones around
    /// the last boundary) against `DATA_UPLOAD_MAX_NUMBER_FIELDS`, parts with a file name
    /// against `DATA_UPLOAD_MAX_NUMBER_FILES`.
    #[test]
    fn too_many_fields_or_files_are_refused() {
        let body = |fields: usize, files: usize| {
            let mut b = String::new();
            for i in 0..fields {
                b += &format!("--B\r\nContent-Disposition: form-data; name=\"f{i}\"\r\n\r\nv\r\n");
            }
            for i in 0..files {
                b += &format!(
                    "--B\r\nContent-Disposition: form-data; name=\"u{i}\"; filename=\"a.txt\"\r\n\r\nv\r\n"
                );
            }
            Bytes::from(b + "--B--\r\n")
        };
        let limits = UploadLimits {
            fields: Some(3),
            files: Some(2),
        };
        let run = |fields, files| {
            parse(
                "multipart/form-data; boundary=B",
                &body(fields, files),
                Codec::Utf8,
                limits,
            )
            .map(|m| (m.fields.len(), m.files.len()))
        };
        // The empty preamble and the closing `--` are the two raw parts Django allows for.
        assert_eq!(run(3, 2), Ok((3, 2)));
        assert_eq!(run(4, 0), Err(Refusal::TooManyFields));
        assert_eq!(run(0, 3), Err(Refusal::TooManyFiles));
        let unlimited = UploadLimits {
            fields: None,
            files: None,
        };
        let m = parse(
            "multipart/form-data; boundary=B",
            &body(50, 50),
            Codec::Utf8,
            unlimited,
        )
        .unwrap();
        assert_eq!((m.fields.len(), m.files.len()), (50, 50));
    }
}
