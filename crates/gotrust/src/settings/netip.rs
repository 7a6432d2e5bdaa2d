//! Go's `net/netip.ParseAddr`, needed for Go 1.26's validation of bracketed URL hosts
//! (`https://[...]`), with its exact error texts (src/net/netip/netip.go).

use gomod::strconv::quote as go_quote;

/// A parsed address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Addr {
    /// True for an IPv4 address written in dotted form (not for v4-mapped IPv6).
    pub is4: bool,
    /// The 16-byte form (IPv4 in the last 4 bytes for `is4`).
    pub bytes: [u8; 16],
    /// IPv6 zone.
    pub zone: String,
}

/// A `netip.ParseAddr` failure; `Display` is Go's text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct AddrError(pub String);

fn err(input: &str, msg: &str, at: Option<&str>) -> AddrError {
    AddrError(match at {
        Some(a) if !a.is_empty() => {
            format!("ParseAddr({}): {msg} (at {})", go_quote(input), go_quote(a))
        }
        _ => format!("ParseAddr({}): {msg}", go_quote(input)),
    })
}

/// `netip.ParseAddr`; the error is Go's text.
pub fn parse_addr(s: &str) -> Result<Addr, AddrError> {
    for b in s.bytes() {
        match b {
            b'.' => {
                let mut f = [0u8; 4];
                ipv4_fields(s, s, &mut f)?;
                let mut bytes = [0u8; 16];
                bytes[12..].copy_from_slice(&f);
                return Ok(Addr {
                    is4: true,
                    bytes,
                    zone: String::new(),
                });
            }
            b':' => return ipv6(s),
            b'%' => return Err(err(s, "missing IPv6 address", None)),
            _ => {}
        }
    }
    Err(err(s, "unable to parse IP", None))
}

/// Parses `part` (a suffix of `input`) as dotted IPv4 into `out`.
fn ipv4_fields(input: &str, part: &str, out: &mut [u8; 4]) -> Result<(), AddrError> {
    let b = part.as_bytes();
    let (mut val, mut pos, mut digits) = (0u32, 0usize, 0);
    for i in 0..b.len() {
        match b[i] {
            c @ b'0'..=b'9' => {
                if digits == 1 && val == 0 {
                    return Err(err(input, "IPv4 field has octet with leading zero", None));
                }
                val = val * 10 + u32::from(c - b'0');
                digits += 1;
                if val > 255 {
                    return Err(err(input, "IPv4 field has value >255", None));
                }
            }
            b'.' => {
                if i == 0 || i == b.len() - 1 || b[i - 1] == b'.' {
                    return Err(err(
                        input,
                        "IPv4 field must have at least one digit",
                        Some(&part[i..]),
                    ));
                }
                if pos == 3 {
                    return Err(err(input, "IPv4 address too long", None));
                }
                out[pos] = val as u8;
                pos += 1;
                val = 0;
                digits = 0;
            }
            _ => return Err(err(input, "unexpected character", Some(&part[i..]))),
        }
    }
    if pos < 3 {
        return Err(err(input, "IPv4 address too short", None));
    }
    out[3] = val as u8;
    Ok(())
}

