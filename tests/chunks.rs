//! Chunked cookies: 4 KB boundaries, growing and shrinking, the chunk cap, and splicing attempts.

use edge_session::limits::MAX_COOKIE_BYTES;
use edge_session::{Format, LoadStatus, Options, Rejection, SaveError, Session, SessionManager};

const NOW: u64 = 1_800_000_000_000_000;

fn manager(f: impl FnOnce(&mut Options)) -> SessionManager {
    let mut o = Options::default();
    o.keys = vec![edge_session::generate_key().unwrap()];
    o.max_age = 3600;
    f(&mut o);
    SessionManager::new(o).unwrap()
}

/// The Cookie header a browser sends after storing `lines` (removals drop earlier cookies).
fn browser(jar: &mut Vec<(String, String)>, lines: &[String]) -> String {
    for line in lines {
        let pair = line.split(';').next().unwrap();
        let (name, value) = pair.split_once('=').unwrap();
        jar.retain(|(n, _)| n != name);
        if !line.contains("Max-Age=0") {
            jar.push((name.to_owned(), value.to_owned()));
        }
    }
    jar.iter().map(|(n, v)| format!("{n}={v}")).collect::<Vec<_>>().join("; ")
}

fn with_value(m: &SessionManager, len: usize) -> Session {
    let mut s = m.load(None, NOW);
    s.insert("v", &"x".repeat(len)).unwrap();
    s
}

#[test]
fn at_the_4096_byte_boundary_one_cookie_then_two() {
    let m = manager(|_| {});
    // Find the largest value whose single Set-Cookie line fits (sealing adds a fixed overhead).
    let fits = (2900..3100).rev().find(|&len| m.save_all(&mut with_value(&m, len), NOW).unwrap().len() == 1).unwrap();
    let one = m.save_all(&mut with_value(&m, fits), NOW).unwrap();
    assert!(one[0].len() <= MAX_COOKIE_BYTES && one[0].len() > MAX_COOKIE_BYTES - 4, "{}", one[0].len());
    assert!(one[0].starts_with("session="));
    let two = m.save_all(&mut with_value(&m, fits + 1), NOW).unwrap();
    assert_eq!(two.len(), 2);
    assert!(two.iter().all(|l| l.len() <= MAX_COOKIE_BYTES));
    assert!(two[0].starts_with("session.0=2*") && two[1].starts_with("session.1="));
    // save() writes single cookies only: the chunked session is its documented error.
    assert_eq!(m.save(&mut with_value(&m, fits + 1), NOW), Err(SaveError::ChunkedSession));
    for lines in [one, two] {
        let back = m.load(Some(&browser(&mut Vec::new(), &lines)), NOW + 1);
        assert_eq!(back.status(), LoadStatus::Loaded);
    }
}

