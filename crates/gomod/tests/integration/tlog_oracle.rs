//! Differential tests of `gomod::tlog` against golang.org/x/mod/sumdb/tlog
//! (oracle command `tlog`, tools/xmod-oracle/tlog.go). Each test sends one
//! batch of queries and requires every answer to be identical.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use gomod::tlog::{self, Hash, Tile, TileHashReader, TileReader, TlogError, Tree};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sha2::{Digest, Sha256};
use testkit::oracle::{Batch, field};

/// Record `i` of the log with `seed`: the first `d[0] % 33` bytes of
/// `d = SHA-256(le64(seed) ‖ le64(i))` (the oracle derives the same data).
fn record(seed: i64, i: i64) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update(seed.to_le_bytes());
    h.update(i.to_le_bytes());
    let d = h.finalize();
    d[..(d[0] % 33) as usize].to_vec()
}

fn build(seed: i64, n: i64) -> Vec<Hash> {
    let mut hashes = Vec::new();
    for i in 0..n {
        let hs = tlog::stored_hashes(i, &record(seed, i), &hashes).unwrap();
        hashes.extend(hs);
    }
    hashes
}

fn hash_list(r: &Result<Vec<Hash>, TlogError>) -> String {
    match r {
        Ok(p) => std::iter::once("ok".to_owned())
            .chain(p.iter().map(Hash::to_string))
            .collect::<Vec<_>>()
            .join(" "),
        Err(e) => format!("err {e}"),
    }
}

fn ok_err(r: Result<(), TlogError>) -> String {
    match r {
        Ok(()) => "ok".into(),
        Err(e) => format!("err {e}"),
    }
}

fn proof_arg(p: &[Hash]) -> String {
    if p.is_empty() {
        "-".into()
    } else {
        p.iter().map(Hash::to_string).collect::<Vec<_>>().join(",")
    }
}

fn mutate_proof(rng: &mut StdRng, p: &[Hash], extra: Hash) -> Vec<Hash> {
    let mut q = p.to_vec();
    match rng.random_range(0..4) {
        0 if !q.is_empty() => {
            let i = rng.random_range(0..q.len());
            q[i].0[rng.random_range(0..32)] ^= 1 << rng.random_range(0..8);
        }
        1 if !q.is_empty() => {
            q.remove(rng.random_range(0..q.len()));
        }
        2 => q.insert(rng.random_range(0..=q.len()), extra),
        _ => q.reverse(),
    }
    q
}

#[test]
fn index_arithmetic_matches_xmod() {
    let mut rng = StdRng::seed_from_u64(1);
    let mut b = Batch::new("tlog");
    let mut ns: Vec<i64> = (0..300).collect();
    ns.extend((0..700).map(|_| {
        let bits = rng.random_range(1..62);
        rng.random_range(0..1i64 << bits)
    }));
    ns.extend([i64::MAX / 4, (1 << 40) - 1, 1 << 40]);
    for &n in &ns {
        let level = rng.random_range(0..40u32);
        b.ask(
            format!("index {level} {n}"),
            tlog::stored_hash_index(level, n).to_string(),
        );
        let (l, m) = tlog::split_stored_hash_index(n).unwrap();
        b.ask(format!("split {n}"), format!("{l} {m}"));
        b.ask(format!("count {n}"), tlog::stored_hash_count(n).to_string());
    }
    let count = b.check();
    println!("tlog index arithmetic: {count} answers agree with x/mod");
}