fn ipv6(input: &str) -> Result<Addr, AddrError> {
    let (mut s, zone) = match input.find('%') {
        Some(i) => {
            let zone = &input[i + 1..];
            if zone.is_empty() {
                return Err(err(input, "zone must be a non-empty string", None));
            }
            (&input[..i], zone)
        }
        None => (input, ""),
    };
    let addr_end = input.len() - if zone.is_empty() { 0 } else { zone.len() + 1 };
    let mut ip = [0u8; 16];
    let mut ellipsis: Option<usize> = None;
    if s.starts_with("::") {
        ellipsis = Some(0);
        s = &s[2..];
        if s.is_empty() {
            return Ok(Addr {
                is4: false,
                bytes: ip,
                zone: zone.to_string(),
            });
        }
    }
    let mut i = 0;
    while i < 16 {
        let b = s.as_bytes();
        let mut off = 0;
        let mut acc: u32 = 0;
        while off < b.len() {
            let Some(d) = (b[off] as char).to_digit(16) else {
                break;
            };
            acc = (acc << 4) + d;
            if off > 3 {
                return Err(err(input, "each group must have 4 or less digits", Some(s)));
            }
            if acc > 0xffff {
                return Err(err(input, "IPv6 field has value >=2^16", Some(s)));
            }
            off += 1;
        }
        if off == 0 {
            return Err(err(
                input,
                "each colon-separated field must have at least one digit",
                Some(s),
            ));
        }
        if off < b.len() && b[off] == b'.' {
            if ellipsis.is_none() && i != 12 {
                return Err(err(
                    input,
                    "embedded IPv4 address must replace the final 2 fields of the address",
                    Some(s),
                ));
            }
            if i + 4 > 16 {
                return Err(err(
                    input,
                    "too many hex fields to fit an embedded IPv4 at the end of the address",
                    Some(s),
                ));
            }
            let part = &input[addr_end - s.len()..addr_end];
            let mut f = [0u8; 4];
            ipv4_fields(input, part, &mut f)?;
            ip[i..i + 4].copy_from_slice(&f);
            s = "";
            i += 4;
            break;
        }
        ip[i] = (acc >> 8) as u8;
        ip[i + 1] = acc as u8;
        i += 2;
        s = &s[off..];
        if s.is_empty() {
            break;
        }
        if !s.starts_with(':') {
            return Err(err(input, "unexpected character, want colon", Some(s)));
        } else if s.len() == 1 {
            return Err(err(
                input,
                "colon must be followed by more characters",
                Some(s),
            ));
        }
        s = &s[1..];
        if s.starts_with(':') {
            if ellipsis.is_some() {
                return Err(err(input, "multiple :: in address", Some(s)));
            }
            ellipsis = Some(i);
            s = &s[1..];
            if s.is_empty() {
                break;
            }
        }
    }
    if !s.is_empty() {
        return Err(err(input, "trailing garbage after address", Some(s)));
    }
    if i < 16 {
        let Some(e) = ellipsis else {
            return Err(err(input, "address string too short", None));
        };
        let n = 16 - i;
        ip.copy_within(e..i, e + n);
        ip[e..e + n].fill(0);
    } else if ellipsis.is_some() {
        return Err(err(
            input,
            "the :: must expand to at least one field of zeros",
            None,
        ));
    }
    Ok(Addr {
        is4: false,
        bytes: ip,
        zone: zone.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_and_errors() {
        let v6 = parse_addr("2001:db8::1").unwrap();
        assert_eq!(&v6.bytes[..4], &[0x20, 0x01, 0x0d, 0xb8]);
        assert_eq!(v6.bytes[15], 1);
        assert!(parse_addr("1.2.3.4").unwrap().is4);
        assert!(!parse_addr("::ffff:1.2.3.4").unwrap().is4);
        assert_eq!(parse_addr("fe80::1%en0").unwrap().zone, "en0");
        for (s, e) in [
            ("zz", "ParseAddr(\"zz\"): unable to parse IP"),
            ("%x", "ParseAddr(\"%x\"): missing IPv6 address"),
            ("1.2.3", "ParseAddr(\"1.2.3\"): IPv4 address too short"),
            (
                "1.2.3.04",
                "ParseAddr(\"1.2.3.04\"): IPv4 field has octet with leading zero",
            ),
            (
                "v1.x",
                "ParseAddr(\"v1.x\"): unexpected character (at \"v1.x\")",
            ),
            (
                "1::2::3",
                "ParseAddr(\"1::2::3\"): multiple :: in address (at \":3\")",
            ),
            ("1:2", "ParseAddr(\"1:2\"): address string too short"),
            (
                "fe80::1%",
                "ParseAddr(\"fe80::1%\"): zone must be a non-empty string",
            ),
            (
                "12345::",
                "ParseAddr(\"12345::\"): each group must have 4 or less digits (at \"12345::\")",
            ),
        ] {
            assert_eq!(parse_addr(s).unwrap_err().to_string(), e, "{s}");
        }
    }
}
