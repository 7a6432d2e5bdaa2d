//! Vectors from x/mod's sumdb/tlog tests (tlog_test.go, tile_test.go, note_test.go) plus
//! values computed with x/mod.

use std::cell::RefCell;
use std::collections::HashMap;

use super::*;

fn h(s: &str) -> Hash {
    s.parse().unwrap()
}

fn hx(s: &str) -> Hash {
    Hash(hex::decode(s).unwrap().try_into().unwrap())
}

#[test]
fn hash_primitives() {
    let cases = [
        (
            b"".as_slice(),
            "bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=",
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        ),
        (
            b"hello world",
            "TszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=",
            "4eccf34608d31bac5c7becf6006df59005d828181056d092084e341e6bb005bd",
        ),
        (
            b"a",
            "Aippeebat6pa5MPl5F9+l3ESp+Y1k4INvsHsc4ok+Tw=",
            "022a6979e6dab7aa5ae4c3e5e45f7e977112a7e63593820dbec1ec738a24f93c",
        ),
        (
            b"b",
            "V+s1YV1H807HFMrN9f10YIpejhAnJOgLJLKHwMJ7ajE=",
            "57eb35615d47f34ec714cacdf5fd74608a5e8e102724e80b24b287c0c27b6a31",
        ),
    ];
    for (data, b64, hexs) in cases {
        assert_eq!(record_hash(data).to_string(), b64);
        assert_eq!(record_hash(data), hx(hexs));
    }
    let ab = node_hash(record_hash(b"a"), record_hash(b"b"));
    assert_eq!(
        ab.to_string(),
        "sTeYX/SE+2ANuTEHx3sDZcgNePW0Kd7Q/Zc2HQd5mes="
    );
    assert_eq!(
        ab,
        hx("b137985ff484fb600db93107c77b0365c80d78f5b429ded0fd97361d077999eb")
    );
    assert_eq!(
        EMPTY_TREE_HASH.to_string(),
        "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
    );
    assert_eq!(tree_hash(0, &Vec::<Hash>::new()).unwrap(), EMPTY_TREE_HASH);
    assert!(parse_hash("AAAA").is_err());
    assert!(parse_hash("TszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0").is_err());
}

#[test]
fn tree_notes() {
    let tree = Tree {
        n: 123456789012,
        hash: record_hash(b"hello world"),
    };
    let text = format_tree(&tree);
    assert_eq!(
        text,
        b"go.sum database tree\n123456789012\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n"
    );
    assert_eq!(parse_tree(&text).unwrap(), tree);
    for suffix in ["JOE".to_owned(), "JOE\n".to_owned(), "JOE\n".repeat(1000)] {
        let mut t = text.clone();
        t.extend_from_slice(suffix.as_bytes());
        assert_eq!(parse_tree(&t).unwrap(), tree);
    }
    let mut not = b"not-".to_vec();
    not.extend_from_slice(&text);
    assert!(parse_tree(&not).is_err());
    let hexn = b"go.sum database tree\n0xabcdef\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n";
    assert!(parse_tree(hexn).is_err());
    let big =
        b"go.sum database tree\n123456789012\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBTOOBIG=\n";
    assert!(matches!(parse_tree(big), Err(TlogError::MalformedTree)));
    for n in ["+1", "-1", "01", "", " 1", "9223372036854775808"] {
        let t =
            format!("go.sum database tree\n{n}\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n");
        assert!(parse_tree(t.as_bytes()).is_err(), "{n}");
    }
    let mut long = text.clone();
    long.resize(MAX_TREE_TEXT + 1, b'x');
    assert!(parse_tree(&long).is_err());
}

