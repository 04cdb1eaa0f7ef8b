//! `prove --batch --shard K/N`: which slice of a batch this process proves, from the flag or
//! from the environment a scheduler sets (Kubernetes Indexed Jobs, Slurm job arrays).
//!
//! Slice K of N (K from 0) holds the witnesses whose position in the batch, sorted by file
//! name, is K modulo N: every witness lies in exactly one slice, whatever N is, and the slices
//! differ in size by at most one.

use std::fmt;

/// Slice `index` of `count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl Shard {
    pub fn new(index: u64, count: u64) -> Result<Shard, String> {
        if count == 0 {
            return Err("the number of shards must be at least 1".into());
        }
        if index >= count {
            return Err(format!(
                "shard index {index} is out of range: with {count} shards the index goes from 0 to {}",
                count - 1
            ));
        }
        Ok(Shard { index, count })
    }

    /// Whether the item at `position` (in the sorted batch) belongs to this slice.
    pub fn holds(&self, position: usize) -> bool {
        position as u64 % self.count == self.index
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// Parses `--shard K/N`.
pub fn parse_shard(s: &str) -> Result<Shard, String> {
    let (k, n) = s
        .split_once('/')
        .ok_or_else(|| format!("expected K/N (for instance 0/4), got {s:?}"))?;
    let number = |v: &str, what: &str| {
        v.trim()
            .parse::<u64>()
            .map_err(|_| format!("the {what} in --shard {s:?} is not a whole number"))
    };
    Shard::new(number(k, "index K")?, number(n, "count N")?)
}

/// The variables read, by scheduler.
pub const K8S_INDEX: &str = "JOB_COMPLETION_INDEX";
pub const K8S_COUNT: &str = "JOB_COMPLETIONS";
pub const SLURM_ID: &str = "SLURM_ARRAY_TASK_ID";
pub const SLURM_COUNT: &str = "SLURM_ARRAY_TASK_COUNT";
pub const SLURM_MIN: &str = "SLURM_ARRAY_TASK_MIN";

/// The shard of this process: `--shard` wins over the environment; otherwise
/// `JOB_COMPLETION_INDEX` with `--completions` (or `JOB_COMPLETIONS`), or
/// `SLURM_ARRAY_TASK_ID` - `SLURM_ARRAY_TASK_MIN` of `SLURM_ARRAY_TASK_COUNT`; `None` when
/// nothing asks for sharding (the whole batch). Contradictory or malformed values are errors.
pub fn resolve(
    flag: Option<Shard>,
    completions: Option<u64>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Option<Shard>, String> {
    if let Some(shard) = flag {
        if let Some(n) = completions {
            if n != shard.count {
                return Err(format!(
                    "--shard {shard} and --completions {n} disagree on the number of shards"
                ));
            }
        }
        return Ok(Some(shard));
    }
    let var = |name: &str| -> Result<Option<u64>, String> {
        match env(name) {
            None => Ok(None),
            Some(v) if v.trim().is_empty() => Ok(None),
            Some(v) => v
                .trim()
                .parse::<u64>()
                .map(Some)
                .map_err(|_| format!("{name}={v:?} is not a whole number")),
        }
    };
    let k8s = var(K8S_INDEX)?;
    let slurm = var(SLURM_ID)?;
    match (k8s, slurm) {
        (Some(_), Some(_)) => Err(format!(
            "both {K8S_INDEX} (Kubernetes) and {SLURM_ID} (Slurm) are set: give --shard K/N to say which slice to prove"
        )),
        (Some(index), None) => {
            let count = match (completions, var(K8S_COUNT)?) {
                (Some(flag), Some(env)) if flag != env => {
                    return Err(format!(
                        "--completions {flag} and {K8S_COUNT}={env} disagree on the number of shards"
                    ))
                }
                (Some(n), _) | (None, Some(n)) => n,
                (None, None) => {
                    return Err(format!(
                        "{K8S_INDEX}={index} is set but not the number of completions: pass \
                         --completions N (the Job's spec.completions) or set {K8S_COUNT}"
                    ))
                }
            };
            Shard::new(index, count)
                .map(Some)
                .map_err(|e| format!("{K8S_INDEX}={index}: {e}"))
        }
        (None, Some(id)) => {
            let count = var(SLURM_COUNT)?.ok_or_else(|| {
                format!("{SLURM_ID}={id} is set but {SLURM_COUNT} is not")
            })?;
            if let Some(n) = completions {
                if n != count {
                    return Err(format!(
                        "--completions {n} and {SLURM_COUNT}={count} disagree on the number of shards"
                    ));
                }
            }
            let min = var(SLURM_MIN)?.unwrap_or(0);
            let index = id.checked_sub(min).ok_or_else(|| {
                format!("{SLURM_ID}={id} is below {SLURM_MIN}={min}")
            })?;
            Shard::new(index, count)
                .map(Some)
                .map_err(|e| format!("{SLURM_ID}={id} ({SLURM_MIN}={min}): {e}"))
        }
        (None, None) => match completions {
            Some(n) => Err(format!(
                "--completions {n} needs a shard index: --shard K/N, or {K8S_INDEX} from a \
                 Kubernetes Indexed Job"
            )),
            None => Ok(None),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn slices_cover_the_batch_once() {
        for count in 1..=7u64 {
            for position in 0..20 {
                let holders = (0..count)
                    .filter(|&i| Shard::new(i, count).unwrap().holds(position))
                    .count();
                assert_eq!(holders, 1);
            }
        }
    }

    #[test]
    fn flag_parses_and_refuses() {
        assert_eq!(parse_shard("1/3"), Ok(Shard { index: 1, count: 3 }));
        for bad in ["3/3", "1", "a/3", "1/0", "-1/3", "1/3/4", ""] {
            assert!(parse_shard(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn flag_wins_over_env() {
        let e = env(&[(K8S_INDEX, "2"), (K8S_COUNT, "5")]);
        let flag = Some(Shard::new(0, 2).unwrap());
        assert_eq!(resolve(flag, None, &e), Ok(flag));
        assert!(resolve(flag, Some(3), &e).unwrap_err().contains("disagree"));
        assert_eq!(resolve(flag, Some(2), &e), Ok(flag));
    }

    #[test]
    fn kubernetes_index_with_completions() {
        let e = env(&[(K8S_INDEX, "2")]);
        assert_eq!(
            resolve(None, Some(3), &e),
            Ok(Some(Shard::new(2, 3).unwrap()))
        );
        assert!(resolve(None, None, &e)
            .unwrap_err()
            .contains("--completions"));
        let e = env(&[(K8S_INDEX, "2"), (K8S_COUNT, "4")]);
        assert_eq!(resolve(None, None, &e), Ok(Some(Shard::new(2, 4).unwrap())));
        assert!(resolve(None, Some(3), &e).unwrap_err().contains("disagree"));
        let e = env(&[(K8S_INDEX, "3"), (K8S_COUNT, "3")]);
        assert!(resolve(None, None, &e)
            .unwrap_err()
            .contains("out of range"));
        let e = env(&[(K8S_INDEX, "x")]);
        assert!(resolve(None, Some(3), &e)
            .unwrap_err()
            .contains("not a whole number"));
    }

    #[test]
    fn slurm_array() {
        let e = env(&[(SLURM_ID, "4"), (SLURM_COUNT, "4"), (SLURM_MIN, "1")]);
        assert_eq!(resolve(None, None, &e), Ok(Some(Shard::new(3, 4).unwrap())));
        let e = env(&[(SLURM_ID, "0"), (SLURM_COUNT, "2")]);
        assert_eq!(resolve(None, None, &e), Ok(Some(Shard::new(0, 2).unwrap())));
        assert!(resolve(None, Some(3), &e).unwrap_err().contains("disagree"));
        let e = env(&[(SLURM_ID, "0")]);
        assert!(resolve(None, None, &e).unwrap_err().contains(SLURM_COUNT));
        let e = env(&[(SLURM_ID, "0"), (SLURM_COUNT, "2"), (SLURM_MIN, "1")]);
        assert!(resolve(None, None, &e).unwrap_err().contains("below"));
    }

    #[test]
    fn both_schedulers_or_none() {
        let e = env(&[(K8S_INDEX, "0"), (SLURM_ID, "0"), (SLURM_COUNT, "2")]);
        assert!(resolve(None, Some(2), &e).unwrap_err().contains("both"));
        let e = env(&[]);
        assert_eq!(resolve(None, None, &e), Ok(None));
        assert!(resolve(None, Some(2), &e)
            .unwrap_err()
            .contains("needs a shard index"));
    }
}
