//! A bounded load test of the access service on loopback: the real binary, real HTTP.
//!
//! `cargo bench -p veil-access --bench load` prints, for 1, 4 and 16 concurrent clients,
//! valid requests per second and their p50/p99 latency, alone and mixed with invalid ones
//! (malformed JSON, bad ephemeral keys, replays that are verified and then refused); then a
//! garbage flood with valid requests alongside, and the service's resident memory over a
//! longer run. Sizes: `VEIL_ACCESS_LOAD_N` valid requests per row (default 40),
//! `VEIL_ACCESS_LOAD_SECS` seconds of flood (default 15).

#[path = "../tests/common/mod.rs"]
mod common;

use common::Fixture;
use reqwest::blocking::Client;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use veil_access::wrap::WrapMethod;
use veil_access_client::prepare_request;

const QUOTA: u32 = 1_000_000;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

/// What one level of load produced.
struct Level {
    valid_ok: usize,
    valid_wall: Duration,
    latencies: Vec<Duration>,
    invalid_sent: usize,
}

fn post(client: &Client, url: &str, body: &[u8]) -> u16 {
    client
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_vec())
        .send()
        .map(|r| r.status().as_u16())
        .unwrap_or(0)
}

/// `clients` threads share the valid bodies; with `mixed`, each thread sends an invalid
/// request after every valid one.
fn run_level(
    url: &str,
    clients: usize,
    valid: &[Vec<u8>],
    invalid: &[Vec<u8>],
    mixed: bool,
) -> Level {
    let next = AtomicUsize::new(0);
    let latencies = Mutex::new(Vec::new());
    let ok = AtomicUsize::new(0);
    let invalid_sent = AtomicUsize::new(0);
    let endpoint = format!("{url}/v1/access/request");
    let start = Instant::now();
    std::thread::scope(|s| {
        for t in 0..clients {
            let (next, latencies, ok, invalid_sent, endpoint) =
                (&next, &latencies, &ok, &invalid_sent, &endpoint);
            s.spawn(move || {
                let client = Client::new();
                let mut mine = Vec::new();
                let mut j = t;
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(body) = valid.get(i) else { break };
                    let t0 = Instant::now();
                    let status = post(&client, endpoint, body);
                    mine.push(t0.elapsed());
                    if status == 200 {
                        ok.fetch_add(1, Ordering::Relaxed);
                    }
                    if mixed {
                        let bad = &invalid[j % invalid.len()];
                        j += 1;
                        let s = post(&client, endpoint, bad);
                        assert!(s == 400 || s == 403, "invalid request answered {s}");
                        invalid_sent.fetch_add(1, Ordering::Relaxed);
                    }
                }
                latencies.lock().unwrap().extend(mine);
            });
        }
    });
    let wall = start.elapsed();
    let mut l = latencies.into_inner().unwrap();
    l.sort();
    Level {
        valid_ok: ok.into_inner(),
        valid_wall: wall,
        latencies: l,
        invalid_sent: invalid_sent.into_inner(),
    }
}