#[test]
fn records() {
    assert_eq!(
        format_record(123456789012, b"hello, world\n").unwrap(),
        b"123456789012\nhello, world\n\n"
    );
    for bad in [
        &b""[..],
        b"hello\nworld",
        b"hello\n\nworld\n",
        b"hello\x01world\n",
    ] {
        assert!(matches!(
            format_record(1, bad),
            Err(TlogError::MalformedRecord)
        ));
    }
    let (id, text, rest) =
        parse_record(b"123456789012\nhello, world\n\njunk on end\x01\xff").unwrap();
    assert_eq!(
        (id, text, rest),
        (
            123456789012,
            &b"hello, world\n"[..],
            &b"junk on end\x01\xff"[..]
        )
    );
    for bad in [
        &b"not-123456789012\nhello, world\n\njunk on end\x01\xff"[..],
        b"123\nhello\x01world\n\n",
        b"123\nhello\xffworld\n\n",
        b"123\nhello world\n",
        b"0x123\nhello world\n\n",
    ] {
        assert!(parse_record(bad).is_err(), "{bad:?}");
    }
    assert_eq!(
        format_record(
            5,
            b"rsc.io/quote v1.5.2 h1:w5fcysjrx7yqtD/aO+QwRjYZOKnaM9Uh2b40tElTs3Y=\n"
        )
        .unwrap(),
        b"5\nrsc.io/quote v1.5.2 h1:w5fcysjrx7yqtD/aO+QwRjYZOKnaM9Uh2b40tElTs3Y=\n\n"
    );
}

#[test]
fn stored_hash_index_table() {
    let table: [[i64; 8]; 4] = [
        [0, 1, 3, 4, 7, 8, 10, 11],
        [2, 5, 9, 12, 17, 20, 24, 27],
        [6, 13, 21, 28, 37, 44, 52, 59],
        [14, 29, 45, 60, 77, 92, 108, 123],
    ];
    for (level, row) in table.iter().enumerate() {
        for (n, &want) in row.iter().enumerate() {
            assert_eq!(stored_hash_index(level as u32, n as i64), want);
            assert_eq!(
                split_stored_hash_index(want).unwrap(),
                (level as u32, n as i64)
            );
        }
    }
    for index in 0..10_000 {
        let (level, n) = split_stored_hash_index(index).unwrap();
        assert_eq!(stored_hash_index(level, n), index);
    }
    assert!(split_stored_hash_index(-1).is_err());
    for (n, want) in [
        (0, 0),
        (1, 1),
        (2, 3),
        (3, 4),
        (4, 7),
        (5, 8),
        (7, 11),
        (8, 15),
        (13, 23),
        (100, 197),
        (1000, 1994),
    ] {
        assert_eq!(stored_hash_count(n), want, "{n}");
    }
    // No panics at the extremes.
    let _ = stored_hash_index(u32::MAX, i64::MAX);
    let _ = split_stored_hash_index(i64::MAX).unwrap();
    let _ = stored_hash_count(i64::MAX);
}

