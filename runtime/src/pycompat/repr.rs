//! Python's text forms of values, where Django's or DRF's answers contain them.

/// Python's `repr(float)` (also `str(float)`) of a finite value: the shortest digits that
/// round-trip, in fixed notation from 1e-4 up to 1e16, else scientific (`1e+16`, `1.5e-05`).
pub(crate) fn float_repr(f: f64) -> String {
    let sci = format!("{:e}", f.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let sign = if f.is_sign_negative() { "-" } else { "" };
    if (-4..16).contains(&exp) {
        let point = exp + 1;
        let body = if point <= 0 {
            format!("0.{}{digits}", "0".repeat(point.unsigned_abs() as usize))
        } else if point as usize >= digits.len() {
            format!("{digits}{}.0", "0".repeat(point as usize - digits.len()))
        } else {
            format!(
                "{}.{}",
                &digits[..point as usize],
                &digits[point as usize..]
            )
        };
        format!("{sign}{body}")
    } else {
        let m = if digits.len() > 1 {
            format!("{}.{}", &digits[..1], &digits[1..])
        } else {
            digits
        };
        let esign = if exp < 0 { '-' } else { '+' };
        format!("{sign}{m}e{esign}{:02}", exp.abs())
    }
}

#[cfg(test)]
mod tests {
    use super::float_repr;

    #[test]
    fn matches_python_repr() {
        for (f, s) in [
            (1.0, "1.0"),
            (2.5, "2.5"),
            (1e20, "1e+20"),
            (1.5e20, "1.5e+20"),
            (1e-5, "1e-05"),
            (0.0015, "0.0015"),
            (-123000.5, "-123000.5"),
            (1e15, "1000000000000000.0"),
            (1e16, "1e+16"),
            (0.1, "0.1"),
            (-0.0, "-0.0"),
        ] {
            assert_eq!(float_repr(f), s, "{f}");
        }
    }
}
