//! `h1:` throughput against the raw cost of the same bytes.
//!
//! One synthetic module of about 140 MiB (1,500 files of 64-128 KiB, half compressible text, half
//! random bytes) is hashed four ways: `hash_zip` and `check_and_hash_zip`
//! over its zip, compared with inflate + SHA-256 of every entry through the
//! `zip` crate and SHA-256 of the zip file's bytes; and `hash_dir` over the
//! extracted tree, compared with reading and SHA-256 of every file.

use std::fs;
use std::hint::black_box;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use gomod::{dirhash, modzip};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sha2::{Digest, Sha256};

const MOD: &str = "example.com/bench";
const VER: &str = "v1.0.0";

fn files() -> Vec<(String, Vec<u8>)> {
    let mut rng = StdRng::seed_from_u64(42);
    (0..1500)
        .map(|i| {
            let n = 64 * 1024 + rng.random_range(0..(1usize << 16));
            let mut data = vec![0u8; n];
            rng.fill(&mut data[..]);
            if i % 2 == 0 {
                for b in &mut data {
                    *b = b"package main // text\n"[(*b % 21) as usize];
                }
            }
            (format!("pkg{}/file{i}.go", i % 37), data)
        })
        .collect()
}

fn sha256_tree(dir: &Path, buf: &mut [u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p: PathBuf = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let mut f = fs::File::open(&p).unwrap();
                loop {
                    let n = f.read(buf).unwrap();
                    if n == 0 {
                        break;
                    }
                    h.update(&buf[..n]);
                }
            }
        }
    }
    h.finalize().into()
}

fn bench(c: &mut Criterion) {
    let files = files();
    let total: u64 = files.iter().map(|f| f.1.len() as u64).sum();
    let sources: Vec<_> = files
        .iter()
        .map(|(n, d)| modzip::SourceFile::bytes(n.as_bytes(), d))
        .collect();
    let mut zip = Vec::new();
    modzip::create(&mut zip, MOD, VER, &sources).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    for (n, d) in &files {
        let p = tmp.path().join(n);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, d).unwrap();
    }

    let mut g = c.benchmark_group("h1");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(total));
    g.bench_function("hash_zip", |b| {
        b.iter(|| dirhash::hash_zip(&mut Cursor::new(black_box(&zip))).unwrap())
    });
    g.bench_function("check_and_hash_zip", |b| {
        b.iter(|| modzip::check_and_hash_zip(&mut Cursor::new(black_box(&zip)), MOD, VER).unwrap())
    });
    g.bench_function("raw_inflate_sha256_zip", |b| {
        let mut buf = vec![0u8; 64 * 1024];
        b.iter(|| {
            let mut a = zip::ZipArchive::new(Cursor::new(black_box(&zip))).unwrap();
            let mut out = Vec::with_capacity(a.len());
            for i in 0..a.len() {
                let mut f = a.by_index(i).unwrap();
                let mut h = Sha256::new();
                loop {
                    let n = f.read(&mut buf).unwrap();
                    if n == 0 {
                        break;
                    }
                    h.update(&buf[..n]);
                }
                out.push(h.finalize());
            }
            out
        })
    });
    g.bench_function("raw_sha256_zip_bytes", |b| {
        b.iter(|| Sha256::digest(black_box(&zip)))
    });
    g.bench_function("hash_dir", |b| {
        b.iter(|| dirhash::hash_dir(black_box(tmp.path()), "example.com/bench@v1.0.0").unwrap())
    });
    g.bench_function("raw_read_sha256_tree", |b| {
        let mut buf = vec![0u8; 64 * 1024];
        b.iter(|| sha256_tree(black_box(tmp.path()), &mut buf))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