const LEAF_HASHES: [&str; 13] = [
    "G7l9zCFjXUfiZj79/QoXRobZjdcBNS3SzQbotD/T0wU=",
    "y1o86GLD4yHz999tJpBUnpNqjjdxNarp89afaR9UfVs=",
    "qze6NNHf4pAV3nF6bVdkqPsCnDp6D1tkuTtUNRiFv3w=",
    "WL0UluFoSqySAcLmh+565PUclqiw2B7zWDYouT0800U=",
    "gxFfiUeVX6/cKifn9MCFS72Nonuxs+NAXbVxya+Nvho=",
    "la3xW37122c4aouvvv7k0UVmKvpFB0DhhoVT6DSO06A=",
    "+3+GnOi3tR/fcZ/IwhpHNsmMwWCoJWBqgfeKf00iYdk=",
    "S0cR0FayJ4OSwjH9QYWK3qjKiTrQxwSPV9omggAoRf4=",
    "81AdXyQVFSUhdkvHLa+dwfmmZcDfzHnFYyTBI8+sX94=",
    "cLndJyEavHwrGc70xt0TTvMEZm07tylJR9VhvEtt0bY=",
    "rgMwEvvY6lhE9d2tuVClPAty+jXyleJVd9MjqGd5OoI=",
    "S70FzGeN06ZgmX8N8xU1u9IG4b7sn/jTVd2aTt0w3rw=",
    "CVpOddUYLGuKCdkhJy6v7wlByAHUVCde2dc5jkTDNT4=",
];
const TREE_HASHES: [&str; 13] = [
    "G7l9zCFjXUfiZj79/QoXRobZjdcBNS3SzQbotD/T0wU=",
    "/F9riP+FVPdbsvnm85wxsZNtRLaSdu33sSBalVuXYeM=",
    "1Pksj7uJcg6ztVZ3x9fvrd/rENEaGoSguo8aIzN/qpU=",
    "T2MQhKFXxU9U/Psj/164ZQxLoWDClbsTqYMrEJ1SZ34=",
    "NBUVmC1lDiNSDb1U1/zwr6G3DMOhakEdRk3JwayWwwE=",
    "g2PDghzkHrtGIiEWpCzIPbp1OYSyPPyiaqrQpoZzNuo=",
    "WmH8K1T5z6cXdPJDIUPdQMbLKxGUf69lp9PaXLZRmcg=",
    "xcLIIO00L92ozolra5z1uMAKIcxLIHFMxuXTwFw1JAs=",
    "dEfK3Ghisw3tyyjEsymQk2azvTOPapD++tzEsqiiuUg=",
    "ct4a9vGtKFse8PlpyZ48AOPDLDfzo8JgUgmR0mPSX30=",
    "tubAHcNe8yoG1ShcXR8u5hcSynqvU9EI/ULCvRwUFgc=",
    "lX3TX93QjSnIRIF3UWVIaJbUdNs53IEpznV7Bo7LAus=",
    "z5tMKkSnyqci1dVI7mT/kKEZsMMaysNETcWDAAo508o=",
];
const STORED_COUNTS: [usize; 13] = [1, 2, 1, 3, 1, 2, 1, 4, 1, 2, 1, 3, 1];

/// The stored hashes of the 13-record tree with records `leaf <i>`.
fn tree13() -> Vec<Hash> {
    let mut stored = Vec::new();
    for i in 0..13 {
        let hashes = stored_hashes(i, format!("leaf {i}").as_bytes(), &stored).unwrap();
        assert_eq!(hashes.len(), STORED_COUNTS[i as usize], "record {i}");
        assert_eq!(hashes[0].to_string(), LEAF_HASHES[i as usize]);
        stored.extend(hashes);
        assert_eq!(stored.len() as i64, stored_hash_count(i + 1));
        assert_eq!(
            tree_hash(i + 1, &stored).unwrap().to_string(),
            TREE_HASHES[i as usize]
        );
    }
    stored
}

#[test]
fn thirteen_record_tree() {
    tree13();
}

fn flip_each(p: &[Hash], check: impl Fn(&[Hash]) -> Result<(), TlogError>) {
    for i in 0..p.len() {
        let mut q = p.to_vec();
        q[i].0[0] ^= 1;
        assert!(matches!(check(&q), Err(TlogError::ProofFailed)), "flip {i}");
    }
}

