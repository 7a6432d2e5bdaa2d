//! The `gotrust` binary: argument parsing, renderer choice, exit codes. No logic
//! a library user would want lives here.

fn main() {
    std::process::exit(2);
}
