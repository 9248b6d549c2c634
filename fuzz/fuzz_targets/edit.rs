//! The scalar editor on any document: setting the scalar at a path either refuses or changes
//! exactly that scalar (every byte before and after it unchanged, the file still readable, the
//! tree equal but for that scalar, which reads back as the new value): `blast_fuzz::edit_check`,
//! shared with the proptest target in `benches/fuzz.rs`.
#![no_main]

use blast_fuzz::edit_check;
use libfuzzer_sys::fuzz_target;

/// New values for inputs that bring none: quotes, indicators, controls, YAML 1.1 breaks.
const TRICKY: &[&str] = &[
    "x",
    "",
    " ",
    "3",
    "on",
    "0644",
    "~",
    "a: b",
    "- x",
    "#c",
    "x #c",
    "'",
    "\"",
    "\\",
    "\t",
    "\n",
    "a\rb",
    "\u{0}",
    "\u{7}",
    "\u{1b}[0m",
    "\u{7f}",
    "\u{85}",
    "\u{2028}",
    "\u{feff}",
    "é",
    "{a}",
    "[a]",
    "*a",
    "&a",
    "!t",
    "|",
    ">",
    "%",
    "@",
    "`",
    "x:",
    ":x",
    "? x",
    "1:30",
];

// The input is `NEW \xff TEXT` (no 0xFF byte in UTF-8) or a bare TEXT (a seed file), whose
// new value is picked from TRICKY.
fuzz_target!(|data: &[u8]| {
    let (new, text) = match data.iter().position(|&b| b == 0xff) {
        Some(i) => (
            std::str::from_utf8(&data[..i]),
            std::str::from_utf8(&data[i + 1..]),
        ),
        None => (
            Ok(TRICKY[data.len() % TRICKY.len()]),
            std::str::from_utf8(data),
        ),
    };
    let (Ok(new), Ok(text)) = (new, text) else {
        return;
    };
    let pick = data.len().wrapping_mul(31) ^ data.first().copied().unwrap_or(0) as usize;
    if let Err(e) = edit_check::check(text, pick, new) {
        panic!("{e}");
    }
});