#[test]
fn proof_vectors() {
    let stored = tree13();
    let th = |n: usize| h(TREE_HASHES[n - 1]);
    let records: [(i64, i64, &[&str]); 4] = [
        (
            7,
            3,
            &[
                "qze6NNHf4pAV3nF6bVdkqPsCnDp6D1tkuTtUNRiFv3w=",
                "/F9riP+FVPdbsvnm85wxsZNtRLaSdu33sSBalVuXYeM=",
                "AVcbVXvHBnJlDUZ8e62DN+CafzVKcgUfI7Q6eCwPSOY=",
            ],
        ),
        (
            13,
            0,
            &[
                "y1o86GLD4yHz999tJpBUnpNqjjdxNarp89afaR9UfVs=",
                "T3SUBxyjgqXFBnzEEHepmf13IuBqJqqd53G+kz3BAh0=",
                "w+azuR86E7mkJwss2RFiOrs6eoVa9ebktxyE+ZDNxGk=",
                "FKIDRTceLPTWuzSt7CdKn5X8MPMVCNcEZaVvhotgGXU=",
            ],
        ),
        (
            13,
            12,
            &[
                "+uJvkiJatDI3LdWn1I20X3PLXKNr1gvx1VTA+B1uua4=",
                "xcLIIO00L92ozolra5z1uMAKIcxLIHFMxuXTwFw1JAs=",
            ],
        ),
        (
            13,
            6,
            &[
                "S0cR0FayJ4OSwjH9QYWK3qjKiTrQxwSPV9omggAoRf4=",
                "dauSgmjIb0TaXUJBGI7XHkqrLU131tUBF9rZSoQu3gM=",
                "T2MQhKFXxU9U/Psj/164ZQxLoWDClbsTqYMrEJ1SZ34=",
                "FKIDRTceLPTWuzSt7CdKn5X8MPMVCNcEZaVvhotgGXU=",
            ],
        ),
    ];
    for (t, n, want) in records {
        let p = prove_record(t, n, &stored).unwrap();
        assert_eq!(
            p.iter().map(Hash::to_string).collect::<Vec<_>>(),
            want,
            "ProveRecord({t}, {n})"
        );
        let leaf = h(LEAF_HASHES[n as usize]);
        check_record(&p, t, th(t as usize), n, leaf).unwrap();
        flip_each(&p, |q| check_record(q, t, th(t as usize), n, leaf));
    }
    let trees: [(i64, i64, &[&str]); 5] = [
        (
            7,
            3,
            &[
                "qze6NNHf4pAV3nF6bVdkqPsCnDp6D1tkuTtUNRiFv3w=",
                "WL0UluFoSqySAcLmh+565PUclqiw2B7zWDYouT0800U=",
                "/F9riP+FVPdbsvnm85wxsZNtRLaSdu33sSBalVuXYeM=",
                "AVcbVXvHBnJlDUZ8e62DN+CafzVKcgUfI7Q6eCwPSOY=",
            ],
        ),
        (
            13,
            4,
            &[
                "w+azuR86E7mkJwss2RFiOrs6eoVa9ebktxyE+ZDNxGk=",
                "FKIDRTceLPTWuzSt7CdKn5X8MPMVCNcEZaVvhotgGXU=",
            ],
        ),
        (
            13,
            7,
            &[
                "+3+GnOi3tR/fcZ/IwhpHNsmMwWCoJWBqgfeKf00iYdk=",
                "S0cR0FayJ4OSwjH9QYWK3qjKiTrQxwSPV9omggAoRf4=",
                "dauSgmjIb0TaXUJBGI7XHkqrLU131tUBF9rZSoQu3gM=",
                "T2MQhKFXxU9U/Psj/164ZQxLoWDClbsTqYMrEJ1SZ34=",
                "FKIDRTceLPTWuzSt7CdKn5X8MPMVCNcEZaVvhotgGXU=",
            ],
        ),
        (8, 8, &[]),
        (
            13,
            1,
            &[
                "y1o86GLD4yHz999tJpBUnpNqjjdxNarp89afaR9UfVs=",
                "T3SUBxyjgqXFBnzEEHepmf13IuBqJqqd53G+kz3BAh0=",
                "w+azuR86E7mkJwss2RFiOrs6eoVa9ebktxyE+ZDNxGk=",
                "FKIDRTceLPTWuzSt7CdKn5X8MPMVCNcEZaVvhotgGXU=",
            ],
        ),
    ];
    for (t, n, want) in trees {
        let p = prove_tree(t, n, &stored).unwrap();
        assert_eq!(
            p.iter().map(Hash::to_string).collect::<Vec<_>>(),
            want,
            "ProveTree({t}, {n})"
        );
        check_tree(&p, t, th(t as usize), n, th(n as usize)).unwrap();
        flip_each(&p, |q| check_tree(q, t, th(t as usize), n, th(n as usize)));
    }
    // Every pair on the 13-record tree proves and verifies.
    for t in 1..=13i64 {
        for n in 0..t {
            let p = prove_record(t, n, &stored).unwrap();
            check_record(&p, t, th(t as usize), n, h(LEAF_HASHES[n as usize])).unwrap();
            let p = prove_tree(t, n + 1, &stored).unwrap();
            check_tree(&p, t, th(t as usize), n + 1, th(n as usize + 1)).unwrap();
        }
    }
    let z = Hash::default();
    assert_eq!(
        check_record(&[], 3, z, 3, z).unwrap_err().to_string(),
        "tlog: invalid inputs in CheckRecord"
    );
    assert_eq!(
        check_tree(&[], 3, z, 0, z).unwrap_err().to_string(),
        "tlog: invalid inputs in CheckTree"
    );
    assert!(prove_record(3, -1, &stored).is_err());
    assert!(prove_tree(3, 4, &stored).is_err());
    // Hostile proofs of the wrong length fail cleanly.
    let long = vec![z; 100];
    assert!(check_record(&long, 13, th(13), 5, z).is_err());
    assert!(check_tree(&long, 13, th(13), 5, z).is_err());
    assert!(check_record(&long, i64::MAX, z, 5, z).is_err());
}

