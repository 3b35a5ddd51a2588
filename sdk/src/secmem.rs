//! Memory for secrets: one place per secret for its whole life, kept out of swap, wiped after.
//!
//! [`SecretBytes`] holds N bytes (a private key, a chain code, a seed) in a page of its own on
//! the heap: the address never changes however the owner is moved (moves copy only the
//! pointer), the page is locked in RAM (`mlock`) so it never reaches swap, and on drop the bytes
//! are overwritten with zeros (volatile writes that the optimiser cannot remove) before the page
//! is unlocked and freed. Secrets are written into it in place ([`SecretBytes::zeroed`] then
//! [`SecretBytes::expose_mut`]), never built elsewhere and copied in.
//!
//! Where `RLIMIT_MEMLOCK` refuses the lock, the secret is still held (unlocked) and
//! [`memory_lock_refused`] turns true, so a front end can warn once.
//!
//! Computation leaves copies on the stack (function arguments, temporaries of k256 and
//! libsecp256k1). [`scrub_stack`] overwrites the stack region below the caller's frame; the SDK
//! calls it after every secret computation (key parsing and generation, signing, derivation,
//! seeds, key-store encryption and decryption).
//!
//! The type is meant to be reused by anything that keeps keys unlocked for a while (a signer
//! agent): own a `SecretBytes`, hand out references, drop it to erase.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};

use zeroize::Zeroize;

/// The size (and alignment) of the page each secret gets: locking and unlocking work on whole
/// pages, so two secrets never share one (unlocking the first would unlock the second).
pub const PAGE: usize = 4096;

/// How much of the stack [`scrub_stack`] overwrites, below the caller's frame. The deepest
/// secret computation (k256 scalar multiplication, libsecp256k1 signing, scrypt's PBKDF2) uses
/// well under this.
pub const SCRUB_BYTES: usize = 32 * 1024;

static LOCK_REFUSED: AtomicBool = AtomicBool::new(false);

/// Whether locking a secret page in RAM was refused at least once in this process (usually
/// `RLIMIT_MEMLOCK`); such secrets are held and wiped as usual, but could reach swap.
pub fn memory_lock_refused() -> bool {
    LOCK_REFUSED.load(Ordering::Relaxed)
}

#[repr(C, align(4096))]
struct Page([u8; PAGE]);

/// N secret bytes at a fixed heap address, locked in RAM, wiped on drop. `Debug` is redacted;
/// no `Clone`, `Copy`, `Display` or `Serialize` (an explicit copy is [`SecretBytes::clone_secret`]).
pub struct SecretBytes<const N: usize> {
    page: Box<Page>,
    locked: bool,
}

impl<const N: usize> SecretBytes<N> {
    const FITS: () = assert!(N <= PAGE, "a secret must fit in one page");

    /// N zero bytes in a fresh locked page: fill them in place with [`SecretBytes::expose_mut`].
    pub fn zeroed() -> Self {
        #[allow(clippy::let_unit_value)]
        let () = Self::FITS;
        let page = Box::new(Page([0u8; PAGE]));
        let locked = lock(page.0.as_ptr(), PAGE);
        if !locked {
            LOCK_REFUSED.store(true, Ordering::Relaxed);
        }
        Self { page, locked }
    }

    /// A copy of `bytes` (prefer writing in place: the source is a second copy to wipe).
    pub fn from_slice(bytes: &[u8; N]) -> Self {
        let mut s = Self::zeroed();
        s.expose_mut().copy_from_slice(bytes);
        s
    }

    /// The bytes.
    pub fn expose(&self) -> &[u8; N] {
        self.page.0[..N].try_into().expect("N <= PAGE")
    }

    /// The bytes, to write the secret in place.
    pub fn expose_mut(&mut self) -> &mut [u8; N] {
        (&mut self.page.0[..N]).try_into().expect("N <= PAGE")
    }

