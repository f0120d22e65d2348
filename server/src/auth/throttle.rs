//! Per-address throttling of sign-in and sign-up attempts, with `governor`'s keyed
//! GCRA limiter (well tested, no unbounded growth with its `retain_recent`).

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;

pub struct Throttle {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
}

impl Throttle {
    pub fn per_minute(attempts: u32) -> Throttle {
        let attempts = NonZeroU32::new(attempts).unwrap_or(NonZeroU32::MIN);
        Throttle {
            limiter: RateLimiter::keyed(Quota::per_minute(attempts)),
        }
    }

    /// True when this address may make one more attempt now.
    pub fn allow(&self, address: IpAddr) -> bool {
        let allowed = self.limiter.check_key(&address).is_ok();
        if self.limiter.len() > 10_000 {
            self.limiter.retain_recent();
        }
        allowed
    }
}