const TILES_H2: [(&str, &str); 5] = [
    (
        "tile/2/0/000",
        "1bb97dcc21635d47e2663efdfd0a174686d98dd701352dd2cd06e8b43fd3d305cb5a3ce862c3e321f3f7df6d2690549e936a8e377135aae9f3d69f691f547d5bab37ba34d1dfe29015de717a6d5764a8fb029c3a7a0f5b64b93b54351885bf7c58bd1496e1684aac9201c2e687ee7ae4f51c96a8b0d81ef3583628b93d3cd345",
    ),
    (
        "tile/2/0/001",
        "83115f8947955fafdc2a27e7f4c0854bbd8da27bb1b3e3405db571c9af8dbe1a95adf15b7ef5db67386a8bafbefee4d145662afa450740e1868553e8348ed3a0fb7f869ce8b7b51fdf719fc8c21a4736c98cc160a825606a81f78a7f4d2261d94b4711d056b2278392c231fd41858adea8ca893ad0c7048f57da2682002845fe",
    ),
    (
        "tile/2/0/002",
        "f3501d5f2415152521764bc72daf9dc1f9a665c0dfcc79c56324c123cfac5fde70b9dd27211abc7c2b19cef4c6dd134ef304666d3bb7294947d561bc4b6dd1b6ae033012fbd8ea5844f5ddadb950a53c0b72fa35f295e25577d323a867793a824bbd05cc678dd3a660997f0df31535bbd206e1beec9ff8d355dd9a4edd30debc",
    ),
    (
        "tile/2/0/003.p/1",
        "095a4e75d5182c6b8a09d921272eafef0941c801d454275ed9d7398e44c3353e",
    ),
    (
        "tile/2/1/000.p/3",
        "4f631084a157c54f54fcfb23ff5eb8650c4ba160c295bb13a9832b109d52677ec3e6b3b91f3a13b9a4270b2cd911623abb3a7a855af5e6e4b71c84f990cdc469fae26f92225ab432372dd5a7d48db45f73cb5ca36bd60bf1d554c0f81d6eb9ae",
    ),
];

#[test]
fn height_two_tiles_of_thirteen_records() {
    let stored = tree13();
    let tiles = new_tiles(2, 0, 13).unwrap();
    assert_eq!(
        tiles.iter().map(Tile::path).collect::<Vec<_>>(),
        TILES_H2.map(|t| t.0)
    );
    for (t, (_, want)) in tiles.iter().zip(TILES_H2) {
        assert_eq!(
            hex::encode(read_tile_data(t, &stored).unwrap()),
            want,
            "{t}"
        );
    }
    // The level-1 tile holds the tree hashes of leaves 0-3, 4-7, 8-11.
    let l1 = read_tile_data(&tiles[4], &stored).unwrap();
    assert_eq!(&l1[..32], &h(TREE_HASHES[3]).0);
    assert_eq!(&l1[32..64], &stored[stored_hash_index(2, 1) as usize].0);
    assert_eq!(&l1[64..96], &stored[stored_hash_index(2, 2) as usize].0);
}

