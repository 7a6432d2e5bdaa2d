//! Tiny valid Go modules (go.mod, zip, h1 hashes) for tests that drive the real go command.
#![allow(dead_code)]

use std::io::Write;

use base64::Engine as _;
use sha2::{Digest, Sha256};

/// dirhash Hash1 (computed here so the test does not depend on gomod::dirhash): SHA-256 over "⟨sha256 hex⟩  ⟨name⟩\n" lines sorted by name.
pub fn h1(files: &[(&str, &[u8])]) -> String {
    let mut files = files.to_vec();
    files.sort_by(|a, b| a.0.cmp(b.0));
    let mut summary = String::new();
    for (name, data) in files {
        summary.push_str(&format!("{}  {name}\n", hex::encode(Sha256::digest(data))));
    }
    format!(
        "h1:{}",
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(summary.as_bytes()))
    )
}

pub struct Module {
    pub path: &'static str,
    pub gomod: Vec<u8>,
    pub zip: Vec<u8>,
    pub zip_h1: String,
    pub mod_h1: String,
}

pub fn module(path: &'static str) -> Module {
    let gomod = format!("module {path}\n\ngo 1.21\n").into_bytes();
    let src = b"package hello\n".to_vec();
    let prefix = format!("{path}@v1.0.0/");
    let mut zip = Vec::new();
    {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(&mut zip));
        let opts = zip::write::SimpleFileOptions::default();
        w.start_file(format!("{prefix}go.mod"), opts).unwrap();
        w.write_all(&gomod).unwrap();
        w.start_file(format!("{prefix}hello.go"), opts).unwrap();
        w.write_all(&src).unwrap();
        w.finish().unwrap();
    }
    let zip_h1 = h1(&[
        (&format!("{prefix}go.mod"), &gomod),
        (&format!("{prefix}hello.go"), &src),
    ]);
    let mod_h1 = h1(&[("go.mod", &gomod)]);
    Module {
        path,
        gomod,
        zip,
        zip_h1,
        mod_h1,
    }
}
