//! The upper halves of the AVX registers after `faer`.
//!
//! `faer`'s kernels use 256/512-bit vector registers and may return with their upper halves
//! dirty. Scalar (SSE2) code that runs afterwards on the same thread — the kernel recursions of
//! this crate — then pays a state-transition penalty on every vector instruction and runs many
//! times slower (measured: `GramTable` construction 2 ms → 24 ms after a product; a 100 × 400
//! regression `predict` after the `faer` Cholesky of `fit` 11 s instead of 0.6 s). `vzeroupper`
//! clears the state. The crate executes it after each of its `faer` calls: on the calling thread
//! after a sequential call, and on every thread of the current rayon pool after a parallel one
//! (whose kernels ran on those threads).

/// Executes `vzeroupper` on the calling thread where AVX is available.
#[cfg(target_arch = "x86_64")]
pub(crate) fn clear_upper_state() {
    #[target_feature(enable = "avx")]
    fn zeroupper() {
        std::arch::x86_64::_mm256_zeroupper();
    }
    if std::is_x86_feature_detected!("avx") {
        // SAFETY: AVX support was checked at run time.
        unsafe { zeroupper() }
    }
}

#[cfg(not(target_arch = "x86_64"))]
pub(crate) fn clear_upper_state() {}

/// [`clear_upper_state`] on every thread of the current rayon pool and on the calling thread:
/// after a parallel `faer` call.
pub(crate) fn clear_upper_state_everywhere() {
    rayon::broadcast(|_| clear_upper_state());
    clear_upper_state();
}