    /// An explicit second copy, page to page.
    pub fn clone_secret(&self) -> Self {
        Self::from_slice(self.expose())
    }

    /// Whether this page is locked in RAM.
    pub fn is_locked(&self) -> bool {
        self.locked
    }
}

impl<const N: usize> Drop for SecretBytes<N> {
    fn drop(&mut self) {
        // Only the first N bytes were ever written.
        self.page.0[..N].zeroize();
        if self.locked {
            unlock(self.page.0.as_ptr(), PAGE);
        }
    }
}

impl<const N: usize> zeroize::ZeroizeOnDrop for SecretBytes<N> {}

impl<const N: usize> fmt::Debug for SecretBytes<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretBytes<{N}>(..)")
    }
}

/// Overwrites [`SCRUB_BYTES`] of the stack below the caller's frame with zeros, erasing what
/// finished secret computations left there (their frames are dead but not cleared). Call it
/// right after the computation returns, from the function that called it.
#[inline(never)]
pub fn scrub_stack() {
    // u64 words: an eighth of the volatile stores of a byte array.
    let mut area = [0u64; SCRUB_BYTES / 8];
    // Volatile writes: an array that is never read would otherwise not be written at all.
    area.zeroize();
    std::hint::black_box(&area);
}

/// `mlock(2)` of `len` bytes at `ptr`; whether it succeeded.
#[cfg(unix)]
#[allow(unsafe_code)]
fn lock(ptr: *const u8, len: usize) -> bool {
    // SAFETY: mlock only changes the residency of pages of this process that are mapped (the
    // kernel checks the range and fails with ENOMEM otherwise); it reads and writes no memory.
    unsafe { libc::mlock(ptr.cast(), len) == 0 }
}

/// `munlock(2)` of `len` bytes at `ptr`.
#[cfg(unix)]
#[allow(unsafe_code)]
fn unlock(ptr: *const u8, len: usize) {
    // SAFETY: as for mlock: a residency change of this process's own mapped pages.
    unsafe {
        libc::munlock(ptr.cast(), len);
    }
}

#[cfg(not(unix))]
fn lock(_ptr: *const u8, _len: usize) -> bool {
    false
}

#[cfg(not(unix))]
fn unlock(_ptr: *const u8, _len: usize) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_stay_at_one_page_aligned_address_across_moves() {
        let mut s = SecretBytes::<32>::zeroed();
        s.expose_mut().copy_from_slice(&[7u8; 32]);
        let at = s.expose().as_ptr() as usize;
        assert_eq!(at % PAGE, 0);
        let moved = [Box::new(s)];
        assert_eq!(moved[0].expose().as_ptr() as usize, at);
        assert_eq!(moved[0].expose(), &[7u8; 32]);
        assert_eq!(format!("{:?}", moved[0]), "SecretBytes<32>(..)");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn pages_are_locked_where_the_limit_allows() {
        let s = SecretBytes::<64>::zeroed();
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        #[allow(unsafe_code)]
        // SAFETY: getrlimit writes one rlimit into the struct we own.
        let ok = unsafe { libc::getrlimit(libc::RLIMIT_MEMLOCK, &mut lim) } == 0;
        assert!(ok);
        // Root (CAP_IPC_LOCK) or a limit of at least a few pages: the lock must succeed.
        #[allow(unsafe_code)]
        // SAFETY: geteuid has no preconditions.
        let root = unsafe { libc::geteuid() } == 0;
        if root || lim.rlim_cur >= 16 * PAGE as u64 {
            assert!(s.is_locked());
            let status = std::fs::read_to_string("/proc/self/status").unwrap();
            let vmlck = status
                .lines()
                .find(|l| l.starts_with("VmLck:"))
                .unwrap()
                .split_whitespace()
                .nth(1)
                .unwrap()
                .parse::<u64>()
                .unwrap();
            assert!(vmlck >= 4, "VmLck {vmlck} kB");
        }
    }
}