#[test]
fn tree_hashes_and_proofs_match_xmod() {
    let mut rng = StdRng::seed_from_u64(2);
    let mut b = Batch::new("tlog");
    let mut sizes = vec![1i64, 2, 3, 7, 8, 13, 100_000];
    sizes.extend((0..4).map(|_| rng.random_range(1..20_000)));
    let mut per_kind = [0usize; 6];
    for (k, &n) in sizes.iter().enumerate() {
        let seed = 1000 + k as i64;
        let hashes = build(seed, n);
        b.ask(format!("tree {seed} {n}"), format!("ok {}", hashes.len()));
        let roots: Vec<Hash> = (0..=n.min(64))
            .map(|m| tlog::tree_hash(m, &hashes).unwrap())
            .collect();
        let pick = |rng: &mut StdRng| rng.random_range(1..=n);
        for _ in 0..150 {
            let t = pick(&mut rng);
            let th = tlog::tree_hash(t, &hashes).unwrap();
            b.ask(format!("treehash {t}"), th.to_string());
            per_kind[0] += 1;

            // Records: mostly valid, some out of range.
            let r = rng.random_range(-2..t + 2);
            let p = tlog::prove_record(t, r, &hashes);
            b.ask(format!("proverecord {t} {r}"), hash_list(&p));
            per_kind[1] += 1;
            if let Ok(p) = p {
                let leaf = tlog::record_hash(&record(seed, r));
                b.ask(
                    format!("checkrecord {t} {r} {th} {leaf} {}", proof_arg(&p)),
                    ok_err(tlog::check_record(&p, t, th, r, leaf)),
                );
                let q = mutate_proof(&mut rng, &p, leaf);
                b.ask(
                    format!("checkrecord {t} {r} {th} {leaf} {}", proof_arg(&q)),
                    ok_err(tlog::check_record(&q, t, th, r, leaf)),
                );
                let r2 = rng.random_range(0..t);
                b.ask(
                    format!("checkrecord {t} {r2} {th} {leaf} {}", proof_arg(&p)),
                    ok_err(tlog::check_record(&p, t, th, r2, leaf)),
                );
                per_kind[2] += 3;
            }

            // Trees: mostly valid, some out of range.
            let o = rng.random_range(-1..t + 2);
            let p = tlog::prove_tree(t, o, &hashes);
            b.ask(format!("provetree {t} {o}"), hash_list(&p));
            per_kind[3] += 1;
            if let Ok(p) = p {
                let oh = tlog::tree_hash(o, &hashes).unwrap();
                b.ask(
                    format!("checktree {t} {o} {th} {oh} {}", proof_arg(&p)),
                    ok_err(tlog::check_tree(&p, t, th, o, oh)),
                );
                let q = mutate_proof(&mut rng, &p, oh);
                b.ask(
                    format!("checktree {t} {o} {th} {oh} {}", proof_arg(&q)),
                    ok_err(tlog::check_tree(&q, t, th, o, oh)),
                );
                let other = roots[rng.random_range(0..roots.len())];
                b.ask(
                    format!("checktree {t} {o} {th} {other} {}", proof_arg(&p)),
                    ok_err(tlog::check_tree(&p, t, th, o, other)),
                );
                per_kind[4] += 3;
            }
        }
        // Invalid inputs to the checkers.
        let z = Hash::default();
        for (t, r) in [(0, 0), (-1, 0), (5, 5), (5, -1), (5, 6)] {
            b.ask(
                format!("checkrecord {t} {r} {z} {z} -"),
                ok_err(tlog::check_record(&[], t, z, r, z)),
            );
            b.ask(
                format!("checktree {t} {r} {z} {z} -"),
                ok_err(tlog::check_tree(&[], t, z, r, z)),
            );
            per_kind[5] += 2;
        }
    }
    assert!(b.tally("checkrecord", "err invalid transparency proof") > 500);
    assert!(b.tally("checktree", "err invalid transparency proof") > 500);
    assert!(b.tally("checkrecord", "ok") > 1000);
    assert!(b.tally("checktree", "ok") > 1000);
    let count = b.check();
    println!(
        "tlog trees {sizes:?}: {count} answers agree with x/mod \
         (tree hashes {}, ProveRecord {}, CheckRecord {}, ProveTree {}, CheckTree {}, invalid {})",
        per_kind[0], per_kind[1], per_kind[2], per_kind[3], per_kind[4], per_kind[5]
    );
}

/// Tiles computed from stored hashes, with `bad`'s first byte flipped.
struct Tiles<'a> {
    h: u32,
    hashes: &'a [Hash],
    bad: Option<String>,
    reads: std::cell::RefCell<Vec<String>>,
}

impl TileReader for Tiles<'_> {
    fn height(&self) -> u32 {
        self.h
    }
    fn read_tiles(&self, tiles: &[Tile]) -> Result<Vec<Vec<u8>>, TlogError> {
        tiles
            .iter()
            .map(|t| {
                self.reads.borrow_mut().push(t.path());
                let mut d = tlog::read_tile_data(t, self.hashes)?;
                if self.bad.as_deref() == Some(&t.path()) {
                    d[0] ^= 1;
                }
                Ok(d)
            })
            .collect()
    }
    fn save_tiles(&self, _: &[Tile], _: &[Vec<u8>]) {}
}