#[test]
fn grows_into_chunks_and_shrinks_back_removing_what_is_stale() {
    let m = manager(|_| {});
    let mut jar = Vec::new();
    let mut s = m.load(None, NOW);
    s.insert("user", "alice").unwrap();
    let header = browser(&mut jar, &m.save_all(&mut s, NOW).unwrap());
    assert!(header.starts_with("session="));

    // Grow to three chunks: the whole cookie is removed in the same response.
    let mut s = m.load(Some(&header), NOW + 1);
    s.insert("big", &"b".repeat(9000)).unwrap();
    let lines = m.save_all(&mut s, NOW + 1).unwrap();
    assert_eq!(lines.iter().filter(|l| l.starts_with("session.")).count(), 3);
    assert!(lines.iter().any(|l| l.starts_with("session=;") && l.contains("Max-Age=0")));
    let header = browser(&mut jar, &lines);
    assert!(!header.contains("session="), "{header}");
    let s = m.load(Some(&header), NOW + 2);
    assert_eq!((s.get("user"), s.get("big").map(str::len)), (Some("alice"), Some(9000)));

    // Shrink to two chunks: session.2 is removed.
    let mut s = m.load(Some(&header), NOW + 3);
    s.insert("big", &"b".repeat(5000)).unwrap();
    let lines = m.save_all(&mut s, NOW + 3).unwrap();
    assert!(lines.iter().any(|l| l.starts_with("session.2=;") && l.contains("Max-Age=0")));
    let header = browser(&mut jar, &lines);
    assert!(!header.contains("session.2"));

    // Shrink to one cookie: every chunk is removed.
    let mut s = m.load(Some(&header), NOW + 4);
    s.remove("big");
    let lines = m.save_all(&mut s, NOW + 4).unwrap();
    let header = browser(&mut jar, &lines);
    assert!(header.starts_with("session=") && !header.contains("session."), "{header}");
    assert_eq!(m.load(Some(&header), NOW + 5).get("user"), Some("alice"));

    // Logout from chunks removes every chunk.
    let mut s = m.load(Some(&browser(&mut jar, &m.save_all(&mut with_value(&m, 9000), NOW).unwrap())), NOW + 6);
    s.clear();
    let lines = m.save_all(&mut s, NOW + 6).unwrap();
    assert!(lines.iter().all(|l| l.contains("Max-Age=0")));
    assert_eq!(browser(&mut jar, &lines), "");
}

#[test]
fn the_chunk_cap_is_a_clear_error() {
    let m = manager(|_| {});
    let err = m.save_all(&mut with_value(&m, 14_000), NOW).unwrap_err();
    assert_eq!(err, SaveError::TooManyChunks { needed: 5, max: 4 });
    assert!(err.to_string().contains("max_chunks (4)"), "{err}");
    let six = manager(|o| o.max_chunks = 6);
    assert_eq!(six.save_all(&mut with_value(&six, 14_000), NOW).unwrap().len(), 5);
    let none = manager(|o| o.max_chunks = 1);
    assert!(matches!(none.save_all(&mut with_value(&none, 5000), NOW), Err(SaveError::CookieTooLarge { .. })));
    for bad in [0, 17] {
        let mut o = Options::default();
        o.keys = vec![edge_session::generate_key().unwrap()];
        o.max_chunks = bad;
        assert!(SessionManager::new(o).is_err(), "{bad}");
    }
}

#[test]
fn chunks_do_not_splice() {
    let m = manager(|_| {});
    let lines_a = m.save_all(&mut with_value(&m, 9000), NOW).unwrap();
    let lines_b = m.save_all(&mut with_value(&m, 9000), NOW).unwrap();
    let pairs = |lines: &[String]| lines.iter().map(|l| l.split(';').next().unwrap().to_owned()).collect::<Vec<_>>();
    let (a, b) = (pairs(&lines_a), pairs(&lines_b));
    assert_eq!(a.len(), 3);
    // Same key, same layout: a chunk of another session (or an older write) in any position.
    for i in 0..3 {
        let mut mixed = a.clone();
        mixed[i] = b[i].clone();
        let s = m.load(Some(&mixed.join("; ")), NOW);
        assert_eq!(s.status(), LoadStatus::Rejected(Rejection::Tampered), "chunk {i} from another session");
    }
    // Reordered parts, a missing part, a doubled part.
    let swapped = [a[0].clone(), a[2].replace("session.2", "session.1"), a[1].replace("session.1", "session.2")];
    assert!(m.load(Some(&swapped.join("; ")), NOW).is_empty());
    assert!(m.load(Some(&[a[0].clone(), a[2].clone()].join("; ")), NOW).is_empty());
    assert_eq!(
        m.load(Some(&[a.clone(), vec![b[1].clone()]].concat().join("; ")), NOW).status(),
        LoadStatus::Rejected(Rejection::Duplicate)
    );
    // A count that claims fewer chunks cuts the token: the tag fails.
    let fewer = [a[0].replacen("=3*", "=2*", 1), a[1].clone(), a[2].clone()];
    assert!(m.load(Some(&fewer.join("; ")), NOW).is_empty());
    // A stale chunk beyond the count is ignored: the session still opens.
    let extra = [a.clone(), vec!["session.3=AAAA".to_owned()]].concat();
    assert_eq!(m.load(Some(&extra.join("; ")), NOW).get("v").map(str::len), Some(9000));
    // The cookie name is in the AEAD data: chunks renamed to another cookie do not open there.
    let other = manager(|o| {
        o.keys = m.options().keys.clone();
        o.cookie_name = "other".into();
    });
    let renamed: Vec<String> = a.iter().map(|p| p.replacen("session.", "other.", 1)).collect();
    assert!(other.load(Some(&renamed.join("; ")), NOW).is_empty());
}

