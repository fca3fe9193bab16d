//! In-memory limiter of attempts per client address (wrong receipts, failed sign-ins, reports
//! submitted). Addresses are kept only in memory, only while they have recent attempts, and never
//! written anywhere.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct FailureLimiter {
    max_failures: u32,
    window: Duration,
    failures: Mutex<HashMap<IpAddr, (u32, Instant)>>,
}

impl FailureLimiter {
    pub fn new(max_failures: u32, window: Duration) -> FailureLimiter {
        FailureLimiter {
            max_failures,
            window,
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// IPv6 clients usually hold a whole /64: count them as one.
    fn bucket(ip: IpAddr) -> IpAddr {
        match ip {
            IpAddr::V6(v6) => {
                let s = v6.segments();
                IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
            v4 => v4,
        }
    }

    /// `Err(seconds to wait)` while `ip` has used up its failures in the current window.
    pub fn check(&self, ip: IpAddr) -> Result<(), u64> {
        let map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        match map.get(&Self::bucket(ip)) {
            Some((count, since)) if *count >= self.max_failures => {
                let elapsed = since.elapsed();
                if elapsed < self.window {
                    Err((self.window - elapsed).as_secs().max(1))
                } else {
                    Ok(())
                }
            }
            _ => Ok(()),
        }
    }

    pub fn record_failure(&self, ip: IpAddr) {
        self.record(ip)
    }

    /// Counts one event of `ip` (a failure, or any attempt where every one counts, such as a
    /// report submitted).
    pub fn record(&self, ip: IpAddr) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        if map.len() > 100_000 {
            let window = self.window;
            map.retain(|_, (_, since)| since.elapsed() < window);
        }
        let entry = map.entry(Self::bucket(ip)).or_insert((0, now));
        if entry.1.elapsed() >= self.window {
            *entry = (0, now);
        }
        entry.0 += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_out_after_max_failures() {
        let limiter = FailureLimiter::new(3, Duration::from_secs(60));
        let ip: IpAddr = "10.1.2.3".parse().unwrap();
        for _ in 0..3 {
            assert!(limiter.check(ip).is_ok());
            limiter.record_failure(ip);
        }
        assert!(limiter.check(ip).is_err());
        assert!(limiter.check("10.1.2.4".parse().unwrap()).is_ok());
        let a: IpAddr = "2001:db8::1".parse().unwrap();
        let b: IpAddr = "2001:db8::2".parse().unwrap();
        for _ in 0..3 {
            limiter.record_failure(a);
        }
        assert!(limiter.check(b).is_err());
    }
}