#[test]
fn tile_path_vectors() {
    let good = [
        (
            "tile/4/0/001",
            Tile {
                h: 4,
                l: 0,
                n: 1,
                w: 16,
            },
        ),
        (
            "tile/4/0/001.p/5",
            Tile {
                h: 4,
                l: 0,
                n: 1,
                w: 5,
            },
        ),
        (
            "tile/3/5/x123/x456/078",
            Tile {
                h: 3,
                l: 5,
                n: 123456078,
                w: 8,
            },
        ),
        (
            "tile/3/5/x123/x456/078.p/2",
            Tile {
                h: 3,
                l: 5,
                n: 123456078,
                w: 2,
            },
        ),
        (
            "tile/1/0/x003/x057/500",
            Tile {
                h: 1,
                l: 0,
                n: 3057500,
                w: 2,
            },
        ),
        (
            "tile/1/data/x003/x057/500",
            Tile {
                h: 1,
                l: -1,
                n: 3057500,
                w: 2,
            },
        ),
        (
            "tile/8/0/000",
            Tile {
                h: 8,
                l: 0,
                n: 0,
                w: 256,
            },
        ),
        (
            "tile/8/0/x001/234.p/5",
            Tile {
                h: 8,
                l: 0,
                n: 1234,
                w: 5,
            },
        ),
        (
            "tile/8/1/x001/x234/067",
            Tile {
                h: 8,
                l: 1,
                n: 1234067,
                w: 256,
            },
        ),
        (
            "tile/8/2/999.p/17",
            Tile {
                h: 8,
                l: 2,
                n: 999,
                w: 17,
            },
        ),
        (
            "tile/8/3/x001/000",
            Tile {
                h: 8,
                l: 3,
                n: 1000,
                w: 256,
            },
        ),
        (
            "tile/8/data/012",
            Tile {
                h: 8,
                l: -1,
                n: 12,
                w: 256,
            },
        ),
        (
            "tile/8/data/012.p/3",
            Tile {
                h: 8,
                l: -1,
                n: 12,
                w: 3,
            },
        ),
        (
            "tile/3/4/x001/x234/067.p/1",
            Tile {
                h: 3,
                l: 4,
                n: 1234067,
                w: 1,
            },
        ),
    ];
    for (path, tile) in good {
        assert_eq!(tile.path(), path);
        assert_eq!(parse_tile_path(path).unwrap(), tile, "{path}");
    }
    for bad in [
        "tile/3/5/123/456/078",
        "tile/3/-1/123/456/078",
        "tile/8/0/000.p/256",
        "tile/8/0/000.p/0",
        "tile/31/0/000",
        "tile/0/0/000",
        "tile/+8/0/000",
        "tile/8/0/x000/001",
        "tile/8/0/1000",
        "tile/8/0",
        "tile/8/0/000.p",
        "tile/8/0/000.p/",
        "tile/8/0/x999/x999/x999/x999/x999/x999/x999/999",
        "tiles/8/0/000",
        "",
    ] {
        let e = parse_tile_path(bad).unwrap_err();
        assert!(matches!(e, TlogError::MalformedTilePath { .. }), "{bad}");
    }
}

#[test]
fn tile_for_index_vectors() {
    let cases = [
        (0, "tile/8/0/000.p/1"),
        (1, "tile/8/0/000.p/2"),
        (2, "tile/8/0/000.p/2"),
        (3, "tile/8/0/000.p/3"),
        (255, "tile/8/0/000.p/129"),
        (256, "tile/8/0/000.p/130"),
        (510, "tile/8/1/000.p/1"),
        (511, "tile/8/0/001.p/1"),
        (512, "tile/8/0/001.p/2"),
        (100000, "tile/8/0/195.p/84"),
    ];
    for (index, want) in cases {
        assert_eq!(tile_for_index(8, index).unwrap().path(), want, "{index}");
    }
    assert!(tile_for_index(0, 1).is_err());
    assert!(tile_for_index(31, 1).is_err());
    assert!(tile_for_index(8, -1).is_err());
}

