//! `gotrust verify` throughput, in process (the side-by-side comparisons with `go mod verify`
//! and gosumcheck are `bench/verify_cache.sh` and `bench/verify_sums.sh`).
//!
//! * `verify_cache`: a synthetic module cache of 16 modules x 4 MiB (zip, `.ziphash`, `.mod`
//!   and the extracted tree, laid out as go writes them), verified offline: the one-pass
//!   zip-and-tree check, beside SHA-256 of the same uncompressed bytes.
//! * `verify_sums`: a go.sum of 1,000 lines against the lab's checksum database on loopback,
//!   cold (empty caches: every lookup and tile fetched and proven) and warm (the record pack
//!   and tiles of a previous run, re-proven).

use std::fs;
use std::hint::black_box;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use gomod::{dirhash, module, modzip};
use gotrust::net::goproxy::SumdbBase;
use gotrust::net::sumdb::{BaseSource, SumdbClient, SumdbConfig};
use gotrust::net::{HttpClient, HttpConfig};
use gotrust::verify::cache::{CacheOptions, NoProgress, verify_cache};
use gotrust::verify::sums::{Database, DatabaseAccess, GoSumInput, SumsOptions, verify_sums};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sha2::{Digest, Sha256};

const MODULES: usize = 16;
const FILES: usize = 16;
const FILE_BYTES: usize = 256 << 10;

/// Writes a module cache as `go mod download` leaves it; returns the bytes of module content.
fn build_cache(root: &Path) -> u64 {
    let mut rng = StdRng::seed_from_u64(7);
    let mut total = 0u64;
    for m in 0..MODULES {
        let path = format!("bench.example/m{m:02}");
        let version = "v1.0.0";
        let gomod = format!("module {path}\n");
        let mut files: Vec<(String, Vec<u8>)> = vec![("go.mod".into(), gomod.clone().into_bytes())];
        for f in 0..FILES {
            let mut data = vec![0u8; FILE_BYTES];
            rng.fill(&mut data[..]);
            // Half text-like (compresses as Go source does), half random.
            if f % 2 == 0 {
                for b in &mut data {
                    *b = b"package m // source text\n"[(*b % 25) as usize];
                }
            }
            files.push((format!("pkg{}/f{f}.go", f % 3), data));
        }
        total += files.iter().map(|(_, d)| d.len() as u64).sum::<u64>();
        let vdir = root
            .join("cache/download")
            .join(module::escape_path(&path).unwrap())
            .join("@v");
        fs::create_dir_all(&vdir).unwrap();
        let sources: Vec<modzip::SourceFile> = files
            .iter()
            .map(|(n, d)| modzip::SourceFile::bytes(n.as_str(), d))
            .collect();
        let zip_path = vdir.join(format!("{version}.zip"));
        modzip::create(
            fs::File::create(&zip_path).unwrap(),
            &path,
            version,
            &sources,
        )
        .unwrap();
        let h1 = dirhash::hash_zip(&mut fs::File::open(&zip_path).unwrap()).unwrap();
        fs::write(vdir.join(format!("{version}.ziphash")), &h1).unwrap();
        fs::write(vdir.join(format!("{version}.mod")), &gomod).unwrap();
        let tree = root.join(format!("{}@{version}", module::escape_path(&path).unwrap()));
        for (n, d) in &files {
            let p = tree.join(n);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(&p, d).unwrap();
        }
    }
    total
}

fn sha256_files(root: &Path) -> [u8; 32] {
    let mut h = Sha256::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                if !p.ends_with("cache") {
                    stack.push(p);
                }
            } else {
                h.update(fs::read(&p).unwrap());
            }
        }
    }
    h.finalize().into()
}

fn bench_cache(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let bytes = build_cache(dir.path());
    let mut g = c.benchmark_group("verify_cache");
    g.sample_size(10);
    // Bytes covered: every zip's content and every tree (what `go mod verify` hashes).
    g.throughput(Throughput::Bytes(2 * bytes));
    g.bench_function("offline, 16 modules x 4 MiB", |b| {
        b.iter(|| {
            let r = verify_cache(&CacheOptions::new(dir.path()), &NoProgress).unwrap();
            assert!(!r.failed());
            black_box(r)
        })
    });
    g.throughput(Throughput::Bytes(bytes));
    g.bench_function("raw SHA-256 of the extracted trees", |b| {
        b.iter(|| black_box(sha256_files(dir.path())))
    });
    g.finish();
}

fn write_modules(dir: &Path, n: usize) {
    for i in 0..n {
        fs::write(
            dir.join(format!("bench.example_m{i}_v1.0.0.txt")),
            format!(
                "-- .mod --\nmodule bench.example/m{i}\n-- go.mod --\nmodule bench.example/m{i}\n-- m.go --\npackage m\n"
            ),
        )
        .unwrap();
    }
}

fn bench_sums(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (mods, state) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    write_modules(mods.path(), 500);
    let lab = rt.block_on(async {
        gotrust_lab::Lab::builder()
            .modules_dir(mods.path())
            .state_dir(state.path())
            .start()
            .await
            .unwrap()
    });
    let sum: String = lab
        .modules()
        .iter()
        .map(|(p, v)| lab.go_sum_lines(p, v).unwrap())
        .collect();
    let input = [GoSumInput {
        path: "go.sum".into(),
        data: sum.into_bytes(),
    }];
    let lines = input[0].data.iter().filter(|&&b| b == b'\n').count();
    let http = Arc::new(
        HttpClient::new(HttpConfig {
            read_timeout: Duration::from_secs(10),
            ..HttpConfig::default()
        })
        .unwrap(),
    );
    let base = SumdbBase(url::Url::parse(&lab.sumdb_url()).unwrap());
    let run = |cache: &Path| {
        rt.block_on(async {
            let client = SumdbClient::new(
                http.clone(),
                SumdbConfig {
                    key: lab.verifier_key().to_string(),
                    base: base.clone(),
                    state_dir: cache.join(lab.sumdb_name()),
                    go_latest: None,
                    go_cache: None,
                    private: None,
                },
            )
            .await
            .unwrap();
            let db = DatabaseAccess::On(Arc::new(Database::new(
                http.clone(),
                client,
                base.clone(),
                BaseSource::Explicit,
                "",
            )));
            let r = verify_sums(&input, &db, &SumsOptions::default()).await;
            assert!(!r.failed() && !r.incomplete());
            r
        })
    };
    let mut g = c.benchmark_group("verify_sums");
    g.sample_size(10);
    g.throughput(Throughput::Elements(lines as u64));
    g.bench_function(format!("cold, {lines} lines"), |b| {
        b.iter(|| {
            let cache = tempfile::tempdir().unwrap();
            black_box(run(cache.path()))
        })
    });
    let warm = tempfile::tempdir().unwrap();
    run(warm.path());
    g.bench_function(format!("warm, {lines} lines"), |b| {
        b.iter(|| black_box(run(warm.path())))
    });
    g.finish();
    rt.block_on(lab.shutdown());
}

criterion_group!(benches, bench_cache, bench_sums);
criterion_main!(benches);
