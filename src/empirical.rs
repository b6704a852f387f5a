//! Finite-width random networks and their empirical NTK (in progress).