#[test]
fn the_whole_cookie_wins_over_chunks() {
    let m = manager(|_| {});
    let mut small = m.load(None, NOW);
    small.insert("user", "bob").unwrap();
    let whole = m.save_all(&mut small, NOW).unwrap()[0].split(';').next().unwrap().to_owned();
    let chunks: Vec<String> = m
        .save_all(&mut with_value(&m, 9000), NOW)
        .unwrap()
        .iter()
        .map(|l| l.split(';').next().unwrap().to_owned())
        .collect();
    let s = m.load(Some(&format!("{}; {whole}", chunks.join("; "))), NOW);
    assert_eq!(s.get("user"), Some("bob"));
    // And its next save removes the chunks the browser still holds.
    let mut s = s;
    s.insert("n", "1").unwrap();
    let lines = m.save_all(&mut s, NOW).unwrap();
    assert_eq!(lines.iter().filter(|l| l.starts_with("session.") && l.contains("Max-Age=0")).count(), 3);
}

#[test]
fn plain_and_apache_never_chunk() {
    let formats = if cfg!(feature = "apache") { &[Format::Plain, Format::Apache][..] } else { &[Format::Plain] };
    for &format in formats {
        let mut o = Options::default();
        o.format = format;
        o.keys = match format {
            Format::Plain => vec![],
            _ => vec!["a passphrase that is long enough to encrypt with".into()],
        };
        let m = SessionManager::new(o).unwrap();
        let err = m.save_all(&mut with_value(&m, 5000), NOW).unwrap_err();
        assert!(matches!(err, SaveError::CookieTooLarge { .. }), "{format:?}: {err}");
        // Chunk cookies are not read either.
        assert_eq!(m.load(Some("session.0=2*user=a; session.1=lice"), NOW).status(), LoadStatus::New);
    }
}

/// Issue 14 item 4: a chunked session cleared and saved with `save()` came back on the next
/// request from its chunks (only `NAME` was removed). Now `save()` refuses, `save_all()` removes
/// every chunk, and `removal_cookies()` deletes every form a logout must end.
#[test]
fn a_cleared_chunked_session_does_not_come_back() {
    let m = manager(|_| {});
    let mut jar = Vec::new();
    let header = browser(&mut jar, &m.save_all(&mut with_value(&m, 9000), NOW).unwrap());
    assert!(header.contains("session.2="), "{header}");
    let mut s = m.load(Some(&header), NOW + 1);
    s.clear();
    assert_eq!(m.save(&mut s, NOW + 1), Err(SaveError::ChunkedSession), "one line cannot remove the chunks");
    let removed = browser(&mut jar, &m.save_all(&mut s, NOW + 1).unwrap());
    assert_eq!(removed, "");
    assert!(m.load(Some(&removed), NOW + 2).is_empty());
    // A logout by hand: every name the session may have been written under.
    let mut jar = Vec::new();
    let header = browser(&mut jar, &m.save_all(&mut with_value(&m, 9000), NOW).unwrap());
    assert_eq!(browser(&mut jar, &m.removal_cookies()), "");
    assert_eq!(m.load(Some(&header), NOW).get("v").map(str::len), Some(9000), "(the header before the logout)");
    // A single-cookie session still saves with save().
    let mut s = with_value(&m, 10);
    assert!(m.save(&mut s, NOW).unwrap().is_some());
}
