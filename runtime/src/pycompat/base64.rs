//! Python's `base64.b64decode`, as DRF's Basic scheme and Django's signing decode.

/// Python's `base64.b64decode(s)` (non-strict): characters outside the alphabet are dropped,
/// decoding stops at complete padding, and a final incomplete quantum is an error.
pub fn b64decode(input: &[u8]) -> Option<Vec<u8>> {
    fn value(c: u8) -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    }
    let mut out = Vec::with_capacity(input.len() / 4 * 3);
    let mut quad_pos = 0u8;
    let mut left: u32 = 0;
    let mut pads = 0u8;
    for &c in input {
        if c == b'=' {
            // Saturating: before the second character of a quantum the count never matters
            // (a data character resets it first), and 256 `=` there overflowed a u8 (found
            // by the `authorization` fuzz target, through a Basic header).
            pads = pads.saturating_add(1);
            if quad_pos >= 2 && quad_pos + pads >= 4 {
                return Some(out);
            }
            continue;
        }
        let Some(v) = value(c) else { continue };
        pads = 0;
        match quad_pos {
            0 => {
                left = v;
                quad_pos = 1;
            }
            1 => {
                out.push(((left << 2) | (v >> 4)) as u8);
                left = v & 0x0f;
                quad_pos = 2;
            }
            2 => {
                out.push(((left << 4) | (v >> 2)) as u8);
                left = v & 0x03;
                quad_pos = 3;
            }
            _ => {
                out.push(((left << 6) | v) as u8);
                quad_pos = 0;
            }
        }
    }
    (quad_pos == 0).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::b64decode;

    #[test]
    fn b64_like_python() {
        assert_eq!(b64decode(b"YWxpY2U6cHc=").unwrap(), b"alice:pw");
        // Unpadded input with a partial quantum is an error.
        assert_eq!(b64decode(b"YWxpY2U6cHc"), None);
        // Characters outside the alphabet are discarded.
        assert_eq!(b64decode(b"YWxp!Y2U6cHc=").unwrap(), b"alice:pw");
        // Data after complete padding is ignored.
        assert_eq!(b64decode(b"YQ==YWJj").unwrap(), b"a");
        // One leftover character is an error; an empty string decodes to nothing.
        assert_eq!(b64decode(b"Y"), None);
        assert_eq!(b64decode(b"").unwrap(), b"");
        // Padding in the middle of a quantum is skipped.
        assert_eq!(b64decode(b"Y=Q==").unwrap(), b"a");
    }

    /// Found by the `authorization` fuzz target: `Basic :` followed by 256 `=` or more
    /// overflowed the padding count (a panic where overflow checks are on, as in `cargo run`).
    #[test]
    fn long_runs_of_padding_do_not_overflow() {
        let mut input = vec![b':'];
        input.extend([b'='; 300]);
        assert_eq!(b64decode(&input), Some(vec![]));
        let mut input = vec![b'Y'];
        input.extend([b'='; 300]);
        assert_eq!(b64decode(&input), None);
        let mut input = b"YQ".to_vec();
        input.extend([b'='; 300]);
        assert_eq!(b64decode(&input).unwrap(), b"a");
    }
}
