//! A running `veil-access` on a loopback port with its keys, trusted keys and contents, and
//! a tier holder who can prove against it. Shared by the service tests and the load bench.
#![allow(dead_code)]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use veil_access::manifest::Manifest;
use veil_access::wire::ServiceInfo;
use veil_access::wrap::WrapMethod;
use veil_access_client::{AccessParams, Credential};
use veil_circuits::sample::tier_witness;
use veil_circuits::{Circuit, Tier};
use veil_prover::{Hasher, Prover, SecretKey};
use veil_verifier::attest::{RootInfo, Signature, SignedRoot, TrustedKeys};
use veil_verifier::Bytes32;

pub const DEPTH: u32 = 4;
pub const QUOTA: u32 = 10;
pub const MAX_ROOT_AGE: u64 = 600;
/// Long epochs, so that no test crosses a rotation by chance.
pub const EPOCH_SECONDS: u64 = 1_000_000_000;

pub struct Published {
    pub plain: Vec<u8>,
    pub encrypted: Vec<u8>,
    pub k_content: [u8; 32],
    pub manifest: Vec<u8>,
    pub signature: Signature,
    pub content_id: Bytes32,
}

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub logs: tempfile::TempDir,
    pub url: String,
    pub service: ServiceInfo,
    pub prover: Prover<Tier>,
    pub credential: Credential,
    pub issuer: SecretKey,
    pub creator: SecretKey,
    pub signed_root: SignedRoot,
    /// [0]: min tier 2, [1]: min tier 3 (the holder has tier 3), [2]: min tier 4.
    pub contents: Vec<Published>,
    child: Child,
}

fn write(path: &Path, bytes: &[u8]) {
    std::fs::write(path, bytes).unwrap();
}

pub fn now() -> u64 {
    veil_access::unix_now()
}

pub fn publish(creator: &SecretKey, plain: &[u8], min_tier: u32) -> Published {
    let k_content = veil_access::random_32().unwrap();
    let encrypted = veil_access::content::encrypt(&k_content, plain).unwrap();
    let content_id = veil_access::content::content_id(&encrypted);
    let manifest = Manifest::new(content_id, creator.key_id(), min_tier).to_bytes();
    let signature = creator.sign_file(&manifest).unwrap();
    Published {
        plain: plain.to_vec(),
        encrypted,
        k_content,
        manifest,
        signature,
        content_id,
    }
}

impl Fixture {
    pub fn start() -> Self {
        Self::start_with(&[])
    }

