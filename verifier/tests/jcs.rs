//! The RFC 8785 (JCS) canonicalizer that signs version 2 proof attestations
//! (`serde_json_canonicalizer`, called on a `serde_json::Value` as veil calls it) against
//! RFC 8785's examples and the reference implementation's test data (`tests/data/jcs/`, see
//! its README for where each file comes from).

use std::path::PathBuf;

#[test]
fn jcs_matches_rfc_8785_vectors() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/jcs");
    let mut seen = 0;
    for entry in std::fs::read_dir(dir.join("input")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_owned();
        let input: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let expected = std::fs::read(dir.join("output").join(&name)).unwrap();
        let got = serde_json_canonicalizer::to_vec(&input).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&got),
            String::from_utf8_lossy(&expected),
            "{name:?}"
        );
        assert_eq!(got, expected, "{name:?}");
        seen += 1;
    }
    assert_eq!(seen, 8, "every vector file was read");
}
