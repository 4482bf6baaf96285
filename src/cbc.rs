//! AES-CBC with PKCS#7 padding, for the `apache` format (mod_session_crypto's cipher): AES-128,
//! -192 or -256 chosen by the key's length. Built for size with the rest of the core (a cookie
//! of the `apache` format costs two PBKDF2 derivations per new salt, which dwarf the cipher).

use aes::cipher::block_padding::Pkcs7;
use aes::cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit};

use crate::apache_wire::BLOCK_BYTES;

/// AES-CBC encryption with PKCS#7 padding of `pt` into `out`, with AES-128, -192 or -256 chosen by
/// the key's length (16, 24 or 32 bytes). Returns the ciphertext's length, or `None` for another
/// key length or an `out` shorter than the padded plaintext.
#[must_use]
pub(crate) fn cbc_encrypt(key: &[u8], iv: &[u8; BLOCK_BYTES], pt: &[u8], out: &mut [u8]) -> Option<usize> {
    fn with<C: BlockModeEncrypt + KeyIvInit>(key: &[u8], iv: &[u8], pt: &[u8], out: &mut [u8]) -> Option<usize> {
        Some(C::new_from_slices(key, iv).ok()?.encrypt_padded_b2b::<Pkcs7>(pt, out).ok()?.len())
    }
    match key.len() {
        16 => with::<cbc::Encryptor<aes::Aes128>>(key, iv, pt, out),
        24 => with::<cbc::Encryptor<aes::Aes192>>(key, iv, pt, out),
        32 => with::<cbc::Encryptor<aes::Aes256>>(key, iv, pt, out),
        _ => None,
    }
}

/// AES-CBC decryption in place, the cipher chosen by the key's length as in [`cbc_encrypt`].
/// Returns the plaintext's length (a prefix of `buf`), or `None` for another key length, a
/// ciphertext that is not whole blocks, or bad padding.
#[must_use]
pub(crate) fn cbc_decrypt(key: &[u8], iv: &[u8; BLOCK_BYTES], buf: &mut [u8]) -> Option<usize> {
    fn with<C: BlockModeDecrypt + KeyIvInit>(key: &[u8], iv: &[u8], buf: &mut [u8]) -> Option<usize> {
        Some(C::new_from_slices(key, iv).ok()?.decrypt_padded::<Pkcs7>(buf).ok()?.len())
    }
    if !buf.len().is_multiple_of(BLOCK_BYTES) {
        return None;
    }
    match key.len() {
        16 => with::<cbc::Decryptor<aes::Aes128>>(key, iv, buf),
        24 => with::<cbc::Decryptor<aes::Aes192>>(key, iv, buf),
        32 => with::<cbc::Decryptor<aes::Aes256>>(key, iv, buf),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// NIST SP 800-38A F.2.5 (CBC-AES256.Encrypt), first two blocks, and the other key sizes
    /// round-tripping.
    #[test]
    fn cbc_known_answer() {
        let key: [u8; 32] = [
            0x60, 0x3d, 0xeb, 0x10, 0x15, 0xca, 0x71, 0xbe, 0x2b, 0x73, 0xae, 0xf0, 0x85, 0x7d, 0x77, 0x81, 0x1f, 0x35,
            0x2c, 0x07, 0x3b, 0x61, 0x08, 0xd7, 0x2d, 0x98, 0x10, 0xa3, 0x09, 0x14, 0xdf, 0xf4,
        ];
        let iv: [u8; 16] = core::array::from_fn(|i| i as u8);
        let pt: [u8; 32] = [
            0x6b, 0xc1, 0xbe, 0xe2, 0x2e, 0x40, 0x9f, 0x96, 0xe9, 0x3d, 0x7e, 0x11, 0x73, 0x93, 0x17, 0x2a, 0xae, 0x2d,
            0x8a, 0x57, 0x1e, 0x03, 0xac, 0x9c, 0x9e, 0xb7, 0x6f, 0xac, 0x45, 0xaf, 0x8e, 0x51,
        ];
        let want: [u8; 32] = [
            0xf5, 0x8c, 0x4c, 0x04, 0xd6, 0xe5, 0xf1, 0xba, 0x77, 0x9e, 0xab, 0xfb, 0x5f, 0x7b, 0xfb, 0xd6, 0x9c, 0xfc,
            0x4e, 0x96, 0x7e, 0xdb, 0x80, 0x8d, 0x67, 0x9f, 0x77, 0x7b, 0xc6, 0x70, 0x2c, 0x7d,
        ];
        let mut out = [0u8; 48];
        assert_eq!(cbc_encrypt(&key, &iv, &pt, &mut out), Some(48));
        assert_eq!(out[..32], want);
        assert_eq!(cbc_decrypt(&key, &iv, &mut out), Some(32));
        assert_eq!(out[..32], pt);
        for len in [16, 24] {
            let key = [0x5a; 32];
            let mut out = [0u8; 16];
            assert_eq!(cbc_encrypt(&key[..len], &iv, b"short", &mut out), Some(16));
            assert_eq!(cbc_decrypt(&key[..len], &iv, &mut out), Some(5));
        }
        assert_eq!(cbc_decrypt(&key, &iv, &mut [0u8; 15]), None);
        assert_eq!(cbc_encrypt(&key, &iv, &pt, &mut [0u8; 40]), None);
    }
}