fn mutate_path(rng: &mut StdRng, p: &str) -> String {
    const ALPHABET: &[char] = &[
        '0',
        '1',
        '5',
        '9',
        'x',
        '/',
        '.',
        'p',
        '-',
        '+',
        'a',
        ' ',
        'é',
        '"',
        '\\',
        '\t',
        '\n',
        '\u{1}',
        '\u{7f}',
        '\u{85}',
        '\u{a0}',
        '\u{2028}',
        '\u{10ffff}',
        '😀',
        '\u{e000}',
        '\u{200b}',
        '\u{feff}',
        '\u{fdd0}',
        '\u{ad}',
        '\u{2060}',
        '\u{f0000}',
    ];
    let mut c: Vec<char> = p.chars().collect();
    for _ in 0..rng.random_range(1..3) {
        let i = rng.random_range(0..=c.len());
        match rng.random_range(0..3) {
            0 => c.insert(i, ALPHABET[rng.random_range(0..ALPHABET.len())]),
            1 if i < c.len() => {
                c.remove(i);
            }
            _ if i < c.len() => c[i] = ALPHABET[rng.random_range(0..ALPHABET.len())],
            _ => {}
        }
    }
    c.into_iter().collect()
}

#[test]
fn tiles_match_xmod() {
    let mut rng = StdRng::seed_from_u64(3);
    let mut b = Batch::new("tlog");
    let (seed, n) = (77i64, 100_000i64);
    let hashes = build(seed, n);
    b.ask(format!("tree {seed} {n}"), format!("ok {}", hashes.len()));
    let mut kinds = [0usize; 6];

    // NewTiles for random growth steps at several heights.
    for _ in 0..300 {
        let h = [1, 2, 3, 4, 5, 8, 8, 8, 10, 16, 30][rng.random_range(0..11)];
        let new = rng.random_range(0..=n);
        let old = if rng.random_bool(0.3) {
            0
        } else {
            rng.random_range(0..=new)
        };
        let old = if h <= 2 {
            new - (new - old).min(5000)
        } else {
            old
        };
        let paths: Vec<String> = tlog::new_tiles(h, old, new)
            .unwrap()
            .iter()
            .map(Tile::path)
            .collect();
        b.ask(format!("newtiles {h} {old} {new}"), paths.join(" "));
        kinds[0] += 1;
    }

    // TileForIndex, and the tile data those tiles hold.
    let stored = hashes.len() as i64;
    for _ in 0..1000 {
        let h = rng.random_range(1..=12u32);
        let index = rng.random_range(0..stored);
        let t = tlog::tile_for_index(h, index).unwrap();
        b.ask(format!("tileforindex {h} {index}"), t.path());
        kinds[1] += 1;
    }
    for h in [1u32, 2, 4, 8] {
        let tiles = tlog::new_tiles(h, 0, n).unwrap();
        for _ in 0..60 {
            let t = tiles[rng.random_range(0..tiles.len())];
            let d = tlog::read_tile_data(&t, &hashes).unwrap();
            let digest = hex::encode(Sha256::digest(&d));
            b.ask(
                format!("readtile {}", field(t.path())),
                format!("{} {digest}", d.len()),
            );
            kinds[2] += 1;
        }
    }

    // ParseTilePath on canonical paths and mutations of them.
    let all8 = tlog::new_tiles(8, 0, n).unwrap();
    let mut paths: Vec<String> = all8.iter().map(Tile::path).collect();
    paths.extend(
        [
            "tile/3/5/x123/x456/078.p/2",
            "tile/1/data/x003/x057/500",
            "tile/30/63/x999/999",
            "tile/8/data/000",
        ]
        .map(String::from),
    );
    for _ in 0..2000 {
        let base = &paths[rng.random_range(0..paths.len())];
        let p = if rng.random_bool(0.2) {
            base.clone()
        } else {
            mutate_path(&mut rng, base)
        };
        let want = match tlog::parse_tile_path(&p) {
            Ok(t) => format!("{} {} {} {}", t.h, t.l, t.n, t.w),
            Err(e) => format!("err {e}"),
        };
        b.ask(format!("parsetile {}", field(&p)), want);
        kinds[3] += 1;
    }

    // Authenticated reads through tiles, honest and with one bad tile.
    for _ in 0..150 {
        let h = [1u32, 2, 3, 8][rng.random_range(0..4)];
        let size = rng.random_range(1..=n);
        let tree = Tree {
            n: size,
            hash: tlog::tree_hash(size, &hashes).unwrap(),
        };
        let limit = tlog::stored_hash_index(0, size);
        let idx: Vec<i64> = (0..rng.random_range(0..4))
            .map(|_| {
                if rng.random_bool(0.9) {
                    rng.random_range(0..limit)
                } else {
                    limit + rng.random_range(0..3)
                }
            })
            .collect();
        // Corrupt one of the tiles an honest read uses, half of the time.
        let honest = Tiles {
            h,
            hashes: &hashes,
            bad: None,
            reads: Default::default(),
        };
        let _ = tlog::HashReader::read_hashes(&TileHashReader::new(tree, &honest), &idx);
        let used = honest.reads.into_inner();
        let bad = (rng.random_bool(0.5) && !used.is_empty())
            .then(|| used[rng.random_range(0..used.len())].clone());
        let reader = Tiles {
            h,
            hashes: &hashes,
            bad: bad.clone(),
            reads: Default::default(),
        };
        let got = tlog::HashReader::read_hashes(&TileHashReader::new(tree, &reader), &idx);
        let bad_arg = bad.map_or("-".to_owned(), field);
        let idx_arg: Vec<String> = idx.iter().map(i64::to_string).collect();
        b.ask(
            format!("tilehash {h} {size} {bad_arg} {}", idx_arg.join(" ")),
            hash_list(&got),
        );
        kinds[4] += 1;
    }
    // The mutations must exercise both outcomes.
    assert!(b.tally("parsetile", "err") > 500 && b.tally("parsetile", "8 ") > 300);
    assert!(b.tally("tilehash", "err downloaded inconsistent tile") > 10);
    assert!(b.tally("tilehash", "err indexes not in tree") > 3);
    assert!(b.tally("tilehash", "ok ") > 30);
    let count = b.check();
    println!(
        "tlog tiles (100000 records): {count} answers agree with x/mod \
         (NewTiles {}, TileForIndex {}, ReadTileData {}, ParseTilePath {}, TileHashReader {})",
        kinds[0], kinds[1], kinds[2], kinds[3], kinds[4]
    );
}

