//! Prints the `h1:` of a module zip and of an extracted module tree, with the time each took:
//! `cargo run --release -p gomod --example h1 -- MODULE.zip DIR PREFIX` (used by
//! `bench/h1_vs_xmod.sh` to compare with x/mod's dirhash on the same inputs).

use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, zip, dir, prefix] = args.as_slice() else {
        return Err("usage: h1 MODULE.zip DIR PREFIX".into());
    };
    let t = Instant::now();
    let mut f = std::io::BufReader::new(std::fs::File::open(zip)?);
    let h = gomod::dirhash::hash_zip(&mut f)?;
    println!("gomod hash_zip {h} {:?}", t.elapsed());
    let t = Instant::now();
    let h = gomod::dirhash::hash_dir(std::path::Path::new(dir), prefix)?;
    println!("gomod hash_dir {h} {:?}", t.elapsed());
    Ok(())
}
