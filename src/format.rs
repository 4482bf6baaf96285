//! The cookie formats and the `apache` format's ciphers, by name.

/// The cookie format.
///
/// ```
/// assert_eq!(edge_session::Format::default(), edge_session::Format::Sealed);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    /// AES-256-GCM sealed token (the default): confidential, tamper-proof, name-bound.
    #[default]
    Sealed,
    /// mod_session's unencrypted session string: readable and **forgeable** by the client. For
    /// interop with Apache (`SessionCryptoPassphrase` unset) and for testing only.
    Plain,
    /// mod_session_crypto's encrypted cookie (AES-CBC + SipHash MAC), byte-compatible with
    /// Apache httpd 2.4: `keys` are the `SessionCryptoPassphrase`s, `cipher` the
    /// `SessionCryptoCipher`.
    Apache,
}

impl Format {
    /// Parses `"sealed"`, `"plain"` or `"apache"`.
    ///
    /// ```
    /// assert_eq!(edge_session::Format::parse("plain"), Some(edge_session::Format::Plain));
    /// ```
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "sealed" => Some(Self::Sealed),
            "plain" => Some(Self::Plain),
            "apache" => Some(Self::Apache),
            _ => None,
        }
    }

    /// `"sealed"`, `"plain"` or `"apache"`.
    ///
    /// ```
    /// assert_eq!(edge_session::Format::Apache.as_str(), "apache");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Sealed => "sealed",
            Self::Plain => "plain",
            Self::Apache => "apache",
        }
    }
}

/// `SessionCryptoCipher`: the AES key size of the `apache` format.
///
/// ```
/// assert_eq!(edge_session::ApacheCipher::parse("aes128"), Some(edge_session::ApacheCipher::Aes128));
/// assert_eq!(edge_session::ApacheCipher::default(), edge_session::ApacheCipher::Aes256);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum ApacheCipher {
    /// `aes128`
    Aes128,
    /// `aes192`
    Aes192,
    /// `aes256`, Apache's default.
    #[default]
    Aes256,
}

impl ApacheCipher {
    /// Parses Apache's cipher names `aes128`, `aes192`, `aes256`.
    ///
    /// ```
    /// assert_eq!(edge_session::ApacheCipher::parse("3des192"), None);
    /// ```
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "aes128" => Some(Self::Aes128),
            "aes192" => Some(Self::Aes192),
            "aes256" => Some(Self::Aes256),
            _ => None,
        }
    }

    /// Apache's name: `aes128`, `aes192` or `aes256`.
    ///
    /// ```
    /// assert_eq!(edge_session::ApacheCipher::Aes192.as_str(), "aes192");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Aes128 => "aes128",
            Self::Aes192 => "aes192",
            Self::Aes256 => "aes256",
        }
    }
}