fn mutate_bytes(rng: &mut StdRng, s: &[u8]) -> Vec<u8> {
    const BYTES: &[u8] = b"\n\r\x01\xff0-+ =A/\xe2\x80\x94";
    let mut v = s.to_vec();
    for _ in 0..rng.random_range(1..4) {
        let i = rng.random_range(0..=v.len());
        match rng.random_range(0..3) {
            0 => v.insert(i, BYTES[rng.random_range(0..BYTES.len())]),
            1 if i < v.len() => {
                v.remove(i);
            }
            _ if i < v.len() => v[i] = BYTES[rng.random_range(0..BYTES.len())],
            _ => {}
        }
    }
    v
}

#[test]
fn tree_notes_and_records_match_xmod() {
    let mut rng = StdRng::seed_from_u64(4);
    let mut b = Batch::new("tlog");
    let mut kinds = [0usize; 3];
    for _ in 0..1500 {
        let shift = rng.random_range(0..62);
        let tree = Tree {
            n: rng.random_range(0..i64::MAX >> shift),
            hash: tlog::record_hash(&rng.random::<[u8; 8]>()),
        };
        let text = tlog::format_tree(&tree);
        let input = if rng.random_bool(0.2) {
            text
        } else {
            mutate_bytes(&mut rng, &text)
        };
        let want = match tlog::parse_tree(&input) {
            Ok(t) => format!("{} {}", t.n, t.hash),
            Err(e) => format!("err {e}"),
        };
        b.ask(format!("parsetree {}", field(&input)), want);
        kinds[0] += 1;
    }
    for _ in 0..1500 {
        let text = b"rsc.io/quote v1.5.2 h1:w5fcysjrx7yqtD/aO+QwRjYZOKnaM9Uh2b40tElTs3Y=\nrsc.io/quote v1.5.2/go.mod h1:x\n";
        let id = rng.random_range(-5..1_000_000i64);
        let mut msg = tlog::format_record(id, text).unwrap();
        msg.extend_from_slice(b"go.sum database tree\n");
        let input = if rng.random_bool(0.2) {
            msg
        } else {
            mutate_bytes(&mut rng, &msg)
        };
        let want = match tlog::parse_record(&input) {
            Ok((id, text, rest)) => format!("{id} {} {}", B64.encode(text), B64.encode(rest)),
            Err(e) => format!("err {e}"),
        };
        b.ask(format!("parserecord {}", field(&input)), want);
        let rec = mutate_bytes(&mut rng, text);
        let want = match tlog::format_record(id, &rec) {
            Ok(m) => B64.encode(m),
            Err(e) => format!("err {e}"),
        };
        b.ask(format!("formatrecord {id} {}", field(&rec)), want);
        kinds[1] += 1;
        kinds[2] += 1;
    }
    for q in ["parsetree", "parserecord", "formatrecord"] {
        assert!(b.tally(q, "err") > 100, "{q}");
        assert!(b.tally(q, "err") < 1400, "{q}");
    }
    let count = b.check();
    println!(
        "tlog notes: {count} answers agree with x/mod (ParseTree {}, ParseRecord {}, FormatRecord {})",
        kinds[0], kinds[1], kinds[2]
    );
}