#[test]
fn new_tiles_vectors() {
    for (old, new, count) in [
        (1, 1, 0),
        (100, 101, 1),
        (1023, 1025, 3),
        (1024, 1030, 1),
        (1030, 2000, 1),
        (1030, 10000, 10),
        (49516517, 49516586, 3),
    ] {
        assert_eq!(
            new_tiles(10, old, new).unwrap().len(),
            count,
            "{old}->{new}"
        );
    }
    let paths = |n| {
        new_tiles(8, 0, n)
            .unwrap()
            .iter()
            .map(Tile::path)
            .collect::<Vec<_>>()
    };
    assert_eq!(paths(1), ["tile/8/0/000.p/1"]);
    assert_eq!(paths(255), ["tile/8/0/000.p/255"]);
    assert_eq!(paths(256), ["tile/8/0/000", "tile/8/1/000.p/1"]);
    assert_eq!(
        paths(257),
        ["tile/8/0/000", "tile/8/0/001.p/1", "tile/8/1/000.p/1"]
    );
    for (n, count) in [(65536, 258), (65537, 259), (1000000, 3924)] {
        assert_eq!(new_tiles(8, 0, n).unwrap().len(), count, "{n}");
    }
    assert!(new_tiles(8, 5, 4).is_err());
    assert!(new_tiles(8, -1, 4).is_err());
    assert!(new_tiles(0, 0, 4).is_err());
}

/// Tiles served from a log's stored hashes, optionally corrupted.
struct Server<'a> {
    h: u32,
    stored: &'a [Hash],
    corrupt: Option<String>,
    saved: RefCell<HashMap<Tile, Vec<u8>>>,
    reads: RefCell<Vec<String>>,
}

impl TileReader for Server<'_> {
    fn height(&self) -> u32 {
        self.h
    }
    fn read_tiles(&self, tiles: &[Tile]) -> Result<Vec<Vec<u8>>, TlogError> {
        tiles
            .iter()
            .map(|t| {
                self.reads.borrow_mut().push(t.path());
                let mut d = read_tile_data(t, self.stored)?;
                if self.corrupt.as_deref() == Some(&t.path()) {
                    d[0] ^= 0x80;
                }
                Ok(d)
            })
            .collect()
    }
    fn save_tiles(&self, tiles: &[Tile], data: &[Vec<u8>]) {
        for (t, d) in tiles.iter().zip(data) {
            self.saved.borrow_mut().insert(*t, d.clone());
        }
    }
}

fn server<'a>(h: u32, stored: &'a [Hash], corrupt: Option<&str>) -> Server<'a> {
    Server {
        h,
        stored,
        corrupt: corrupt.map(str::to_owned),
        saved: RefCell::default(),
        reads: RefCell::default(),
    }
}

#[test]
fn tile_hash_reader_authenticates() {
    let stored = tree13();
    for height in 1..=4 {
        for n in 1..=13i64 {
            let tree = Tree {
                n,
                hash: h(TREE_HASHES[n as usize - 1]),
            };
            let srv = server(height, &stored, None);
            let thr = TileHashReader::new(tree, &srv);
            for m in 1..=n {
                assert_eq!(tree_hash(m, &thr).unwrap(), h(TREE_HASHES[m as usize - 1]));
            }
            for i in 0..n {
                let idx = stored_hash_index(0, i);
                assert_eq!(
                    thr.read_hashes(&[idx]).unwrap(),
                    vec![h(LEAF_HASHES[i as usize])]
                );
                let p = prove_record(n, i, &thr).unwrap();
                check_record(&p, n, tree.hash, i, h(LEAF_HASHES[i as usize])).unwrap();
            }
            assert!(matches!(
                thr.read_hashes(&[stored_hash_index(0, n)]),
                Err(TlogError::IndexesNotInTree)
            ));
            // Every tile read was saved after authentication.
            for path in srv.reads.borrow().iter() {
                assert!(
                    srv.saved
                        .borrow()
                        .contains_key(&parse_tile_path(path).unwrap())
                );
            }
        }
    }
}