fn main() {
    let n = env("VEIL_ACCESS_LOAD_N", 40);
    let flood_secs = env("VEIL_ACCESS_LOAD_SECS", 15) as u64;
    // One valid request every 250 ms during the flood.
    let flood_n = flood_secs as usize * 4 + 4;
    let quota = QUOTA.to_string();
    let mut f = Fixture::start_with(&["--quota", &quota]);
    let levels = [1usize, 4, 16];
    let total = n * levels.len() * 2 + flood_n;
    eprintln!("proving {total} tier-4 requests (one fresh slot each)...");
    let t0 = Instant::now();
    let mut slot = 0u32;
    let mut valid_bodies = |count: usize| -> Vec<Vec<u8>> {
        (0..count)
            .map(|_| {
                let p = prepare_request(&f.params(0, slot, WrapMethod::X25519)).unwrap();
                slot += 1;
                serde_json::to_vec(&p.request).unwrap()
            })
            .collect()
    };
    let mut sets: Vec<Vec<Vec<u8>>> = (0..levels.len() * 2).map(|_| valid_bodies(n)).collect();
    let flood_valid = valid_bodies(flood_n);
    eprintln!(
        "  {:.1} s ({:.0} ms per proof)",
        t0.elapsed().as_secs_f64(),
        t0.elapsed().as_secs_f64() * 1000.0 / total as f64
    );

    // Invalid requests: garbage, a bad ephemeral key, a replay (full verification, then 403).
    let replay = sets[0][0].clone();
    let mut bad_key: serde_json::Value = serde_json::from_slice(&sets[0][1]).unwrap();
    bad_key["client_ephemeral_pubkey"] = "00".repeat(32).into();
    let invalid = vec![
        b"{\"content_id\": 12".to_vec(),
        serde_json::to_vec(&bad_key).unwrap(),
        replay,
    ];

    println!("access service load (loopback, tier-4 groth16 proofs, X25519 wrap, {n} valid requests per row)");
    println!("| clients | load | valid req/s | p50 ms | p99 ms | invalid sent |");
    println!("|---|---|---|---|---|---|");
    for (k, &clients) in levels.iter().enumerate() {
        for (m, mixed) in [false, true].into_iter().enumerate() {
            let set = std::mem::take(&mut sets[k * 2 + m]);
            let r = run_level(&f.url, clients, &set, &invalid, mixed);
            assert_eq!(r.valid_ok, set.len(), "every valid request is granted");
            println!(
                "| {clients} | {} | {:.0} | {:.1} | {:.1} | {} |",
                if mixed {
                    "valid + invalid 1:1"
                } else {
                    "valid only"
                },
                r.valid_ok as f64 / r.valid_wall.as_secs_f64(),
                percentile(&r.latencies, 0.5),
                percentile(&r.latencies, 0.99),
                r.invalid_sent
            );
        }
    }

    // A garbage flood (16 threads) for flood_secs, with one client sending valid requests.
    let rss_start = rss_kib(f.pid());
    let stop = AtomicBool::new(false);
    let garbage = AtomicUsize::new(0);
    let endpoint = format!("{}/v1/access/request", f.url);
    let mut valid_lat = Vec::new();
    let mut rss_samples = vec![rss_start];
    std::thread::scope(|s| {
        for t in 0..16 {
            let (stop, garbage, endpoint, invalid) = (&stop, &garbage, &endpoint, &invalid);
            s.spawn(move || {
                let client = Client::new();
                let mut j = t;
                while !stop.load(Ordering::Relaxed) {
                    post(&client, endpoint, &invalid[j % invalid.len()]);
                    j += 1;
                    garbage.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
        let client = Client::new();
        let start = Instant::now();
        let mut i = 0;
        while start.elapsed() < Duration::from_secs(flood_secs) {
            if let Some(body) = flood_valid.get(i) {
                let t0 = Instant::now();
                let status = post(&client, &endpoint, body);
                assert_eq!(status, 200, "a valid request during the flood");
                valid_lat.push(t0.elapsed());
                i += 1;
            }
            std::thread::sleep(Duration::from_millis(250));
            if i % 4 == 0 {
                rss_samples.push(rss_kib(f.pid()));
            }
        }
        stop.store(true, Ordering::Relaxed);
    });
    valid_lat.sort();
    let rss_end = rss_kib(f.pid());
    rss_samples.push(rss_end);
    let g = garbage.into_inner();
    println!();
    println!(
        "flood: {flood_secs} s of invalid requests from 16 clients ({g} sent, {:.0}/s) with one valid client: {} valid granted, p50 {:.1} ms, p99 {:.1} ms",
        g as f64 / flood_secs as f64,
        valid_lat.len(),
        percentile(&valid_lat, 0.5),
        percentile(&valid_lat, 0.99)
    );
    println!(
        "memory (VmRSS of veil-access): {} KiB before the flood, {} KiB after, max {} KiB over {} samples",
        rss_start,
        rss_end,
        rss_samples.iter().max().unwrap_or(&0),
        rss_samples.len()
    );
    assert!(f.is_running(), "the service stays up");
}