    /// Starts the service; `extra` flags are passed to `veil-access serve`.
    pub fn start_with(extra: &[&str]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let logs = tempfile::tempdir().unwrap();
        let d = dir.path();
        let circuit = Tier::new(DEPTH).unwrap();
        let (pk, vk) = veil_params::dev_keys(&circuit, "").unwrap();
        write(&d.join("tier.vk"), &vk.to_bytes());
        let prover = Prover::new(circuit, pk).unwrap();

        write(&d.join("ms.key"), &[0x5a; 32]);
        let creator = SecretKey::from_seed(&[0xc1; 32]);
        let issuer = SecretKey::from_seed(&[0x15; 32]);
        let mut creators = TrustedKeys::new();
        creators
            .add("creator", creator.public_key().clone())
            .unwrap();
        write(&d.join("creators.json"), creators.to_json().as_bytes());
        let mut issuers = TrustedKeys::new();
        issuers.add("issuer", issuer.public_key().clone()).unwrap();
        write(&d.join("issuers.json"), issuers.to_json().as_bytes());

        let store = d.join("store");
        std::fs::create_dir(&store).unwrap();
        let contents = vec![
            publish(&creator, b"a film for tier 2 and up", 2),
            publish(&creator, b"a film for tier 3 and up", 3),
            publish(&creator, b"a film for tier 4 and up", 4),
        ];
        for c in &contents {
            write(
                &store.join(format!("{}.manifest", c.content_id)),
                &c.manifest,
            );
            write(&store.join(format!("{}.key", c.content_id)), &c.k_content);
        }
        let config = serde_json::json!({
            "format": "veil-access-config", "format_version": 1,
            "listen": "127.0.0.1:0",
            "service_key": "ms.key",
            "verifying_key": "tier.vk",
            "trusted_creators": "creators.json",
            "trusted_issuers": "issuers.json",
            "content_store": "store",
            "epoch_beacon_seed": Bytes32([0xbe; 32]),
            "epoch_seconds": EPOCH_SECONDS,
            "quota": QUOTA,
            "max_root_age": MAX_ROOT_AGE,
        });
        write(&d.join("access.json"), config.to_string().as_bytes());

        let w = tier_witness::<Hasher>(DEPTH, 1).unwrap();
        let credential = Credential::from_witness(&w);
        let signed_root = sign_root(&issuer, &credential, now());

        let bin = env!("CARGO_BIN_EXE_veil-access");
        let out = std::fs::File::create(logs.path().join("stdout")).unwrap();
        let err = std::fs::File::create(logs.path().join("stderr")).unwrap();
        let describe = Command::new(bin)
            .args(["describe", "--config"])
            .arg(d.join("access.json"))
            .args(extra)
            .output()
            .unwrap();
        assert!(
            describe.status.success(),
            "{}",
            String::from_utf8_lossy(&describe.stderr)
        );
        let service = ServiceInfo::from_json(&String::from_utf8(describe.stdout).unwrap()).unwrap();
        let child = Command::new(bin)
            .args(["serve", "--config"])
            .arg(d.join("access.json"))
            .args(extra)
            .current_dir(d)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .unwrap();
        let mut f = Fixture {
            dir,
            logs,
            url: String::new(),
            service,
            prover,
            credential,
            issuer,
            creator,
            signed_root,
            contents,
            child,
        };
        f.url = format!("http://{}", f.wait_for_address());
        f
    }

    fn wait_for_address(&mut self) -> String {
        let start = Instant::now();
        loop {
            let s = self.stdout();
            if let Some(rest) = s.split("listening on ").nth(1) {
                if let Some(addr) = rest.lines().next() {
                    return addr.trim().to_string();
                }
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("veil-access exited with {status}: {}", self.stderr());
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "veil-access did not start"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn log(&self, name: &str) -> String {
        let mut s = String::new();
        if let Ok(mut f) = std::fs::File::open(self.logs.path().join(name)) {
            let _ = f.read_to_string(&mut s);
        }
        s
    }

    pub fn stdout(&self) -> String {
        self.log("stdout")
    }

    pub fn stderr(&self) -> String {
        self.log("stderr")
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    pub fn params<'a>(&'a self, content: usize, slot: u32, wrap: WrapMethod) -> AccessParams<'a> {
        let c = &self.contents[content];
        AccessParams {
            service_url: &self.url,
            service: &self.service,
            prover: &self.prover,
            credential: &self.credential,
            signed_root: &self.signed_root,
            manifest: &c.manifest,
            creator_signature: &c.signature,
            slot,
            wrap,
            now: now(),
        }
    }

    pub fn dir(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }

    /// Stops the service (SIGTERM, then waits).
    pub fn stop(&mut self) {
        #[cfg(unix)]
        {
            let _ = Command::new("kill")
                .arg(self.child.id().to_string())
                .status();
            let start = Instant::now();
            while start.elapsed() < Duration::from_secs(10) {
                if let Ok(Some(_)) = self.child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn sign_root(issuer: &SecretKey, c: &Credential, signed_at: u64) -> SignedRoot {
    let info = RootInfo {
        tree_id: Bytes32([0x7e; 32]),
        depth: DEPTH,
        root: c.root,
        leaf_count: 6,
        epoch: 1,
    };
    issuer.sign_root(&info, signed_at).unwrap()
}

/// `circuit` is unused but keeps `Circuit` in scope for callers of `prover.circuit().id()`.
pub fn circuit_id(p: &Prover<Tier>) -> String {
    p.circuit().id().to_string()
}
