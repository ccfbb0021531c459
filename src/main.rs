//! The `certcopy` binary: see `certcopy --help`.
#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    certcopy::cli::main()
}