/// Tiles authenticated once against a tree head are reused by later reads of the same head
/// (no tile is read twice), a forged tile never enters the set, and another head starts over.
#[test]
fn verified_tiles_are_reused_only_for_their_tree() {
    let hashes = build(5, 20_000);
    let head = |n: i64| Tree {
        n,
        hash: tlog::tree_hash(n, &hashes).unwrap(),
    };
    let tiles = |bad: Option<String>| Tiles {
        h: 8,
        hashes: &hashes,
        bad,
        reads: Default::default(),
    };
    let (tree, verified) = (head(19_999), tlog::VerifiedTiles::new());
    let idx: Vec<i64> = [0, 77, 4_000, 19_998]
        .map(|i| tlog::stored_hash_index(0, i))
        .to_vec();
    let plain = tiles(None);
    let want = tlog::HashReader::read_hashes(&TileHashReader::new(tree, &plain), &idx).unwrap();

    // A forged tile on the first read fails it and leaves nothing behind.
    let forged = tiles(Some(plain.reads.borrow()[1].clone()));
    let got = tlog::HashReader::read_hashes(
        &TileHashReader::with_verified(tree, &forged, &verified),
        &idx,
    );
    assert!(matches!(got, Err(TlogError::InconsistentTile)), "{got:?}");

    let first = tiles(None);
    let got = tlog::HashReader::read_hashes(
        &TileHashReader::with_verified(tree, &first, &verified),
        &idx,
    );
    assert_eq!(got.unwrap(), want);
    assert_eq!(*first.reads.borrow(), *plain.reads.borrow());

    // Same head again: every tile comes from the set; the answer is unchanged.
    let again = tiles(None);
    let got = tlog::HashReader::read_hashes(
        &TileHashReader::with_verified(tree, &again, &verified),
        &idx,
    );
    assert_eq!(got.unwrap(), want);
    assert!(
        again.reads.borrow().is_empty(),
        "{:?}",
        again.reads.borrow()
    );

    // A new index needs only its own tiles; a forged one of those is still caught.
    let more = [tlog::stored_hash_index(0, 9_000)];
    let only_new = tiles(None);
    tlog::HashReader::read_hashes(
        &TileHashReader::with_verified(tree, &only_new, &verified),
        &more,
    )
    .unwrap();
    let new_reads = only_new.reads.borrow().clone();
    assert!(!new_reads.is_empty() && new_reads.len() < plain.reads.borrow().len());
    let forged_new = tiles(Some(new_reads[0].clone()));
    let set_for_forgery = tlog::VerifiedTiles::new();
    tlog::HashReader::read_hashes(
        &TileHashReader::with_verified(tree, &tiles(None), &set_for_forgery),
        &idx,
    )
    .unwrap();
    let got = tlog::HashReader::read_hashes(
        &TileHashReader::with_verified(tree, &forged_new, &set_for_forgery),
        &more,
    );
    assert!(matches!(got, Err(TlogError::InconsistentTile)), "{got:?}");

    // Another head: the set is not trusted for it, so its tiles are read and checked anew.
    let newer = head(20_000);
    let fresh = tiles(None);
    let got = tlog::HashReader::read_hashes(
        &TileHashReader::with_verified(newer, &fresh, &verified),
        &idx,
    );
    let want_newer =
        tlog::HashReader::read_hashes(&TileHashReader::new(newer, &tiles(None)), &idx).unwrap();
    assert_eq!(got.unwrap(), want_newer);
    assert!(!fresh.reads.borrow().is_empty());
}
