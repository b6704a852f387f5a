//! Gegenbauer toolkit (in progress)
