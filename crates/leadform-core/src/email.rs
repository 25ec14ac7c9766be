//! A small, strict email check of our own.
//!
//! `validator`'s built-in rule pulls idna, ICU and regex into the wasm (+150 KB gzipped) and still
//! accepts `a@b` and `john..doe@x.com`. This check is deliberately simple: it refuses the addresses a
//! CRM would choke on and accepts every ordinary work address. Internationalised domains are accepted
//! as typed (non-ASCII letters), since mail servers handle them and the CRM stores them verbatim.

/// Longest address SMTP allows (RFC 5321: 254 octets in practice).
pub const MAX_EMAIL_LEN: usize = 254;

/// `true` when `email` looks like `local@domain.tld` and would be accepted by a mail server.
pub fn is_plausible_email(email: &str) -> bool {
    if email.len() > MAX_EMAIL_LEN {
        return false;
    }
    let Some((local, domain)) = email.rsplit_once('@') else {
        return false;
    };
    is_plausible_local_part(local) && is_plausible_domain(domain)
}

fn is_plausible_local_part(local: &str) -> bool {
    const ALLOWED_SYMBOLS: &str = ".!#$%&'*+/=?^_`{|}~-";
    !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_alphanumeric() || ALLOWED_SYMBOLS.contains(c))
}

fn is_plausible_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    // A dot is required: `a@b` is not an address anyone can be reached at from the internet.
    if labels.len() < 2 || domain.len() > 253 {
        return false;
    }
    let tld = labels[labels.len() - 1];
    labels.iter().all(|label| is_plausible_label(label))
        && tld.chars().count() >= 2
        && !tld.chars().all(|c| c.is_ascii_digit())
}

fn is_plausible_label(label: &str) -> bool {
    !label.is_empty()
        && label.len() <= 63
        && !label.starts_with('-')
        && !label.ends_with('-')
        && label.chars().all(|c| c.is_alphanumeric() || c == '-')
}

#[cfg(test)]
mod tests {
    use super::is_plausible_email;

    #[test]
    fn accepts_ordinary_work_addresses() {
        for ok in [
            "ada@example.com",
            "ada.lovelace+leads@mail.example.co.uk",
            "o'brien@example.ie",
            "x_y-z@sub-domain.example.org",
            "jürgen@müller.de",
        ] {
            assert!(is_plausible_email(ok), "{ok} should be accepted");
        }
    }

    #[test]
    fn refuses_what_validator_lets_through_and_other_junk() {
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "a@b",
            "john..doe@x.com",
            ".ada@example.com",
            "ada.@example.com",
            "ada@example..com",
            "ada@-example.com",
            "ada@example.c",
            "ada@example.123",
            "ada lovelace@example.com",
            "ada@exa mple.com",
            "<script>@example.com",
            "ada@example.com\n",
        ] {
            assert!(!is_plausible_email(bad), "{bad:?} should be refused");
        }
    }

    #[test]
    fn refuses_overlong_addresses() {
        let local = "a".repeat(65);
        assert!(!is_plausible_email(&format!("{local}@example.com")));
        let domain = format!("{}.com", "a".repeat(250));
        assert!(!is_plausible_email(&format!("ada@{domain}")));
    }
}