#[test]
fn tile_hash_reader_rejects_corrupt_tiles() {
    let stored = tree13();
    let tree = Tree {
        n: 13,
        hash: h(TREE_HASHES[12]),
    };
    let mut detected = 0;
    for (path, _) in TILES_H2 {
        let srv = server(2, &stored, Some(path));
        let thr = TileHashReader::new(tree, &srv);
        // Reading every leaf touches every tile.
        let all: Vec<i64> = (0..13).map(|i| stored_hash_index(0, i)).collect();
        let e = thr.read_hashes(&all).unwrap_err();
        assert!(matches!(e, TlogError::InconsistentTile), "{path}: {e}");
        assert!(
            srv.saved.borrow().is_empty(),
            "nothing saved before authentication"
        );
        detected += 1;
    }
    assert_eq!(detected, 5);
    // A wrong root also fails, as does a tile of the wrong length.
    let srv = server(2, &stored, None);
    let bad = TileHashReader::new(
        Tree {
            n: 13,
            hash: Hash::default(),
        },
        &srv,
    );
    assert!(matches!(
        tree_hash(5, &bad),
        Err(TlogError::InconsistentTile)
    ));
    struct Short;
    impl TileReader for Short {
        fn height(&self) -> u32 {
            2
        }
        fn read_tiles(&self, tiles: &[Tile]) -> Result<Vec<Vec<u8>>, TlogError> {
            Ok(tiles.iter().map(|_| vec![0; 31]).collect())
        }
        fn save_tiles(&self, _: &[Tile], _: &[Vec<u8>]) {}
    }
    let short = TileHashReader::new(tree, &Short);
    assert!(matches!(
        tree_hash(5, &short),
        Err(TlogError::BadTileResult { .. })
    ));
    // Empty and absurd trees never panic.
    let empty = TileHashReader::new(
        Tree {
            n: 0,
            hash: EMPTY_TREE_HASH,
        },
        &Short,
    );
    assert!(empty.read_hashes(&[0]).is_err());
    let huge = TileHashReader::new(
        Tree {
            n: i64::MAX,
            hash: EMPTY_TREE_HASH,
        },
        &Short,
    );
    assert!(tree_hash(i64::MAX, &huge).is_err());
    assert!(tree_hash(5, &huge).is_err());
}

#[test]
fn hash_from_tile_checks() {
    let stored = tree13();
    let t = Tile {
        h: 2,
        l: 0,
        n: 0,
        w: 4,
    };
    let data = read_tile_data(&t, &stored).unwrap();
    assert_eq!(hash_from_tile(&t, &data, 2).unwrap(), stored[2]);
    assert!(matches!(
        hash_from_tile(&t, &data[..64], 2),
        Err(TlogError::ShortTileData { .. })
    ));
    assert!(matches!(
        hash_from_tile(&t, &data, 7),
        Err(TlogError::IndexNotInTile { .. })
    ));
    assert!(matches!(
        hash_from_tile(
            &Tile {
                h: 2,
                l: -1,
                n: 0,
                w: 4
            },
            &data,
            2
        ),
        Err(TlogError::InvalidTile { .. })
    ));
    assert!(matches!(
        hash_from_tile(
            &Tile {
                h: 2,
                l: 0,
                n: 0,
                w: 5
            },
            &data,
            2
        ),
        Err(TlogError::InvalidTile { .. })
    ));
}

#[test]
fn malformed_tile_path_quotes_like_go() {
    let e = parse_tile_path("tile/8/\"\\\t\u{1}\u{7f}\u{a0}é\u{10ffff}😀").unwrap_err();
    assert_eq!(
        e.to_string(),
        r#"malformed tile path "tile/8/\"\\\t\x01\x7f\u00a0é\U0010ffff😀""#
    );
}
